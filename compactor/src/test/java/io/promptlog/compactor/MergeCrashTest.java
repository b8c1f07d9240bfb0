package io.promptlog.compactor;

import java.time.Duration;
import io.promptlog.testsupport.Await;
import io.promptlog.format.CallsFileListing;
import io.promptlog.format.DatasetLayout;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static io.promptlog.compactor.MergeFixture.rows;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A merge killed with SIGKILL (a child JVM) at each step of its commit and at random moments: the reader's
 * listing shows every call exactly once in the state the kill left, and after recovery too; nothing is lost
 * or doubled, no journal or temp file is left. {@code -Dpromptlog.test.mergeKills=N} runs N random kills
 * (default 4).
 */
@Timeout(600)
class MergeCrashTest {
    static final int KILLS = Integer.getInteger("promptlog.test.mergeKills", 4);
    /** Small merged files, so a day is written in several parts and a kill can land between them. */
    static final long FILE_BYTES = 64 * 1024;

    @TempDir
    static Path base;
    static Map<String, String> expected;

    @BeforeAll
    static void dataset() throws Exception {
        MergeFixture.logAndCompact(base, 0, 1500);
        expected = rows(base.resolve("data"));
        assertThat(expected).hasSize(1500);
    }

    @Test
    void shouldLoseAndDoubleNothingWhenKilledAtEachStepOfAMerge(@TempDir Path tmp) throws Exception {
        String[] steps = {"journal ", "wrote ", "renamed merged_", "committed the merge", "deleted "};
        for (String step : steps) {
            Path home = tmp.resolve("at-" + step.trim().replace(' ', '-'));
            copy(base, home);
            Path log = tmp.resolve(home.getFileName() + ".log");
            Process p = ChildJvm.start(log, e -> true, "merge", home.toString(), step, Long.toString(FILE_BYTES));
            awaitLine(p, log, "stopped", 0);
            p.destroyForcibly();
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            Path data = home.resolve("data");
            assertThat(CallsFileListing.journals(data)).as("killed at '%s': a journal is left", step).hasSize(1);
            assertThat(rows(data)).as("reader's view right after a kill at '%s'", step).isEqualTo(expected);
            recoverAndCheck(home, "killed at '" + step + "'");
        }
    }

    @Test
    void shouldLoseAndDoubleNothingWhenKilledAtRandomMoments(@TempDir Path tmp) throws Exception {
        long seed = Long.getLong("promptlog.test.seed", System.nanoTime());
        Random rnd = new Random(seed);
        System.out.println("MergeCrashTest seed " + seed + ", kills " + KILLS + " (-Dpromptlog.test.mergeKills=N for more)");
        Path home = tmp.resolve("random");
        copy(base, home);
        Path data = home.resolve("data");
        Path log = tmp.resolve("random.log");
        for (int k = 0; k < KILLS; k++) {
            long ready = countOf(log, "ready");
            Process p = ChildJvm.start(log, e -> true, "merge", home.toString(), "-", Long.toString(FILE_BYTES));
            awaitLine(p, log, "ready", ready);
            Thread.sleep(rnd.nextInt(400)); // a random moment of the merge, not synchronisation
            p.destroyForcibly();
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(rows(data)).as("reader's view after kill %d (seed %d)", k, seed).isEqualTo(expected);
            if (rnd.nextBoolean()) {
                // half the time a fresh dataset, so kills keep landing in a first merge
                copy(base, home);
            }
        }
        recoverAndCheck(home, "seed " + seed);
        assertThat(Files.readString(log)).as("child output (seed %d)", seed).doesNotContain("Exception");
    }

    /** Recovery (a compactor's start), then a complete merge: the same rows throughout, nothing left over. */
    private static void recoverAndCheck(Path home, String what) throws Exception {
        Path data = home.resolve("data");
        try (Compactor c = Compactor.open(MergeFixture.config(home).mergeFileBytes(FILE_BYTES).build())) {
            assertThat(CallsFileListing.journals(data)).as("%s: recovered at start", what).isEmpty();
            assertThat(rows(data)).as("%s: after recovery", what).isEqualTo(expected);
            try (DuckDataset d = new DuckDataset(data)) {
                assertThat(d.count("SELECT count(*) FROM calls")).as("%s: plain glob after recovery", what).isEqualTo(1500);
            }
            MergeResult r = c.mergeClosedDays();
            assertThat(c.stats().errors()).as("%s: %s", what, c.stats().lastError()).isZero();
            assertThat(r.lockBusy()).isFalse();
        }
        assertThat(rows(data)).as("%s: after the merge is done", what).isEqualTo(expected);
        assertThat(MergeFixture.filesOf(data, "2026-11-20")).allMatch(f -> DatasetLayout.isMerged(f.getFileName().toString()));
        try (Stream<Path> s = Files.walk(data)) {
            assertThat(s.map(p -> p.getFileName().toString())).as(what).noneMatch(n -> n.endsWith(".tmp") || n.endsWith(".journal"));
        }
        try (DuckDataset d = new DuckDataset(data)) {
            assertThat(d.count("SELECT count(*) FROM calls")).as("%s: plain glob", what).isEqualTo(1500);
            assertThat(d.count("SELECT count(DISTINCT call_id) FROM calls")).isEqualTo(1500);
        }
    }

    /** Waits (polling the child's output, with a deadline) until {@code line} appears more than {@code before} times. */
    private static void awaitLine(Process p, Path log, String line, long before) throws Exception {
        Await.until(() -> {
            assertThat(p.isAlive()).as("child exited before '%s' (see %s)", line, log).isTrue();
            return countOf(log, line) > before;
        }, Duration.ofSeconds(120), () -> "child printed '" + line + "' (see " + log + ")");
    }

    private static long countOf(Path log, String line) throws IOException {
        return Files.exists(log) ? Files.readAllLines(log).stream().filter(l -> l.equals(line)).count() : 0;
    }

    /** Copies a home (replacing {@code to}), keeping the files' modes. */
    static void copy(Path from, Path to) throws IOException {
        if (Files.exists(to)) {
            try (Stream<Path> s = Files.walk(to)) {
                for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }
}
