package io.promptlog.cli;

import java.time.Duration;
import io.promptlog.testsupport.Await;
import io.promptlog.writer.CallRecorder;
import io.promptlog.writer.LlmCall;
import io.promptlog.writer.PromptLog;
import io.promptlog.writer.PromptLogConfig;
import io.promptlog.writer.PromptLogHome;
import io.promptlog.writer.ShardCursor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code tail} reads the queue from near its end: damage at the queue's start, which a full read would report,
 * is never met; and a two-phase call is printed once, complete, whether its request half was appended before
 * or after the tail started.
 */
@Timeout(120)
class TailFromTheEndTest {
    private static final long START = 1_795_132_800_000_000L;

    @TempDir
    Path home;

    @Test
    void shouldShowTheNewestAndFollowWithoutReadingTheStartOfTheQueue() throws Exception {
        try (PromptLog log = openLog()) {
            for (int i = 0; i < 500; i++) {
                assertThat(log.append(call("c" + i, START + i))).isNotNegative();
            }
        }
        damageRecord(3); // a full read would skip it and say so on stderr

        Cli.Result last = Cli.run("tail", "--dir", home.toString(), "-n", "2");
        assertThat(last.code()).as(last.toString()).isZero();
        assertThat(last.out().lines().toList()).hasSize(2).satisfiesExactly(
                l -> assertThat(l).contains("c498"), l -> assertThat(l).contains("c499"));
        assertThat(last.err()).as("the damage at the start was not read").isEmpty();

        Follower f = Follower.start(home);
        try (PromptLog log = openLog()) {
            f.awaitOutput(s -> s.contains("following "));
            assertThat(log.append(call("fresh", START + 1000))).isNotNegative();
            f.awaitOutput(s -> s.contains("fresh"));
        }
        String s = f.stop();
        assertThat(s).doesNotContain("damaged").doesNotContain("c3 ").doesNotContain("c499");
    }

    @Test
    void shouldPrintATwoPhaseCallOnceWhenItIsComplete() throws Exception {
        try (PromptLog log = openLog()) {
            CallRecorder before = log.begin().callId("sent-before").requestModel("m").message("user", "q0");
            before.send();
            long beforeHandle = before.inFlight();
            Cli.Result shown = Cli.run("tail", "--dir", home.toString(), "-n", "5");
            assertThat(shown.out()).as(shown.toString()).contains("sent-before  m  in-flight");

            Follower f = Follower.start(home);
            f.awaitOutput(s -> s.contains("following "));
            CallRecorder during = log.begin().callId("sent-during").requestModel("m").message("user", "q1");
            during.send();
            long duringHandle = during.inFlight();
            assertThat(log.append(call("plain", START + 5))).isNotNegative(); // a later record: the follower is past the send
            f.awaitOutput(s -> s.contains("plain"));
            log.resume(duringHandle).response("a1").complete();
            log.resume(beforeHandle).response("a0").complete();
            f.awaitOutput(s -> s.contains("sent-during") && s.contains("sent-before"));
            String s = f.stop();
            assertThat(s.lines().filter(l -> l.contains("sent-during")).toList()).singleElement()
                    .satisfies(l -> assertThat(l).contains("  ok  ").contains("\"q1\" → \"a1\""));
            assertThat(s.lines().filter(l -> l.contains("sent-before")).toList()).singleElement()
                    .satisfies(l -> assertThat(l).contains("  ok  ").contains("\"q0\" → \"a0\""));
        }
    }

    private PromptLog openLog() {
        return PromptLog.open(PromptLogConfig.builder(home).shardCount(1).backgroundCompaction(false).build());
    }

    private static LlmCall call(String id, long start) {
        return LlmCall.builder().callId(id).startTimeMicros(start).requestModel("m").status("ok")
                .message("user", "question " + id).response("answer " + id).build();
    }

    /** Overwrites the middle of the body of the record at position {@code n} (0-based) of shard 0. */
    private void damageRecord(int n) throws Exception {
        Path shard = PromptLogHome.shardDir(home, 0);
        long position = -1;
        int length = 0;
        try (ShardCursor c = ShardCursor.open(shard)) {
            for (int i = 0; i <= n; i++) {
                assertThat(c.next()).isTrue();
            }
            position = c.position();
            length = c.length();
        }
        Path cycle;
        try (Stream<Path> s = Files.list(shard)) {
            cycle = s.filter(p -> p.toString().endsWith(".cq4")).sorted().findFirst().orElseThrow();
        }
        byte[] junk = new byte[8];
        Arrays.fill(junk, (byte) 0x5A);
        try (RandomAccessFile f = new RandomAccessFile(cycle.toFile(), "rw")) {
            f.seek(position + 4 + length / 2);
            f.write(junk);
        }
        Cli.Result full = Cli.run("query", "--dir", home.toString(), "SELECT count(*) FROM calls");
        assertThat(full.err()).as("a full read reports the damage").contains("damaged");
    }

    /** {@code tail -n 0 --follow} on a thread, its stdout and stderr together. */
    private record Follower(Thread thread, ByteArrayOutputStream out, AtomicReference<Integer> code) {
        static Follower start(Path home) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8);
            AtomicReference<Integer> code = new AtomicReference<>();
            Thread t = new Thread(() -> code.set(PromptLogCli.run(new String[]{"tail", "--dir", home.toString(), "-n", "0",
                    "--follow", "--poll-millis", "20"}, ps, ps)));
            t.start();
            return new Follower(t, out, code);
        }

        String text() {
            synchronized (out) {
                return out.toString(StandardCharsets.UTF_8);
            }
        }

        void awaitOutput(java.util.function.Predicate<String> condition) throws Exception {
            Supplier<String> s = this::text;
            Await.until(() -> condition.test(s.get()), Duration.ofSeconds(60), () -> "tail output: " + s.get());
        }

        String stop() throws InterruptedException {
            thread.interrupt();
            thread.join(10_000);
            assertThat(code.get()).isZero();
            return text();
        }
    }
}
