package io.promptlog.compactor;

import io.promptlog.testsupport.SettableClock;
import io.promptlog.writer.AppendStatus;
import io.promptlog.writer.PromptLog;
import io.promptlog.writer.PromptLogConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The writer's clock steps back over an hour boundary after the compactor has read past it: every call
 * appended from then on is still compacted, once (before, they were dropped with a
 * {@code WriteAfterEOFException}, or written into an older cycle the compactor had passed).
 */
@Timeout(60)
class ClockStepBackCompactionTest {
    private static final long TEN_OCLOCK_MILLIS = 1_795_168_800_000L; // 2026-11-20T10:00:00Z

    @TempDir
    Path home;

    @Test
    void shouldCompactEveryCallAppendedAfterTheClockSteppedBack() throws Exception {
        SettableClock clock = new SettableClock(TEN_OCLOCK_MILLIS + 3_598_000); // 10:59:58
        CompactorConfig cfg = CompactorConfig.builder(home).retention(RetentionPolicy.all())
                .queueRetention(CompactorConfig.KEEP_QUEUE_FOREVER).build();
        try (PromptLog log = PromptLog.open(PromptLogConfig.builder(home).shardCount(1).rollClock(clock)
                .backgroundCompaction(false).build());
             Compactor compactor = Compactor.open(cfg)) {
            append(log, 0);
            clock.advanceMillis(4_000); // 11:00:02: the queue rolls
            append(log, 1);
            assertThat(compactor.runOnce().callsWritten()).isEqualTo(2);
            clock.advanceMillis(-5_000); // 10:59:57: an NTP step back over the roll
            append(log, 2);
            append(log, 3);
            clock.advanceMillis(10_000);
            append(log, 4);
            assertThat(compactor.runOnce().callsWritten()).isEqualTo(3);
        }
        try (DuckDataset d = new DuckDataset(home.resolve("data"))) {
            assertThat(d.count("SELECT count(DISTINCT call_id) FROM calls")).isEqualTo(5);
            assertThat(d.count("SELECT count(*) FROM calls")).isEqualTo(5);
        }
    }

    private static void append(PromptLog log, long seq) {
        int status = log.append(TestCalls.everyField(seq));
        assertThat(AppendStatus.isAppended(status)).as("append %d: %s", seq, log.stats().lastError()).isTrue();
    }
}
