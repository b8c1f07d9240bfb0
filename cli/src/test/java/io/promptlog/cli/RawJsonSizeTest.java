package io.promptlog.cli;

import io.promptlog.reader.CanonicalJson;
import io.promptlog.synthetic.SyntheticCalls;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(60)
class RawJsonSizeTest {
    @Test
    void shouldCountExactlyTheBytesOfTheCanonicalJsonLines() throws Exception {
        long seed = 77;
        int n = 300;
        SyntheticCalls calls = new SyntheticCalls(seed);
        long expected = 0;
        for (int i = 0; i < n; i += 3) {
            expected += CanonicalJson.write(calls.call(i)).getBytes(StandardCharsets.UTF_8).length + 1;
        }
        RawJsonSize size = new RawJsonSize(seed, n, 3);
        size.start();
        assertThat(size.await(new PrintStream(new ByteArrayOutputStream()))).isEqualTo(expected);
        assertThat(size.measuredCalls()).isEqualTo(100);
    }
}
