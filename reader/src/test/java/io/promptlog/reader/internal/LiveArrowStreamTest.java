package io.promptlog.reader.internal;

import io.promptlog.reader.PromptLogReader;
import io.promptlog.reader.TestHomes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(120)
class LiveArrowStreamTest {
    @TempDir
    Path home;

    @Test
    void shouldLoadEveryBatchOfALargeQueue() throws Exception {
        int n = LiveArrow.BATCH_ROWS * 2 + 123;
        TestHomes.generate(home, n, 0, 4);
        try (PromptLogReader r = PromptLogReader.openHome(home)) {
            assertThat(r.warnings()).isEmpty();
            assertThat(r.liveCallCount()).isEqualTo(n);
            assertThat(r.sql("SELECT count(*), count(DISTINCT attributes['seq']) FROM calls").rows().get(0))
                    .containsExactly((long) n, (long) n);
        }
    }
}
