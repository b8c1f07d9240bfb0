package io.promptlog.compactor;

import java.time.Duration;
import io.promptlog.testsupport.Await;
import io.promptlog.synthetic.SyntheticCalls;
import io.promptlog.writer.AppendStatus;
import io.promptlog.writer.PromptLog;
import io.promptlog.writer.PromptLogConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(420)
class CompactorCrashTest {
    /** 20 in CI; the torture run sets {@code -Dpromptlog.test.compactorKills=100}. */
    private static final int KILLS = Integer.getInteger("promptlog.test.compactorKills", 20);

    private static long callsFiles(Path home) throws java.io.IOException {
        Path calls = home.resolve("data/calls");
        if (!Files.isDirectory(calls)) {
            return 0;
        }
        while (true) {
            try (Stream<Path> s = Files.walk(calls)) {
                return s.filter(p -> p.getFileName().toString().endsWith(".parquet")).count();
            } catch (java.io.UncheckedIOException e) {
                if (!(e.getCause() instanceof java.nio.file.NoSuchFileException)) {
                    throw e;
                }
                // the child renamed or deleted a file while we listed the directory: list again
            }
        }
    }

    private static int twoPhase(PromptLog log, io.promptlog.writer.LlmCall call) {
        io.promptlog.writer.CallRecorder r = log.begin().callId(call.callId()).requestModel(call.requestModel())
                .systemPrompt(call.systemPrompt()).string(io.promptlog.writer.CallField.TOOLS, call.string(io.promptlog.writer.CallField.TOOLS));
        if (call.startTimeMicros() != null) {
            r.startTimeMicros(call.startTimeMicros());
        }
        call.messages().forEach(m -> r.message(m.role(), m.content(), m.name(), m.toolCallId()));
        call.attributes().forEach(r::attribute);
        int s = r.send();
        if (!AppendStatus.isAppended(s)) {
            return s;
        }
        return r.response(call.response()).complete();
    }

    @Test
    void shouldStoreEveryCallExactlyOnceWhenCompactorIsKilledAtRandomMoments(@TempDir Path home) throws Exception {
        long seed = System.nanoTime();
        Random rnd = new Random(seed);
        System.out.println("seed " + seed);
        Path log = home.resolve("child.log");
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong written = new AtomicLong();
        PromptLog promptLog = PromptLog.open(PromptLogConfig.builder(home).shardCount(2).backgroundCompaction(false).build());
        Thread writer = new Thread(() -> {
            SyntheticCalls gen = new SyntheticCalls(seed, 12, 100, 600);
            long seq = 0;
            while (!stop.get()) {
                io.promptlog.writer.LlmCall call = gen.call(seq);
                // every fourth call is logged in two phases: the compactor must join the halves exactly once
                int s = seq % 4 == 1 ? twoPhase(promptLog, call) : promptLog.append(call);
                if (!AppendStatus.isAppended(s)) {
                    throw new AssertionError("append failed: " + AppendStatus.describe(s));
                }
                seq++;
                written.set(seq);
                if (seq % 3 == 0) {
                    try {
                        Thread.sleep(10); // pacing the writer (a steady stream, not flat out), not synchronisation
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }
        }, "test-writer");
        // a writer that dies (a failed append) must fail the test, not just stop adding calls
        AtomicReference<Throwable> writerFailure = new AtomicReference<>();
        writer.setUncaughtExceptionHandler((t, e) -> writerFailure.set(e));
        writer.start();
        int killsAfterACommit = 0;
        try {
            for (int k = 0; k < KILLS; k++) {
                long before = callsFiles(home);
                Process p = ChildJvm.start(log, e -> true, "follow", home.toString());
                if (k % 3 == 2) {
                    // some kills land during start-up and recovery
                    Thread.sleep(rnd.nextInt(3000));
                } else {
                    // the rest at a random moment after the child has committed something
                    Await.until(() -> callsFiles(home) != before || !p.isAlive(), Duration.ofSeconds(60),
                            "child committed a calls file");
                    assertThat(p.isAlive()).as("child %d is still running (see %s)", k, log).isTrue();
                    killsAfterACommit++;
                    Thread.sleep(rnd.nextInt(1500));
                }
                p.destroyForcibly();
                assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            }
        } finally {
            stop.set(true);
            writer.join();
            promptLog.close();
        }
        assertThat(writerFailure.get()).as("the writer thread failed (seed %d)", seed).isNull();
        assertThat(writer.isAlive()).isFalse();
        long n = written.get();
        System.out.println("kills " + KILLS + ", during start-up " + (KILLS / 3));
        String childLog = Files.readString(log);
        assertThat(childLog).as("child output (seed %d)", seed).doesNotContain("Exception");

        try (Compactor c = Compactor.open(CompactorConfig.builder(home).hostName("crash-host").build())) {
            c.runOnce();
            assertThat(c.stats().errors()).as("errors: %s (seed %d)", c.stats().lastError(), seed).isZero();
        }
        try (DuckDataset d = new DuckDataset(home.resolve("data"))) {
            long filesBefore = d.count("SELECT count(DISTINCT filename) FROM read_parquet('"
                    + home.resolve("data/calls") + "/**/*.parquet', filename=true)");
            System.out.println("calls " + n + ", calls files " + filesBefore);
            // counted as the kills happen, not from the files left at the end: the children's day merges
            // (background by default) fold a closed day's batch files into one
            assertThat(killsAfterACommit).as("kills that followed a child's commit (seed %d)", seed).isGreaterThan(KILLS / 2);
            assertThat(d.count("SELECT count(*) FROM calls")).as("rows (seed %d)", seed).isEqualTo(n);
            assertThat(d.count("SELECT count(DISTINCT attributes['seq']) FROM calls")).as("distinct seq (seed %d)", seed).isEqualTo(n);
            assertThat(d.count("SELECT min(attributes['seq']::BIGINT) FROM calls")).isZero();
            assertThat(d.count("SELECT max(attributes['seq']::BIGINT) FROM calls")).isEqualTo(n - 1);
            assertThat(d.count("SELECT count(*) - count(DISTINCT system_prompt_hash) FROM system_prompts"))
                    .as("each system prompt once (seed %d)", seed).isZero();
            assertThat(d.count("SELECT count(*) FROM calls c ANTI JOIN system_prompts s USING (system_prompt_hash)"))
                    .as("every call's prompt is stored (seed %d)", seed).isZero();
        }
        try (Stream<Path> s = Files.walk(home.resolve("data"))) {
            assertThat(s.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList())
                    .as("temporary files are cleaned up").isEmpty();
        }
    }
}
