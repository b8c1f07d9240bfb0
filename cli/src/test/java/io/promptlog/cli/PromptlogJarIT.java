package io.promptlog.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The packaged CLI jar and the ./promptlog launcher, run as real processes. */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class PromptlogJarIT {
    @TempDir
    Path tmp;

    record Run(int code, String out, String err) {
    }

    private Run run(List<String> cmd) throws Exception {
        Path out = Files.createTempFile(tmp, "out", ".txt");
        Path err = Files.createTempFile(tmp, "err", ".txt");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(4, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError(cmd + " timed out");
        }
        return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    }

    private Run jar(String... args) throws Exception {
        String jar = System.getProperty("promptlog.jar");
        assertThat(new File(jar)).exists();
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(Arrays.asList(System.getProperty("promptlog.jvmFlags").trim().split("\\s+")));
        cmd.add("-jar");
        cmd.add(jar);
        cmd.addAll(Arrays.asList(args));
        return run(cmd);
    }

    @Test
    void shouldRunTheDemoFromTheJarAndPrintEverySection() throws Exception {
        Path home = tmp.resolve("demo");
        Run r = jar("demo", "--count", "3000", "--dir", home.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("promptlog demo: 3,000 synthetic calls").contains("── what was logged ──")
                .contains("── storage per call ──").contains("raw JSON").contains("Parquet dataset")
                .contains("── top system prompts by calls ──").contains("── latency and tokens per model ──")
                .contains("── promptlog show ").contains("── system prompt (")
                .contains("read_parquet('" + home.toAbsolutePath().resolve("data") + "/calls/**/*.parquet', hive_partitioning=true)")
                .contains("spark.read.parquet(\"" + home.toAbsolutePath().resolve("data") + "/calls\")")
                .contains("demo finished in");
        Run q = jar("query", "--dir", home.toString(), "--format", "csv", "SELECT count(*) AS n FROM calls");
        assertThat(q.out()).isEqualTo("n\r\n3000\r\n");
        Run bad = jar("query", "--dir", home.toString(), "SELECT FROM WHERE");
        assertThat(bad.code()).isEqualTo(1);
        assertThat(bad.err()).startsWith("error: Parser Error");
        assertThat(jar("query").code()).isEqualTo(2);
        Run notEmpty = jar("demo", "--dir", home.toString());
        assertThat(notEmpty.code()).isEqualTo(1);
        assertThat(notEmpty.err()).contains("is not empty");
    }

    @Test
    void shouldPrintNothingButTheCommandsOutputThroughJavaJarWithoutFlags() throws Exception {
        Path home = tmp.resolve("plain");
        assertThat(jar("generate", "--count", "20", "--dir", home.toString(), "--no-progress").code()).isZero();
        assertThat(jar("compact", "--dir", home.toString()).code()).isZero();
        String id = jar("query", "--dir", home.toString(), "--format", "csv", "SELECT call_id FROM calls ORDER BY call_id LIMIT 1")
                .out().lines().skip(1).findFirst().orElseThrow();
        // the module flags come from the jar's manifest; nothing else on the command line
        Run show = run(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
                System.getProperty("promptlog.jar"), "show", id, "--dir", home.toString()));
        assertThat(show.code()).as(show.err()).isZero();
        assertThat(show.out()).contains(id);
        assertThat(show.err()).isEmpty();
    }

    @Test
    void shouldNameDuckDbsMissingNativeLibraryWhenTheJarIsCopiedAlone() throws Exception {
        Path alone = Files.createDirectories(tmp.resolve("alone"));
        Path jar = Files.copy(Path.of(System.getProperty("promptlog.jar")), alone.resolve("promptlog.jar"));
        Path data = Files.createDirectories(tmp.resolve("empty").resolve("data"));
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(Arrays.asList(System.getProperty("promptlog.jvmFlags").trim().split("\\s+")));
        cmd.addAll(List.of("-jar", jar.toString(), "query", "--data", data.toString(), "SELECT 1 AS one"));
        Run r = run(cmd);
        assertThat(r.code()).as(r.err()).isEqualTo(1);
        // DuckDB prints its own trace of the first attempt; ours is one line naming what to copy, and no Error escapes
        assertThat(r.err()).contains("error: cannot load DuckDB's native library")
                .contains("libduckdb_java.so_<os>_<arch> files").doesNotContain("Exception in thread");
    }

    @Test
    void shouldRunThroughTheLauncherScript() throws Exception {
        Path root = Path.of(System.getProperty("promptlog.root"));
        Run help = run(List.of("bash", root.resolve("promptlog").toString(), "--help"));
        assertThat(help.code()).as(help.err()).isZero();
        assertThat(help.out()).startsWith("Usage: promptlog").contains("demo").contains("replay");
        Run missing = run(List.of("bash", root.resolve("promptlog").toString(), "show", "--dir", tmp.resolve("none").toString(), "x"));
        assertThat(missing.code()).isEqualTo(1);
        assertThat(missing.err()).contains("no promptlog home at");
    }
    /**
     * Short read commands through the launcher: C1 only and a class data sharing archive made by the first run
     * and used, unchanged, by the next; nothing but the command's own output on stdout and stderr. On Java 25
     * too when installed (module flags on the command line would make it reject and rewrite the archive at
     * every run: the launcher leaves them to the jar's manifest).
     */
    @Test
    void shouldStartShortCommandsFromAClassDataArchiveWithCleanOutput() throws Exception {
        Path root = Path.of(System.getProperty("promptlog.root"));
        Path home = tmp.resolve("cds");
        assertThat(jar("generate", "--count", "50", "--dir", home.toString(), "--no-progress").code()).isZero();
        assertThat(jar("compact", "--dir", home.toString()).code()).isZero();
        List<String> javaHomes = new ArrayList<>(List.of(System.getProperty("java.home")));
        Path java25 = Path.of("/usr/lib/jvm/temurin-25-jdk-amd64");
        if (Files.isExecutable(java25.resolve("bin/java"))) {
            javaHomes.add(java25.toString());
        }
        for (String javaHome : javaHomes) {
            int major = Integer.parseInt(run(List.of(Path.of(javaHome, "bin", "java").toString(), "-XshowSettings:properties",
                    "-version")).err().lines().filter(l -> l.contains("java.specification.version = ")).findFirst()
                    .orElseThrow().replaceAll(".*= ", "").trim());
            Path archive = root.resolve("cli/target/promptlog-read-jdk" + major + ".jsa");
            Files.deleteIfExists(archive);
            List<String> query = List.of("env", "JAVA_HOME=" + javaHome, "bash", root.resolve("promptlog").toString(), "query",
                    "--dir", home.toString(), "--format", "csv", "SELECT count(*) AS n FROM calls");
            Run first = run(query);
            assertThat(first.out()).as("Java %d: %s", major, first.err()).isEqualTo("n\r\n50\r\n");
            assertThat(first.err()).as("Java %d", major).isEmpty();
            assertThat(archive).as("Java %d", major).isRegularFile();
            java.nio.file.attribute.FileTime made = Files.getLastModifiedTime(archive);
            Run second = run(query);
            assertThat(second.out()).isEqualTo("n\r\n50\r\n");
            assertThat(second.err()).as("Java %d", major).isEmpty();
            assertThat(Files.getLastModifiedTime(archive)).as("Java %d: the archive was used, not made again", major).isEqualTo(made);
        }
    }

    /** The jar's manifest carries exactly the module flags of promptlog.jvmFlags (the launcher relies on it). */
    @Test
    void shouldCarryTheModuleFlagsInTheJarManifest() throws Exception {
        java.util.jar.Attributes a;
        try (java.util.jar.JarFile jf = new java.util.jar.JarFile(System.getProperty("promptlog.jar"))) {
            a = jf.getManifest().getMainAttributes();
        }
        List<String> flags = Arrays.asList(System.getProperty("promptlog.jvmFlags").trim().split("\\s+"));
        for (String kind : List.of("exports", "opens")) {
            List<String> fromFlags = flags.stream().filter(f -> f.startsWith("--add-" + kind + "="))
                    .map(f -> f.substring(("--add-" + kind + "=").length()).replace("=ALL-UNNAMED", "")).sorted().toList();
            List<String> fromManifest = Arrays.stream(a.getValue("Add-" + Character.toUpperCase(kind.charAt(0)) + kind.substring(1))
                    .trim().split("\\s+")).sorted().toList();
            assertThat(fromManifest).as("Add-%s", kind).isEqualTo(fromFlags);
        }
    }
}
