package io.promptlog.compactor;

import io.promptlog.testsupport.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Soak: a writer appending at a steady paced rate with the compactor following it, for minutes, on a clock
 * that runs {@value #SPEED} times faster than the wall clock (a queue cycle file every 6 s per shard, a UTC day
 * every 144 s), in the default deployment (one JVM: {@code PromptLog} and {@code Compactor.startBackground()})
 * and with the compactor in its own process. The children sample themselves every few seconds (heap used after
 * a full GC, RSS, open file descriptors, mapped regions of queue files, threads, cycle files and calls files on
 * disk); the test asserts no upward trend between the first and the last third of the run, old cycle files
 * deleted, closed days merged, and every acknowledged call in the dataset exactly once.
 *
 * <p>CI runs {@value #CI_SECONDS} s (in-process) and {@value #CI_SPLIT_SECONDS} s (two processes) at
 * {@value #CI_RATE} calls/s; the long run sets {@code -Dpromptlog.test.soakSeconds=1500} (both variants run that
 * long) and optionally {@code -Dpromptlog.test.soakRate=N}.
 */
class SoakTest {
    private static final int CI_SECONDS = 60;
    private static final int CI_SPLIT_SECONDS = 40;
    private static final int CI_RATE = 400;
    private static final long SPEED = 600;
    private static final long MIB = 1024 * 1024;
    private static final Integer SECONDS = Integer.getInteger("promptlog.test.soakSeconds");
    private static final int RATE = Integer.getInteger("promptlog.test.soakRate", CI_RATE);

    /** One {@code sample} line of a child: its numeric fields by name. */
    private record Sample(Map<String, Long> v) {
        long get(String k) {
            Long x = v.get(k);
            if (x == null) {
                throw new AssertionError("no " + k + " in sample " + v);
            }
            return x;
        }
    }

    private static Map<String, Long> fields(String line) {
        Map<String, Long> m = new HashMap<>();
        for (String kv : line.trim().split("\\s+")) {
            int eq = kv.indexOf('=');
            if (eq > 0) {
                try {
                    m.put(kv.substring(0, eq), Long.parseLong(kv.substring(eq + 1)));
                } catch (NumberFormatException e) {
                    // not a number (lastError=...): not a sampled figure
                }
            }
        }
        return m;
    }

    private static List<Sample> samples(Path log) throws Exception {
        List<Sample> out = new ArrayList<>();
        for (String l : Files.readAllLines(log)) {
            if (l.startsWith("sample ")) {
                out.add(new Sample(fields(l)));
            }
        }
        return out;
    }

    private static String lineStarting(Path log, String prefix) throws Exception {
        for (String l : Files.readAllLines(log)) {
            if (l.startsWith(prefix)) {
                return l;
            }
        }
        throw new AssertionError("no '" + prefix + "' line in " + log + ":\n" + Files.readString(log));
    }

    private static long median(List<Sample> s, String k) {
        long[] v = s.stream().mapToLong(x -> x.get(k)).filter(x -> x >= 0).sorted().toArray();
        return v.length == 0 ? -1 : v[v.length / 2];
    }

    private static long max(List<Sample> s, String k) {
        return s.stream().mapToLong(x -> x.get(k)).max().orElse(-1);
    }

    /**
     * The fast clock starts at 22:00 UTC on tomorrow's date, so the first day closes after two fast hours, and it
     * never runs behind the wall clock: queue retention compares cycle files' real modification times with the
     * compactor's clock. Nothing asserted depends on the date.
     */
    private static long baseMillis() {
        return LocalDate.now(ZoneOffset.UTC).plusDays(1).atTime(22, 0).toInstant(ZoneOffset.UTC).toEpochMilli();
    }

    private static String[] args(String mode, Path home, long base, long wallStart, int seconds) {
        long sampleMillis = Math.max(2000, seconds * 1000L / 150);
        return new String[] {mode, home.toString(), Long.toString(base), Long.toString(wallStart), Long.toString(SPEED),
                Integer.toString(RATE), Long.toString(sampleMillis)};
    }

    /** Waits until {@code p} has sampled {@code seconds} of running, then closes its stdin and waits for its end. */
    private static void runFor(Process p, Path log, int seconds) throws Exception {
        Await.until(() -> {
            assertThat(p.isAlive()).as("child running: %s", Files.readString(log)).isTrue();
            List<Sample> s = samples(log);
            return !s.isEmpty() && s.get(s.size() - 1).get("t") >= seconds * 1000L;
        }, Duration.ofSeconds(seconds + 180L), "the child ran " + seconds + " s");
    }

    private static void stop(Process p, Path log) throws Exception {
        p.getOutputStream().close();
        assertThat(p.waitFor(300, TimeUnit.SECONDS)).as("child stopped: %s", log).isTrue();
        assertThat(p.exitValue()).as("child exit: %s", Files.readString(log)).isZero();
    }

    @Test
    void shouldStayFlatDeleteOldCyclesAndKeepEveryCallOnceWithTheCompactorInTheApp(@TempDir Path home) throws Exception {
        int seconds = SECONDS != null ? SECONDS : CI_SECONDS;
        System.out.println("soak, compactor in the app: " + seconds + " s at " + RATE + " calls/s, clock x" + SPEED
                + " (-Dpromptlog.test.soakSeconds=N for the long run)");
        assertTimeoutPreemptively(Duration.ofSeconds(seconds + 600L), () -> {
            long base = baseMillis();
            long wallStart = System.currentTimeMillis();
            Path log = home.resolve("app.log");
            Process p = ChildJvm.startMain(log, SoakChild.class, args("app", home, base, wallStart, seconds));
            try {
                runFor(p, log, seconds);
                stop(p, log);
            } finally {
                p.destroyForcibly();
            }
            List<Sample> s = samples(log);
            report("app", s);
            assertFlat("app", s, log);
            assertQueueFilesDeleted(s, log);
            String done = lineStarting(log, "done ");
            assertThat(done).contains("failed=0");
            assertThat(lineStarting(log, "compactor ")).as("compactor of the app").contains("errors=0 ");
            assertEveryCallOnce(home, fields(done), base, wallStart, log);
        });
    }

    @Test
    void shouldStayFlatDeleteOldCyclesAndKeepEveryCallOnceWithTheCompactorInItsOwnProcess(@TempDir Path home)
            throws Exception {
        int seconds = SECONDS != null ? SECONDS : CI_SPLIT_SECONDS;
        System.out.println("soak, compactor in its own process: " + seconds + " s at " + RATE + " calls/s, clock x"
                + SPEED + " (-Dpromptlog.test.soakSeconds=N for the long run)");
        assertTimeoutPreemptively(Duration.ofSeconds(seconds + 600L), () -> {
            long base = baseMillis();
            long wallStart = System.currentTimeMillis();
            Path wlog = home.resolve("writer.log");
            Path clog = home.resolve("compactor.log");
            Process w = ChildJvm.startMain(wlog, SoakChild.class, args("writer", home, base, wallStart, seconds));
            Process c = ChildJvm.startMain(clog, SoakChild.class, args("compactor", home, base, wallStart, seconds));
            try {
                runFor(w, wlog, seconds);
                stop(w, wlog);
                stop(c, clog); // its close compacts what the writer left
            } finally {
                w.destroyForcibly();
                c.destroyForcibly();
            }
            List<Sample> ws = samples(wlog);
            List<Sample> cs = samples(clog);
            report("writer", ws);
            report("compactor", cs);
            assertFlat("writer", ws, wlog);
            assertFlat("compactor", cs, clog);
            assertQueueFilesDeleted(cs, clog);
            String done = lineStarting(wlog, "done ");
            assertThat(done).contains("failed=0");
            assertThat(lineStarting(clog, "compactor ")).contains("errors=0 ");
            assertEveryCallOnce(home, fields(done), base, wallStart, wlog);
        });
    }

    private static void report(String who, List<Sample> s) {
        if (s.isEmpty()) {
            return;
        }
        int third = Math.max(1, s.size() / 3);
        List<Sample> first = s.subList(0, third);
        List<Sample> last = s.subList(s.size() - third, s.size());
        StringBuilder b = new StringBuilder(who + ": " + s.size() + " samples; first third -> last third medians:");
        for (String k : List.of("heapAfterGcKiB", "rssKiB", "fds", "queueMaps", "threads", "cycleFiles", "callsFiles")) {
            b.append(' ').append(k).append(' ').append(median(first, k)).append("->").append(median(last, k));
        }
        Sample end = s.get(s.size() - 1);
        b.append("; at the end: ").append(end.v());
        System.out.println(b);
    }

    /**
     * No upward trend from the first third of the samples to the last (medians, so one sample taken in the middle
     * of a roll or a batch does not decide). The tolerances: heap after a full GC may grow by a quarter plus
     * 16 MiB (the compactor's call_id index keeps 16-32 bytes per call of the 4 most recent days, about 2 MiB per
     * fast day at 400 calls/s, and a batch in progress holds up to a few MiB); RSS by a quarter plus 96 MiB (it
     * counts the queue pages mapped ahead of the writers, up to 32 MiB a shard, and the page cache of the file
     * being read); descriptors, mapped queue regions and threads by a few (a roll maps the new cycle file before
     * the old one is released). A leak of one descriptor or mapping per cycle file exceeds these after 10 cycles.
     */
    private static void assertFlat(String who, List<Sample> s, Path log) throws Exception {
        assertThat(s.size()).as("%s samples", who).isGreaterThanOrEqualTo(9);
        int third = s.size() / 3;
        List<Sample> first = s.subList(0, third);
        List<Sample> last = s.subList(s.size() - third, s.size());
        String ctx = who + " (" + log + ")";
        assertThat(median(last, "heapAfterGcKiB")).as("%s heap after GC, KiB", ctx)
                .isLessThanOrEqualTo(median(first, "heapAfterGcKiB") * 5 / 4 + 16 * 1024);
        assertThat(median(last, "rssKiB")).as("%s RSS, KiB", ctx)
                .isLessThanOrEqualTo(median(first, "rssKiB") * 5 / 4 + 96 * 1024);
        assertThat(median(last, "fds")).as("%s open file descriptors", ctx).isLessThanOrEqualTo(median(first, "fds") + 4);
        assertThat(median(last, "queueMaps")).as("%s mapped regions of queue files", ctx)
                .isLessThanOrEqualTo(median(first, "queueMaps") + 4);
        assertThat(median(last, "threads")).as("%s threads", ctx).isLessThanOrEqualTo(median(first, "threads") + 2);
    }

    /** Cycle files roll every 6 s per shard; the compactor deletes them, so at most a few per shard remain. */
    private static void assertQueueFilesDeleted(List<Sample> compactorSamples, Path log) throws Exception {
        Sample end = compactorSamples.get(compactorSamples.size() - 1);
        int third = compactorSamples.size() / 3;
        List<Sample> last = compactorSamples.subList(compactorSamples.size() - third, compactorSamples.size());
        assertThat(end.get("cyclesSeen")).as("cycle files seen (%s)", log).isGreaterThanOrEqualTo(8);
        assertThat(max(last, "cycleFiles")).as("cycle files on disk in the last third (%s)", log).isLessThanOrEqualTo(8);
        String closing = lineStarting(log, "compactor ");
        long deleted = fields(closing).get("queueFilesDeleted");
        assertThat(deleted).as("queue files deleted (%s)", closing).isGreaterThanOrEqualTo(end.get("cyclesSeen") - 8);
    }

    private static void assertEveryCallOnce(Path home, Map<String, Long> done, long base, long wallStart, Path log)
            throws Exception {
        long acked0 = done.get("acked0");
        long acked1 = done.get("acked1");
        long total = acked0 + acked1;
        assertThat(total).as("calls acknowledged").isGreaterThan(0);
        try (DuckDataset d = new DuckDataset(home.resolve("data"))) {
            assertThat(d.count("SELECT count(*) FROM calls")).as("calls stored (%s)", log).isEqualTo(total);
            assertThat(d.count("SELECT count(DISTINCT call_id) FROM calls")).as("distinct call_ids").isEqualTo(total);
            assertThat(d.count("SELECT count(DISTINCT attributes['seq']) FROM calls WHERE "
                    + "(attributes['seq']::BIGINT % 2 = 0 AND attributes['seq']::BIGINT / 2 < " + acked0 + ") OR "
                    + "(attributes['seq']::BIGINT % 2 = 1 AND attributes['seq']::BIGINT / 2 < " + acked1 + ")"))
                    .as("every acknowledged seq").isEqualTo(total);
        }
        // closed days are merged: a day closes an hour (the merge grace) after it ends
        Map<String, Long> filesPerDay = new TreeMap<>();
        try (Stream<Path> s = Files.walk(home.resolve("data").resolve("calls"))) {
            s.filter(p -> p.toString().endsWith(".parquet"))
                    .forEach(p -> filesPerDay.merge(p.getParent().getFileName().toString(), 1L, Long::sum));
        }
        System.out.println("calls files per day at the end: " + filesPerDay + "; " + total + " calls, each once");
        long endMillis = base + (System.currentTimeMillis() - wallStart) * SPEED;
        LocalDate closedBefore = LocalDate.ofEpochDay(Math.floorDiv(endMillis - 3 * 3_600_000L, 86_400_000L));
        filesPerDay.forEach((day, files) -> {
            if (LocalDate.parse(day.substring(day.indexOf('=') + 1)).isBefore(closedBefore)) {
                assertThat(files).as("calls files of %s, closed for more than 2 fast hours", day).isLessThanOrEqualTo(2);
            }
        });
    }
}
