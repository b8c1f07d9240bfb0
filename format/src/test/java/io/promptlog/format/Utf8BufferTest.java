package io.promptlog.format;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(30)
class Utf8BufferTest {

    @Test
    void shouldEncodeExactlyAsStringGetBytesIncludingUnpairedSurrogatesAndGrowingTexts() {
        long seed = System.nanoTime();
        SplittableRandom rnd = new SplittableRandom(seed);
        char[] pool = {'a', 'Z', ' ', '\n', '\u007f', '\u0080', '\u00e9', '\u07ff', '\u0800', '\u20ac', '\uffff',
                '\ud83d', '\ude00', '\udbff', '\udfff', '\ud800'};
        Utf8Buffer buf = new Utf8Buffer();
        for (int t = 0; t < 5000; t++) {
            int len = rnd.nextInt(10) == 0 ? rnd.nextInt(1000, 5000) : rnd.nextInt(0, 40);
            char[] c = new char[len];
            for (int i = 0; i < len; i++) {
                c[i] = rnd.nextInt(rnd.nextBoolean() ? 3 : 40) == 0 ? pool[rnd.nextInt(pool.length)] : (char) rnd.nextInt(0x20, 0x7f);
            }
            String s = new String(c);
            byte[] want = s.getBytes(StandardCharsets.UTF_8);
            buf.encode(s);
            assertThat(Arrays.copyOf(buf.bytes(), buf.length())).as("seed %d, text %s", seed, s).isEqualTo(want);
            assertThat(buf.copy()).isEqualTo(want);
        }
        assertThat(buf.encode("").length()).isZero();
    }
}
