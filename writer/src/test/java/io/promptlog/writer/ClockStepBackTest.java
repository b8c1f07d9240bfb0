package io.promptlog.writer;

import io.promptlog.testsupport.SettableClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A system clock that steps back over an hour boundary (NTP, a VM resumed from a snapshot) neither drops
 * calls nor writes them behind records already in the queue: the writer's roll time never goes back, so
 * Chronicle indexes stay in append order and a follower or compactor past a point still reads everything
 * appended after it.
 */
@Timeout(60)
class ClockStepBackTest {
    private static final long HOUR = 500_000;
    private static final long SECOND = 1000;

    @TempDir
    Path home;

    @Test
    void shouldKeepAppendingInOrderWhenTheClockStepsBackOverARoll() throws Exception {
        SettableClock clock = SettableClock.atHour(HOUR);
        clock.advanceMillis(3600 * SECOND - 2 * SECOND); // 2 s before the next hour
        try (PromptLog log = PromptLog.open(config(clock))) {
            append(log, 0);
            clock.advanceMillis(4 * SECOND); // the next hour: the queue rolls, the first cycle is closed
            append(log, 1);
            clock.advanceMillis(-5 * SECOND); // stepped back into the closed hour
            append(log, 2);
            append(log, 3);
            clock.advanceHours(-3); // and further back, to an hour the queue never had
            append(log, 4);
            assertThat(log.stats().dropped()).as(log.stats().lastError()).isZero();
        }
        // a writer that opens while the clock is still behind the newest cycle appends to that cycle too
        try (PromptLog log = PromptLog.open(config(clock))) {
            append(log, 5);
        }
        clock.advanceHours(5); // the clock is past the newest cycle again (an hour on): the queue rolls as usual
        try (PromptLog log = PromptLog.open(config(clock))) {
            append(log, 6);
        }
        // read in Chronicle index order: every call, once, in the order it was appended
        assertThat(QueueContents.readAll(home).stream().map(SeqCalls::seqOf).toList()).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L);
        try (Stream<Path> s = Files.list(PromptLogHome.shardDir(home, 0))) {
            assertThat(s.filter(p -> p.toString().endsWith(".cq4")).count()).as("no cycle file older than one written before").isEqualTo(3);
        }
    }

    private static void append(PromptLog log, long seq) {
        int status = log.append(SeqCalls.call(seq));
        assertThat(AppendStatus.isAppended(status)).as("append %d: %s, %s", seq, AppendStatus.describe(status), log.stats().lastError()).isTrue();
    }

    private PromptLogConfig config(SettableClock clock) {
        return PromptLogConfig.builder(home).shardCount(1).rollClock(clock).backgroundCompaction(false).build();
    }
}
