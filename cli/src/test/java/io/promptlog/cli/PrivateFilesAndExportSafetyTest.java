package io.promptlog.cli;

import io.promptlog.reader.TestHomes;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every file promptlog writes (queue, dataset, checkpoint, keys, exports) is 0600 in 0700 directories,
 * whatever the process umask; exports never land inside a home and leave no temp file behind on failure.
 */
@Timeout(180)
class PrivateFilesAndExportSafetyTest {
    @TempDir
    static Path tmp;
    static Path home;

    @BeforeAll
    static void logAndCompact() throws Exception {
        home = tmp.resolve("home");
        TestHomes.generate(home, 60, 0, 9);
        Cli.Result c = Cli.run("compact", "--dir", home.toString());
        assertThat(c.code()).as(c.toString()).isZero();
        TestHomes.generate(home, 5, 60, 9);
    }

    /** Paths under root whose mode is not 0700 (directories) / 0600 (files), with their mode. */
    static List<String> notPrivate(Path root) throws IOException {
        List<String> bad = new ArrayList<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.toList()) {
                String mode = PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
                String want = Files.isDirectory(p) ? "rwx------" : "rw-------";
                if (!mode.equals(want)) {
                    bad.add(root.relativize(p) + " " + mode);
                }
            }
        }
        return bad;
    }

    @Test
    void shouldKeepEveryFileOfTheHomePrivate() throws Exception {
        assertThat(notPrivate(home)).isEmpty();
        try (Stream<Path> s = Files.walk(home)) {
            List<String> names = s.map(p -> home.relativize(p).toString()).toList();
            assertThat(names).anyMatch(n -> n.endsWith(".parquet")).anyMatch(n -> n.endsWith(".checkpoint"))
                    .anyMatch(n -> n.endsWith(".cq4")).anyMatch(n -> n.endsWith("text-hash.key"));
        }
    }

    @Test
    void shouldWriteEveryExportFormat0600InNew0700Directories() throws Exception {
        Path dir = tmp.resolve("exports");
        for (String format : List.of("jsonl", "openai-chat", "parquet")) {
            Path out = dir.resolve("new").resolve("sub").resolve("calls-" + format);
            Cli.Result r = Cli.run("export", "--dir", home.toString(), "--format", format, "--out", out.toString());
            assertThat(r.code()).as(r.toString()).isZero();
        }
        assertThat(notPrivate(dir.resolve("new"))).isEmpty();
        try (Stream<Path> s = Files.list(dir.resolve("new").resolve("sub"))) {
            assertThat(s.map(p -> p.getFileName().toString()).sorted().toList())
                    .containsExactly("calls-jsonl", "calls-openai-chat", "calls-parquet");
        }
    }

    @Test
    void shouldRefuseToExportInsideTheHomeOrTheDatasetAndChangeNothing() throws Exception {
        Path calls = home.resolve("data").resolve("calls");
        Path someCallsFile;
        try (Stream<Path> s = Files.walk(calls)) {
            someCallsFile = s.filter(p -> p.toString().endsWith(".parquet")).findFirst().orElseThrow();
        }
        long size = Files.size(someCallsFile);
        Path link = Files.createSymbolicLink(tmp.resolve("link-into-home"), home.resolve("data"));
        for (Path out : List.of(someCallsFile, home.resolve("export.jsonl"), link.resolve("x.jsonl"))) {
            Cli.Result r = Cli.run("export", "--dir", home.toString(), "--format", "parquet", "--out", out.toString());
            assertThat(r.code()).as(r.toString()).isNotZero();
            assertThat(r.err()).contains("refusing to export").contains("inside the promptlog home");
        }
        Cli.Result bare = Cli.run("export", "--data", home.resolve("data").toString(), "--format", "jsonl", "--out",
                calls.resolve("x.jsonl").toString());
        assertThat(bare.err()).contains("inside the dataset directory");
        assertThat(Files.size(someCallsFile)).isEqualTo(size);
        assertThat(home.resolve("export.jsonl")).doesNotExist();
        assertThat(Cli.run("query", "--dir", home.toString(), "SELECT count(*) AS n FROM calls").out()).contains("65");
    }

    @Test
    void shouldLeaveNoTempFileWhenAnExportFails() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("failing"));
        Path out = Files.createDirectories(dir.resolve("out.jsonl")); // a non-empty directory cannot be replaced
        Files.writeString(out.resolve("keep"), "x");
        for (String format : List.of("jsonl", "parquet")) {
            Cli.Result r = Cli.run("export", "--dir", home.toString(), "--format", format, "--out", out.toString());
            assertThat(r.code()).as(r.toString()).isNotZero();
        }
        try (Stream<Path> s = Files.walk(dir)) {
            assertThat(s.map(p -> dir.relativize(p).toString()).toList()).containsExactlyInAnyOrder("", "out.jsonl", "out.jsonl/keep");
        }
    }

    @Test
    void shouldExplainTheRefusalWhenTheQueryCommandTriesToReadAnyFile() {
        Cli.Result r = Cli.run("query", "--dir", home.toString(), "SELECT * FROM read_text('/etc/shadow')");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("reads only the dataset").contains("--unrestricted-sql").doesNotContain("root:");
        Cli.Result copy = Cli.run("query", "--dir", home.toString(), "COPY (SELECT 1) TO '" + tmp.resolve("c.csv") + "'");
        assertThat(copy.code()).isEqualTo(1);
        assertThat(copy.err()).contains("read-only");
        assertThat(tmp.resolve("c.csv")).doesNotExist();
        Cli.Result open = Cli.run("query", "--dir", home.toString(), "--unrestricted-sql",
                "COPY (SELECT 1 AS one) TO '" + tmp.resolve("c.csv") + "'");
        assertThat(open.code()).as(open.toString()).isZero();
        assertThat(tmp.resolve("c.csv")).exists();
    }
}
