package io.promptlog.compactor;

import io.promptlog.compactor.internal.CrashPoints;
import io.promptlog.synthetic.SyntheticCalls;
import io.promptlog.writer.AppendStatus;
import io.promptlog.writer.PromptLog;
import io.promptlog.writer.PromptLogConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Kill -9 of the compactor at each step of a commit, not only at random moments: a child compactor JVM
 * started with {@code -Dpromptlog.test.crashAt=<step>:<n>} stops at the n-th time it reaches that step
 * ({@link CrashPoints}: temp written, temp fsynced, renamed — between the renames of one batch when the
 * batch spans several dates —, batch renamed, checkpoint temp written, checkpointed) and the test SIGKILLs
 * it there; some children are killed at a random moment instead. New calls are appended between children
 * (a batch of 150 calls spans about 6 dates, new system prompts keep appearing). After every kill the
 * dataset holds no call twice; at the end, after one clean pass, every call is there exactly once and no
 * temp file is left.
 */
@Timeout(600)
class CompactorCrashPointsTest {
    /** Rounds of every step once plus one random kill: 1 in CI; the torture run sets e.g. 15 (105 kills). */
    private static final int ROUNDS = Integer.getInteger("promptlog.test.crashPointRounds", 1);
    private static final int CALLS_PER_CHILD = 400;

    @TempDir
    Path home;

    @Test
    void shouldStoreEveryCallExactlyOnceWhenTheCompactorIsKilledAtEachStepOfACommit() throws Exception {
        long seed = Long.getLong("promptlog.test.seed", System.nanoTime());
        try {
            run(seed);
        } catch (Throwable e) {
            throw new AssertionError("failed with seed " + seed + " (rerun with -Dpromptlog.test.seed=" + seed + "): "
                    + e.getMessage(), e);
        }
    }

    private static boolean hasParquetFile(Path dir) throws java.io.IOException {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (java.util.stream.Stream<Path> files = Files.walk(dir)) {
            return files.anyMatch(f -> f.getFileName().toString().endsWith(".parquet"));
        }
    }

    private void run(long seed) throws Exception {
        Random rnd = new Random(seed);
        List<String> plan = new ArrayList<>();
        for (int r = 0; r < ROUNDS; r++) {
            List<String> round = new ArrayList<>(CrashPoints.ALL);
            round.add("random");
            Collections.shuffle(round, rnd);
            plan.addAll(round);
        }
        System.out.println("compactor kills at commit steps: " + plan.size() + " kills in " + ROUNDS
                + " rounds (-Dpromptlog.test.crashPointRounds=N for more), seed " + seed);
        // one call an hour: a batch of 150 calls is written as one calls file per date, renamed one by one
        SyntheticCalls gen = new SyntheticCalls(seed, 200, 100, 600, 1_764_547_200_000_000L, TimeUnit.HOURS.toMicros(1));
        long seq = 0;
        int stopped = 0;
        try (PromptLog log = PromptLog.open(PromptLogConfig.builder(home).shardCount(2).backgroundCompaction(false).build())) {
            for (int k = 0; k < plan.size(); k++) {
                for (int i = 0; i < CALLS_PER_CHILD; i++, seq++) {
                    int s = log.append(gen.call(seq));
                    assertThat(AppendStatus.isAppended(s)).as("append %d: %s", seq, AppendStatus.describe(s)).isTrue();
                }
                String step = plan.get(k);
                Path out = home.resolve("child-" + k + ".log");
                List<String> jvmArgs = step.equals("random") ? List.of()
                        : List.of("-D" + CrashPoints.PROPERTY + "=" + step + ":" + (1 + rnd.nextInt(3)));
                Process p = ChildJvm.start(out, jvmArgs, "follow", home.toString());
                try {
                    if (step.equals("random")) {
                        Thread.sleep(rnd.nextInt(3000)); // a random moment to kill at, not a wait for anything
                    } else {
                        String line = awaitLine(out, p, "crash-point " + step, 120);
                        assertThat(line).as("child %d reached %s: %s", k, jvmArgs, Files.readString(out)).isNotNull();
                        stopped++;
                    }
                } finally {
                    p.destroyForcibly();
                    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
                }
                assertThat(Files.readString(out)).as("child %d output", k).doesNotContain("Exception");
                if (hasParquetFile(home.resolve("data/calls"))) { // a kill before the first rename leaves only temp files
                    try (DuckDataset d = new DuckDataset(home.resolve("data"))) {
                        assertThat(d.count("SELECT count(*) - count(DISTINCT call_id) FROM calls"))
                                .as("calls twice in the dataset after the kill at %s", step).isZero();
                    }
                }
            }
        }
        try (Compactor c = Compactor.open(CompactorConfig.builder(home).hostName("crash-host").build())) {
            c.runOnce();
            assertThat(c.stats().errors()).as("errors: %s", c.stats().lastError()).isZero();
        }
        try (DuckDataset d = new DuckDataset(home.resolve("data"))) {
            assertThat(d.count("SELECT count(*) FROM calls")).as("rows").isEqualTo(seq);
            assertThat(d.count("SELECT count(DISTINCT attributes['seq']) FROM calls")).as("distinct seq").isEqualTo(seq);
            assertThat(d.count("SELECT count(DISTINCT date) FROM calls")).as("dates").isGreaterThan(plan.size());
            assertThat(d.count("SELECT count(*) - count(DISTINCT system_prompt_hash) FROM system_prompts"))
                    .as("each system prompt once").isZero();
            assertThat(d.count("SELECT count(*) FROM calls c ANTI JOIN system_prompts s USING (system_prompt_hash)"))
                    .as("every call's prompt is stored").isZero();
        }
        try (Stream<Path> s = Files.walk(home.resolve("data"))) {
            assertThat(s.filter(f -> f.getFileName().toString().endsWith(".tmp")).toList()).as("temp files left").isEmpty();
        }
        System.out.println(plan.size() + " compactor kills (" + stopped + " at a named commit step), " + seq
                + " calls compacted exactly once");
    }

    /** The first line of the child's output starting with prefix, polling with a deadline; null if it never comes. */
    static String awaitLine(Path out, Process p, String prefix, int seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            if (Files.exists(out)) {
                for (String l : Files.readAllLines(out)) {
                    if (l.startsWith(prefix)) {
                        return l;
                    }
                }
            }
            if (!p.isAlive()) {
                return null;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10)); // polling the condition
        }
        return null;
    }
}
