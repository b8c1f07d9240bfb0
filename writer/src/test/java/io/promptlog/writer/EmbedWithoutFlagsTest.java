package io.promptlog.writer;

import io.promptlog.writer.internal.JvmAccess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An app that embeds the writer but forgets the JVM flags keeps running: {@code PromptLog.open} returns a
 * log that drops (counted), {@code lastError} names the missing flags, and stderr gets one line.
 */
@Timeout(120)
class EmbedWithoutFlagsTest {

    private static List<String> run(Path home, Path err, String... flags) throws Exception {
        return run(EmbedWithoutFlagsChild.class, home, err, flags);
    }

    private static List<String> run(Class<?> main, Path home, Path err, String... flags) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(List.of(flags));
        cmd.addAll(List.of("-Dchronicle.analytics.disable=true", "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                main.getName(), home.toString()));
        try (ChildJvm child = ChildJvm.start(cmd, err)) {
            assertThat(child.process.waitFor(60, TimeUnit.SECONDS)).as("child finished").isTrue();
            assertThat(child.awaitLine("app still running", 10_000)).as("stdout %s, stderr %s", child.output(),
                    Files.readString(err)).isNotNull();
            assertThat(child.process.exitValue()).isZero();
            return child.output();
        }
    }

    @Test
    void shouldDropCountAndNameTheMissingFlagsInsteadOfThrowingIntoTheApp(@TempDir Path tmp) throws Exception {
        Path err = tmp.resolve("stderr.txt");
        List<String> out = run(tmp.resolve("home"), err);
        assertThat(out).contains("status " + AppendStatus.DROPPED_UNAVAILABLE, "available false", "dropped 3");
        String lastError = out.stream().filter(l -> l.startsWith("lastError ")).findFirst().orElseThrow();
        for (String flag : JvmAccess.REQUIRED_FLAGS) {
            assertThat(lastError).contains(flag);
        }
        List<String> stderr = Files.readAllLines(err);
        assertThat(stderr).as("one clear line on stderr").hasSize(1);
        assertThat(stderr.get(0)).contains("promptlog is not logging").contains(JvmAccess.REQUIRED_FLAGS.get(2));
    }

    /**
     * The zero-allocation path too: {@code begin()}, every setter of {@link CallRecorder}, commit, two-phase
     * send/complete/fail and resume, in a JVM without the flags, throw nothing, count every record as
     * dropped, and initialise no Chronicle class (the JVM's class+init log names none): a Chronicle class
     * initialised without the flags is what threw the {@code AssertionError} into the app.
     */
    @Test
    void shouldNotTouchChronicleNorThrowFromAnyRecorderMethodWithoutTheFlags(@TempDir Path tmp) throws Exception {
        Path err = tmp.resolve("stderr.txt");
        Path inits = tmp.resolve("class-init.log");
        List<String> out = run(RecorderWithoutFlagsChild.class, tmp.resolve("home"), err,
                "-Xlog:class+init=info:file=" + inits);
        assertThat(out).as("nothing thrown into the app").noneMatch(l -> l.startsWith("threw"));
        int unavailable = AppendStatus.DROPPED_UNAVAILABLE;
        assertThat(out).contains("status commit " + unavailable, "status send " + unavailable,
                "status complete " + unavailable, "status fail " + unavailable, "status append " + unavailable,
                "status commit-again " + AppendStatus.NOT_STARTED, "inFlight -1", "available false", "appended 0");
        // close() of the first record, commit, send, complete, send, fail and append: each one counted
        assertThat(out).contains("dropped 7");
        List<String> chronicle = Files.readAllLines(inits).stream().filter(l -> l.contains("Initializing 'net/openhft")).toList();
        assertThat(Files.readString(inits)).as("the class+init log was written").contains("Initializing 'io/promptlog/writer/CallRecorder'");
        assertThat(chronicle).as("Chronicle classes initialised in a JVM without the flags").isEmpty();
        assertThat(Files.readAllLines(err)).as("one clear line on stderr").hasSize(1);
    }

    @Test
    void shouldNameOnlyTheFlagThatIsMissing(@TempDir Path tmp) throws Exception {
        Path err = tmp.resolve("stderr.txt");
        List<String> out = run(tmp.resolve("home"), err, JvmAccess.REQUIRED_FLAGS.get(0), JvmAccess.REQUIRED_FLAGS.get(1));
        String lastError = out.stream().filter(l -> l.startsWith("lastError ")).findFirst().orElseThrow();
        assertThat(lastError).contains("sun.nio.ch").doesNotContain("jdk.internal.ref");
        assertThat(out).contains("dropped 3");
    }

    @Test
    void shouldLogWithTheRequiredFlagsAlone(@TempDir Path tmp) throws Exception {
        Path err = tmp.resolve("stderr.txt");
        List<String> flags = new ArrayList<>(JvmAccess.REQUIRED_FLAGS);
        if (Runtime.version().feature() >= 22) {
            flags.addAll(List.of("--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow"));
        }
        List<String> out = run(tmp.resolve("home"), err, flags.toArray(String[]::new));
        assertThat(out).as("stderr: %s", Files.readAllLines(err)).contains("status " + AppendStatus.OK, "available true", "dropped 0");
    }
}
