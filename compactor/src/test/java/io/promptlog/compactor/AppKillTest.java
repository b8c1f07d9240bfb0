package io.promptlog.compactor;

import java.time.Duration;
import io.promptlog.testsupport.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The default deployment killed: one JVM logs from two threads with the background compactor running
 * in it, and gets SIGKILL at a random moment, again and again on the same home. Every acknowledged call
 * ends up in the dataset exactly once. Then the other deployment: app and compactor in two processes, both
 * killed at the same moment.
 */
@Timeout(600)
class AppKillTest {
    /** 4 in CI; the torture run sets {@code -Dpromptlog.test.appKills=100}. */
    private static final int KILLS = Integer.getInteger("promptlog.test.appKills", 4);
    /** 3 in CI; the torture run sets {@code -Dpromptlog.test.pairKills=100}. */
    private static final int PAIR_KILLS = Integer.getInteger("promptlog.test.pairKills", 3);
    private static final long RANGE = 1_000_000;

    private static long lastAck(Path log) throws Exception {
        long acked = -1;
        if (Files.exists(log)) {
            for (String l : Files.readAllLines(log)) {
                if (l.startsWith("acked ")) {
                    acked = Long.parseLong(l.substring(6).trim());
                }
            }
        }
        return acked;
    }

    @Test
    void shouldKeepEveryAcknowledgedCallExactlyOnceWhenAnAppWithBackgroundCompactionIsKilled(@TempDir Path home)
            throws Exception {
        long seed = Long.getLong("promptlog.test.seed", System.nanoTime());
        System.out.println("seed " + seed + " (rerun with -Dpromptlog.test.seed=" + seed + "), kills " + KILLS
                + " (set -Dpromptlog.test.appKills=N for more)");
        Random rnd = new Random(seed);
        List<long[]> runs = new ArrayList<>();
        for (int k = 0; k < KILLS; k++) {
            long start = k * RANGE;
            Path log = home.resolve("app-" + k + ".log");
            Process p = ChildJvm.start(log, e -> true, "app", home.toString(), Long.toString(start));
            int kill = k;
            Await.until(() -> {
                assertThat(p.isAlive()).as("app %d running (seed %d): %s", kill, seed, Files.readString(log)).isTrue();
                return lastAck(log) >= start + 100;
            }, Duration.ofSeconds(120), () -> "app " + kill + " acknowledged calls");
            Thread.sleep(rnd.nextInt(1500)); // the kill lands at a random moment: that is the test
            p.destroyForcibly();
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            long acked = lastAck(log);
            assertThat(Files.readString(log)).as("app %d output (seed %d)", k, seed).doesNotContain("append failed");
            runs.add(new long[] {start, acked});
        }
        long acknowledged = compactAndCheck(home, runs, seed);
        System.out.println(KILLS + " kills, " + acknowledged + " acknowledged calls, all compacted exactly once");
    }

    /**
     * An app JVM logging numbered calls from two threads (no background compaction) and a separate compactor
     * JVM following the same home ({@code Compactor.follow()}, as {@code promptlog compact --follow} runs it),
     * both SIGKILLed at the same random moment, then both restarted on what they left, again and again.
     */
    @Test
    void shouldKeepEveryAcknowledgedCallExactlyOnceWhenWriterAndCompactorProcessesAreKilledTogether(@TempDir Path home)
            throws Exception {
        long seed = Long.getLong("promptlog.test.seed", System.nanoTime());
        System.out.println("writer and compactor killed together: " + PAIR_KILLS + " kills (-Dpromptlog.test.pairKills=N for more), seed "
                + seed + " (rerun with -Dpromptlog.test.seed=" + seed + ")");
        Random rnd = new Random(seed);
        List<long[]> runs = new ArrayList<>();
        Path compactorLog = home.resolve("compactor.log");
        for (int k = 0; k < PAIR_KILLS; k++) {
            long start = k * RANGE;
            Path log = home.resolve("writer-" + k + ".log");
            Process writer = ChildJvm.start(log, e -> true, "writer", home.toString(), Long.toString(start));
            Process compactor = ChildJvm.start(compactorLog, e -> true, "follow", home.toString());
            try {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
                while (lastAck(log) < start + 100) {
                    assertThat(writer.isAlive()).as("writer %d running (seed %d): %s", k, seed, Files.readString(log)).isTrue();
                    assertThat(System.nanoTime()).as("writer %d acknowledged calls within 120 s (seed %d)", k, seed).isLessThan(deadline);
                    java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20)); // polling the condition
                }
                assertThat(compactor.isAlive()).as("compactor %d running (seed %d): %s", k, seed, Files.readString(compactorLog)).isTrue();
                Thread.sleep(rnd.nextInt(1500)); // the kill lands at a random moment: that is the test
            } finally {
                // the same moment for both: two SIGKILLs back to back
                writer.destroyForcibly();
                compactor.destroyForcibly();
                assertThat(writer.waitFor(30, TimeUnit.SECONDS)).isTrue();
                assertThat(compactor.waitFor(30, TimeUnit.SECONDS)).isTrue();
            }
            assertThat(Files.readString(log)).as("writer %d output (seed %d)", k, seed).doesNotContain("append failed");
            runs.add(new long[] {start, lastAck(log)});
        }
        assertThat(Files.readString(compactorLog)).as("compactor output (seed %d)", seed).doesNotContain("Exception");
        long acknowledged = compactAndCheck(home, runs, seed);
        System.out.println(PAIR_KILLS + " kills of writer and compactor together, " + acknowledged
                + " acknowledged calls, all compacted exactly once");
    }

    /** One clean pass, then: no call_id twice, and every acknowledged seq of each run {start, acked} is there. */
    private static long compactAndCheck(Path home, List<long[]> runs, long seed) throws Exception {
        try (Compactor c = Compactor.open(CompactorConfig.builder(home).build())) {
            c.runOnce();
            assertThat(c.stats().errors()).as("%s (seed %d)", c.stats().lastError(), seed).isZero();
        }
        long acknowledged = 0;
        try (DuckDataset d = new DuckDataset(home.resolve("data"))) {
            assertThat(d.count("SELECT count(*) - count(DISTINCT call_id) FROM calls")).as("duplicates (seed %d)", seed)
                    .isZero();
            for (long[] r : runs) {
                long present = d.count("SELECT count(DISTINCT attributes['seq']) FROM calls WHERE attributes['seq']::BIGINT >= "
                        + r[0] + " AND attributes['seq']::BIGINT < " + r[1]);
                assertThat(present).as("acknowledged calls of the run from %d (seed %d)", r[0], seed).isEqualTo(r[1] - r[0]);
                acknowledged += r[1] - r[0];
            }
        }
        return acknowledged;
    }
}
