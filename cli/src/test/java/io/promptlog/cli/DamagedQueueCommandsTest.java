package io.promptlog.cli;

import io.promptlog.reader.TestHomes;
import io.promptlog.writer.PromptLogHome;
import io.promptlog.writer.ShardCursor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * query, stats, tail and compact all read past a damaged stretch of the queue and name it on stderr; and a
 * cycle file a killed writer left without a header neither stalls them nor hides anything, and once a writer's
 * open has moved it aside they name it.
 */
@Timeout(240)
class DamagedQueueCommandsTest {

    @Test
    void shouldNameTheDamagedStretchInQueryStatsTailAndCompactAndShowEverythingElse(@TempDir Path tmp) throws Exception {
        long seed = Long.getLong("promptlog.test.seed", System.nanoTime());
        System.out.println("seed " + seed + " (rerun with -Dpromptlog.test.seed=" + seed + ")");
        Path home = tmp.resolve("home");
        TestHomes.generate(home, 300, 0, 5);
        Path shard = PromptLogHome.shardDir(home, 0);
        long at = -1;
        int records = 0;
        try (ShardCursor c = ShardCursor.open(shard)) {
            while (c.next()) {
                if (++records == 150) {
                    at = c.position() + c.length() / 2;
                }
            }
        }
        assertThat(records).as("all calls in shard 0").isEqualTo(300);
        Path cycle;
        try (Stream<Path> s = Files.list(shard)) {
            cycle = s.filter(p -> p.toString().endsWith(".cq4")).findFirst().orElseThrow();
        }
        byte[] junk = new byte[4096];
        new Random(seed).nextBytes(junk);
        try (RandomAccessFile f = new RandomAccessFile(cycle.toFile(), "rw")) {
            f.seek(at);
            f.write(junk);
        }
        String dir = home.toString();
        String named = cycle.getFileName().toString();

        Cli.Result q = Cli.run("query", "--dir", dir, "--format", "csv", "SELECT count(*) FROM calls");
        assertThat(q.code()).as(q.toString()).isZero();
        long shown = Long.parseLong(q.out().split("\r\n")[1]);
        assertThat(shown).as("seed %d: calls shown around a 4 KB stretch", seed).isBetween(294L, 299L);
        assertThat(q.err()).as(q.toString()).contains("damaged queue stretch").contains(named).contains(" bytes ");

        Cli.Result st = Cli.run("stats", "--dir", dir);
        assertThat(st.code()).as(st.toString()).isZero();
        assertThat(st.err()).contains("damaged queue stretch").contains(named);

        Cli.Result t = Cli.run("tail", "--dir", dir, "-n", "2");
        assertThat(t.code()).as(t.toString()).isZero();
        assertThat(t.out().lines().count()).isEqualTo(2);
        assertThat(t.err()).contains("damaged queue stretch").contains(named);

        Cli.Result c = Cli.run("compact", "--dir", dir, "--retain", "all");
        assertThat(c.code()).as(c.toString()).isZero();
        assertThat(c.err()).contains("skipped 1 damaged queue stretch").contains(named);
        Cli.Result after = Cli.run("query", "--dir", dir, "--format", "csv", "SELECT count(*), count(DISTINCT call_id) FROM calls");
        assertThat(after.out().split("\r\n")[1]).isEqualTo(shown + "," + shown);
    }

    @Test
    void shouldNeitherWaitOnNorHideAnythingBehindACycleFileLeftWithoutAHeaderAndNameItOnceMovedAside(@TempDir Path tmp) throws Exception {
        Path home = tmp.resolve("home");
        TestHomes.generate(home, 100, 0, 5);
        String dir = home.toString();
        long baseline = queryAndTailMillis(dir, 100);
        Path shard = PromptLogHome.shardDir(home, 0);
        Path cycle;
        try (Stream<Path> s = Files.list(shard)) {
            cycle = s.filter(p -> p.toString().endsWith(".cq4")).sorted().reduce((a, b) -> b).orElseThrow();
        }
        // the next hour's cycle file as a writer killed while Chronicle created it leaves it: 80 MiB of zeros, no header
        java.time.format.DateTimeFormatter hourly = java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd-HH");
        String next = java.time.LocalDateTime.parse(cycle.getFileName().toString().substring(0, 11), hourly).plusHours(1)
                .format(hourly) + "F.cq4";
        Path headerless = shard.resolve(next);
        try (RandomAccessFile f = new RandomAccessFile(headerless.toFile(), "rw")) {
            f.setLength(Files.size(cycle));
        }
        try (var q = PromptLogHome.openShard(shard, io.promptlog.writer.RollPeriod.HOURLY,
                io.promptlog.writer.PromptLogConfig.DEFAULT_MAX_RECORD_BYTES, false)) {
            q.refreshDirectoryListing(); // as any writable open does: readers now look at that cycle
        }
        long millis = queryAndTailMillis(dir, 100);
        // each look at that cycle cost Chronicle's 10-12 s wait (and each command looks at least once) before
        // readers took it as not there yet; the margin over the same commands without it absorbs the load
        assertThat(millis).as("query and tail took %d ms, %d ms without the header-less file", millis, baseline)
                .isLessThan(baseline + 10_000);

        TestHomes.append(home, io.promptlog.writer.LlmCall.builder().requestModel("after-the-kill").build());
        assertThat(PromptLogHome.discardedCycleFiles(shard)).as("moved aside by the writer's open").hasSize(1);
        Cli.Result st = Cli.run("stats", "--dir", dir);
        assertThat(st.code()).as(st.toString()).isZero();
        assertThat(st.err()).as(st.toString()).contains("without a header").contains(next + "-").contains(".discard");
        Cli.Result all = Cli.run("query", "--dir", dir, "--format", "csv", "SELECT count(*) FROM calls");
        assertThat(all.out().split("\r\n")[1]).isEqualTo("101");
    }

    /** Runs query (which must count {@code calls}) and tail; returns how long the two took. */
    private static long queryAndTailMillis(String dir, int calls) {
        long t0 = System.nanoTime();
        Cli.Result q = Cli.run("query", "--dir", dir, "--format", "csv", "SELECT count(*) FROM calls");
        Cli.Result t = Cli.run("tail", "--dir", dir, "-n", "2");
        long millis = (System.nanoTime() - t0) / 1_000_000;
        assertThat(q.code()).as(q.toString()).isZero();
        assertThat(q.out().split("\r\n")[1]).isEqualTo(String.valueOf(calls));
        assertThat(t.out().lines().count()).as(t.toString()).isEqualTo(2);
        return millis;
    }
}
