package io.promptlog.reader;

import io.promptlog.compactor.Compactor;
import io.promptlog.compactor.CompactorConfig;
import io.promptlog.synthetic.SyntheticCalls;
import io.promptlog.writer.PromptLog;
import io.promptlog.writer.PromptLogConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A reader opened while the compactor commits batch after batch (between a file's rename and the
 * checkpoint, too) sees every call exactly once: compacted or live, never both, never neither.
 */
@Timeout(300)
class ReadWhileCompactingTest {

    private static void log(Path home, int calls) {
        SyntheticCalls gen = new SyntheticCalls(4, 6, 100, 400);
        try (PromptLog log = PromptLog.open(PromptLogConfig.builder(home).shardCount(2).pretouch(false)
                .backgroundCompaction(false).build())) {
            for (int i = 0; i < calls; i++) {
                log.append(gen.call(i));
            }
        }
    }

    @Test
    void shouldNeverShowACallTwiceOrMissOneWhileTheCompactorCommits(@TempDir Path home) throws Exception {
        int calls = 2000;
        log(home, calls);
        CompactorConfig cfg = CompactorConfig.builder(home).maxFileRows(40).build();
        Thread compactor = new Thread(() -> {
            try (Compactor c = Compactor.open(cfg)) {
                c.runOnce();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, "test-compactor");
        java.util.concurrent.atomic.AtomicReference<Throwable> failure = new java.util.concurrent.atomic.AtomicReference<>();
        compactor.setUncaughtExceptionHandler((t, e) -> failure.set(e));
        compactor.start();
        int reads = 0;
        int duringCommits = 0;
        while (compactor.isAlive() || reads == 0) {
            try (PromptLogReader r = PromptLogReader.openHome(home)) {
                var res = r.sql("SELECT count(*), count(DISTINCT call_id), count(*) FILTER (WHERE call_id IN "
                        + "(SELECT call_id FROM calls_compacted)) FROM calls");
                long rows = ((Number) res.rows().get(0).get(0)).longValue();
                long distinct = ((Number) res.rows().get(0).get(1)).longValue();
                long compacted = ((Number) res.rows().get(0).get(2)).longValue();
                assertThat(rows).as("read %d: calls seen (%d compacted)", reads, compacted).isEqualTo(calls);
                assertThat(distinct).as("read %d: distinct calls", reads).isEqualTo(calls);
                if (compacted > 0 && compacted < calls) {
                    duringCommits++;
                }
            }
            reads++;
        }
        compactor.join();
        assertThat(failure.get()).isNull();
        System.out.println(reads + " reads, " + duringCommits + " of them while the compactor was part way");
        assertThat(reads).isPositive();
    }
}
