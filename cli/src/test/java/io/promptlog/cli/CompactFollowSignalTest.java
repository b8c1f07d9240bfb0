package io.promptlog.cli;

import java.time.Duration;
import io.promptlog.testsupport.Await;
import io.promptlog.reader.TestHomes;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code compact --follow} stopped by SIGTERM or SIGINT runs its final pass on its own thread: calls logged
 * while it followed are all compacted, and no error is printed.
 */
@Timeout(240)
class CompactFollowSignalTest {

    @ParameterizedTest(name = "SIG{0}")
    @ValueSource(strings = {"TERM", "INT"})
    void shouldFinishTheFinalPassCleanlyWhenStoppedByASignal(String signal, @TempDir Path tmp) throws Exception {
        // a background job of a non-interactive shell starts with SIGINT ignored, the child JVM inherits that and
        // then cannot be interrupted at all (as `nohup promptlog compact --follow &` cannot): nothing to test there
        Assumptions.assumeFalse("INT".equals(signal) && ignoredByThisProcess(2),
                "SIGINT is ignored by this JVM (SigIgn in /proc/self/status), and so by any child it starts");
        Path home = tmp.resolve("home");
        TestHomes.generate(home, 40, 0, 3);
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String f : System.getProperty("promptlog.jvmFlags", "").trim().split(" +")) {
            if (!f.isEmpty()) {
                cmd.add(f);
            }
        }
        cmd.addAll(List.of("-Xmx512m", "-cp", System.getProperty("java.class.path"), PromptLogCli.class.getName(),
                "compact", "--dir", home.toString(), "--follow", "--interval-millis", "60000"));
        Path err = tmp.resolve("stderr.txt");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(false).redirectError(err.toFile())
                .redirectOutput(tmp.resolve("stdout.txt").toFile()).start();
        try {
            Await.until(() -> { // the first pass has committed
                assertThat(p.isAlive()).as("compact --follow running: %s", Files.readString(err)).isTrue();
                return hasCalls(home);
            }, Duration.ofSeconds(120), "first pass");
            // logged after the first pass; the next interval is a minute away, so only the final pass compacts them
            TestHomes.generate(home, 25, 40, 3);
            new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).start().waitFor();
            assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("exited after SIG%s", signal).isTrue();
        } finally {
            p.destroyForcibly();
        }
        String stderr = Files.readString(err);
        assertThat(stderr).as(stderr).doesNotContain("Exception").doesNotContain("error")
                .contains("compacted 65 calls");
        Cli.Result q = Cli.run("query", "--dir", home.toString(), "--format", "csv",
                "SELECT count(*) FROM calls_compacted");
        assertThat(q.out().split("\r\n")[1]).isEqualTo("65");
    }

    /** Whether signal {@code signo} was ignored when this JVM started (Linux: the SigIgn mask of /proc/self/status). */
    private static boolean ignoredByThisProcess(int signo) throws Exception {
        Path status = Path.of("/proc/self/status");
        if (!Files.isReadable(status)) {
            return false;
        }
        for (String line : Files.readAllLines(status)) {
            if (line.startsWith("SigIgn:")) {
                long mask = Long.parseUnsignedLong(line.substring("SigIgn:".length()).trim(), 16);
                return (mask >>> (signo - 1) & 1) == 1;
            }
        }
        return false;
    }

    private static boolean hasCalls(Path home) throws Exception {
        Path calls = home.resolve("data/calls");
        if (!Files.isDirectory(calls)) {
            return false;
        }
        try (var s = Files.walk(calls)) {
            return s.anyMatch(f -> f.toString().endsWith(".parquet"));
        }
    }
}
