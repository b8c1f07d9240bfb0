package io.promptlog.compactor;

import io.promptlog.synthetic.SyntheticCalls;
import io.promptlog.writer.AppendStatus;
import io.promptlog.writer.PromptLog;
import io.promptlog.writer.PromptLogConfig;
import net.openhft.chronicle.queue.RollCycles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The compactor reads across the queue's rolls to new cycle files, and restarts from a checkpoint in the
 * middle of a cycle: the writer's roll clock ({@code PromptLogConfig.Builder.rollClock}) moves one hour
 * after each 160 calls (appended by 4 threads), and halfway through each cycle a new compactor opens on
 * the checkpoint the previous one left, compacts in batches of 45 rows (so a batch begun in one cycle
 * ends in the next) and closes. Every call ends up in the dataset exactly once.
 */
@Timeout(180)
class QueueRollCompactionTest {
    private static final int CYCLES = 5;
    private static final int CALLS_PER_CYCLE = 160;
    private static final int THREADS = 4;

    @TempDir
    Path home;

    /** A clock that stands still until moved. */
    static final class HourClock extends Clock {
        private final AtomicLong millis = new AtomicLong(TimeUnit.HOURS.toMillis(490_000));

        void nextHour() {
            millis.addAndGet(TimeUnit.HOURS.toMillis(1));
        }

        @Override
        public long millis() {
            return millis.get();
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis());
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException();
        }
    }

    @Test
    void shouldCompactEveryCallOnceAcrossRollsWithRestartsFromMidCycleCheckpoints() throws Exception {
        HourClock clock = new HourClock();
        SyntheticCalls gen = new SyntheticCalls(17, 8, 100, 400);
        AtomicLong nextSeq = new AtomicLong();
        TreeSet<Integer> checkpointCycles = new TreeSet<>();
        int midCycleCheckpoints = 0;
        CompactorConfig cfg = CompactorConfig.builder(home).retention(RetentionPolicy.none()).maxFileRows(45)
                .hostName("roll-host").build();
        try (PromptLog log = PromptLog.open(PromptLogConfig.builder(home).shardCount(2).rollClock(clock)
                .backgroundCompaction(false).build())) {
            for (int cycle = 0; cycle < CYCLES; cycle++) {
                appendConcurrently(log, gen, nextSeq, CALLS_PER_CYCLE / 2);
                try (Compactor c = Compactor.open(cfg)) { // a restart: it starts from the last checkpoint
                    c.runOnce();
                    assertThat(c.stats().errors()).as("%s", c.stats().lastError()).isZero();
                    for (long index : c.committed().values()) {
                        if (index >= 0) {
                            int committedCycle = RollCycles.FAST_HOURLY.toCycle(index);
                            checkpointCycles.add(committedCycle);
                            if (committedCycle == (int) TimeUnit.MILLISECONDS.toHours(clock.millis())) {
                                midCycleCheckpoints++; // the cycle goes on after this checkpoint
                            }
                        }
                    }
                }
                appendConcurrently(log, gen, nextSeq, CALLS_PER_CYCLE / 2);
                clock.nextHour();
            }
        }
        try (Compactor c = Compactor.open(cfg)) {
            c.runOnce();
            assertThat(c.stats().errors()).isZero();
        }
        long total = nextSeq.get();
        assertThat(total).isEqualTo((long) CYCLES * CALLS_PER_CYCLE);
        assertThat(checkpointCycles).as("cycles the checkpoints stood in").hasSize(CYCLES);
        assertThat(midCycleCheckpoints).as("checkpoints in the middle of the cycle being written").isGreaterThanOrEqualTo(CYCLES);
        try (DuckDataset d = new DuckDataset(home.resolve("data"))) {
            assertThat(d.count("SELECT count(*) FROM calls")).isEqualTo(total);
            assertThat(d.count("SELECT count(DISTINCT attributes['seq']) FROM calls")).isEqualTo(total);
            assertThat(d.count("SELECT max(attributes['seq']::BIGINT) FROM calls")).isEqualTo(total - 1);
        }
    }

    private static void appendConcurrently(PromptLog log, SyntheticCalls gen, AtomicLong nextSeq, int calls) throws Exception {
        long end = nextSeq.get() + calls;
        AtomicReference<String> failure = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            Thread thread = new Thread(() -> {
                SyntheticCalls own = new SyntheticCalls(gen.seed(), 8, 100, 400);
                for (long seq; (seq = nextSeq.getAndUpdate(s -> s < end ? s + 1 : s)) < end; ) {
                    int s = log.append(own.call(seq));
                    if (!AppendStatus.isAppended(s)) {
                        failure.compareAndSet(null, "seq " + seq + ": " + AppendStatus.describe(s));
                    }
                }
            });
            thread.start();
            threads.add(thread);
        }
        for (Thread t : threads) {
            t.join(60_000);
        }
        assertThat(failure.get()).isNull();
        assertThat(nextSeq.get()).isEqualTo(end);
    }
}
