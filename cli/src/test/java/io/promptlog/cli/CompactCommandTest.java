package io.promptlog.cli;

import java.time.Duration;
import io.promptlog.testsupport.Await;
import io.promptlog.reader.PromptLogReader;
import io.promptlog.reader.TestHomes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(180)
class CompactCommandTest {
    @TempDir
    Path tmp;

    private static long compacted(Path home) {
        if (!Files.isDirectory(home.resolve("data"))) {
            return 0;
        }
        try (PromptLogReader r = PromptLogReader.open(home.resolve("data"))) {
            return ((Number) r.sql("SELECT count(*) FROM calls").scalar()).longValue();
        }
    }

    @Test
    void shouldCompactWithPolicyFlagsAndRejectBadOnes() throws Exception {
        Path home = tmp.resolve("h");
        TestHomes.generate(home, 120, 0, 1);
        assertThat(Cli.run("compact", "--dir", home.toString(), "--retain", "sometimes").code()).isEqualTo(2);
        Cli.Result r = Cli.run("compact", "--dir", home.toString(), "--retain", "none", "--redact", "none");
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.err()).contains("compacted 120 calls");
        try (PromptLogReader reader = PromptLogReader.openHome(home)) {
            assertThat(reader.sql("SELECT count(*) FILTER (WHERE text_retained), count(*) FROM calls").rows().get(0))
                    .containsExactly(0L, 120L);
        }
        Cli.Result none = Cli.run("compact", "--dir", tmp.resolve("nothing").toString());
        assertThat(none.code()).isEqualTo(1);
        assertThat(none.err()).contains("no queue at");
    }

    @Test
    void shouldMergeClosedDaysWithTheMergeFlagAndRejectBadMergeFlags() throws Exception {
        Path home = tmp.resolve("m");
        for (int run = 0; run < 3; run++) {
            TestHomes.generate(home, 100, run * 100L, 1);
            Cli.Result r = Cli.run("compact", "--dir", home.toString());
            assertThat(r.code()).as(r.toString()).isZero();
        }
        List<Path> before = parquetFiles(home.resolve("data/calls"));
        assertThat(before.size()).isGreaterThanOrEqualTo(3);

        assertThat(Cli.run("compact", "--dir", home.toString(), "--merge", "--follow").code()).isEqualTo(2);
        assertThat(Cli.run("compact", "--dir", home.toString(), "--no-merge").code()).isEqualTo(2);
        Cli.Result bad = Cli.run("compact", "--dir", home.toString(), "--merge", "--merge-grace-minutes", "-1");
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).contains("--merge-grace-minutes must be >= 0, was -1");
        assertThat(parquetFiles(home.resolve("data/calls"))).isEqualTo(before);

        Cli.Result r = Cli.run("compact", "--dir", home.toString(), "--merge");
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.err()).contains("committed the merge of").containsPattern("merged \\d+ closed day\\(s\\): " + before.size() + " small files");
        List<Path> after = parquetFiles(home.resolve("data/calls"));
        assertThat(after.size()).isLessThan(before.size());
        try (PromptLogReader reader = PromptLogReader.openHome(home)) {
            assertThat(reader.sql("SELECT count(*), count(DISTINCT call_id) FROM calls").rows().get(0)).containsExactly(300L, 300L);
        }
        assertThat(Cli.run("compact", "--help").out()).contains("--merge", "--no-merge", "--merge-grace-minutes");
    }

    private static List<Path> parquetFiles(Path dir) throws java.io.IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".parquet")).sorted().toList();
        }
    }

    @Test
    void shouldFollowTheQueueUntilInterruptedAndCompactTheRest() throws Exception {
        Path home = tmp.resolve("f");
        TestHomes.generate(home, 50, 0, 2);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8);
        AtomicReference<Integer> code = new AtomicReference<>();
        Thread t = new Thread(() -> code.set(PromptLogCli.run(new String[]{"compact", "--dir", home.toString(), "--follow",
                "--interval-millis", "100"}, ps, ps)));
        t.start();
        Await.until(() -> compacted(home) >= 50, Duration.ofSeconds(90), () -> "50 calls compacted: " + out);
        TestHomes.generate(home, 30, 50, 2);
        Await.until(() -> compacted(home) >= 80, Duration.ofSeconds(90), () -> "80 calls compacted: " + out);
        assertThat(compacted(home)).isEqualTo(80);
        t.interrupt();
        t.join(60_000);
        assertThat(t.isAlive()).isFalse();
        assertThat(code.get()).as(out.toString(StandardCharsets.UTF_8)).isZero();
    }

    @Test
    void shouldNameACorruptFileOnStderrAndStillAnswerFromTheOthers() throws Exception {
        Path home = tmp.resolve("c");
        TestHomes.generate(home, 60, 0, 3);
        TestHomes.compact(home, "all", "none");
        TestHomes.generate(home, 60, 60, 3);
        TestHomes.compact(home, "all", "none");
        List<Path> files;
        try (Stream<Path> s = Files.walk(home.resolve("data").resolve("calls"))) {
            files = s.filter(p -> p.toString().endsWith(".parquet")).sorted().toList();
        }
        assertThat(files).hasSizeGreaterThanOrEqualTo(2);
        Path bad = files.get(0);
        try (RandomAccessFile f = new RandomAccessFile(bad.toFile(), "rw")) {
            long n = f.length();
            byte[] junk = new byte[(int) Math.min(2048, n - 12)];
            java.util.Arrays.fill(junk, (byte) 0x33);
            f.seek(n - 8 - junk.length);
            f.write(junk);
        }
        Cli.Result r = Cli.run("query", "--data", home.resolve("data").toString(), "--format", "csv",
                "SELECT count(*) AS n FROM calls");
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.err()).as(r.toString()).contains("warning: skipped corrupt Parquet file " + bad.toAbsolutePath());
        assertThat(Long.parseLong(r.out().split("\r\n")[1])).isGreaterThan(0).isLessThan(120);
    }

    @Test
    void shouldNameATruncatedFileOnStderrWhenAQueryAnswersWithoutIt() throws Exception {
        Path home = tmp.resolve("t");
        TestHomes.generate(home, 60, 0, 3);
        TestHomes.compact(home, "all", "none");
        TestHomes.generate(home, 60, 60, 3);
        TestHomes.compact(home, "all", "none");
        List<Path> files;
        try (Stream<Path> s = Files.walk(home.resolve("data").resolve("calls"))) {
            files = s.filter(p -> p.toString().endsWith(".parquet")).sorted().toList();
        }
        Path bad = files.get(0);
        try (RandomAccessFile f = new RandomAccessFile(bad.toFile(), "rw")) {
            f.setLength(1000); // no footer, no magic at the end: set aside by the listing, before DuckDB sees it
        }
        for (String[] where : List.of(new String[] {"--dir", home.toString()},
                new String[] {"--data", home.resolve("data").toString()})) {
            Cli.Result r = Cli.run("query", where[0], where[1], "--format", "csv", "SELECT count(*) AS n FROM calls");
            assertThat(r.code()).as(r.toString()).isZero();
            assertThat(r.err()).as(r.toString()).contains("warning: skipped corrupt Parquet file " + bad.toAbsolutePath());
            assertThat(Long.parseLong(r.out().split("\r\n")[1])).isGreaterThan(0).isLessThan(120);
        }
    }
}
