package io.promptlog.compactor;

import io.promptlog.writer.AppendStatus;
import io.promptlog.writer.CallField;
import io.promptlog.writer.CallRecorder;
import io.promptlog.writer.PromptLog;
import io.promptlog.writer.PromptLogConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The compactor joins the request and response halves of two-phase calls into one row, exactly once, and
 * stores a call whose response never came as {@code incomplete} once its writer is gone or its time is up.
 */
@Timeout(180)
class TwoPhaseCompactionTest {
    @TempDir
    Path home;

    /** A clock tests move by hand. */
    static final class MovableClock extends Clock {
        private volatile Instant now = Instant.now();

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    private PromptLog open(int shards) {
        return PromptLog.open(PromptLogConfig.builder(home).shardCount(shards).backgroundCompaction(false).build());
    }

    @Test
    void shouldStoreEachTwoPhaseCallAsOneJoinedRowNextToOnePhaseCalls() throws Exception {
        try (PromptLog log = open(2)) {
            for (int i = 0; i < 30; i++) {
                CallRecorder r = log.begin().callId("c" + i).requestModel("gpt-4o").temperature(0.5)
                        .systemPrompt("You are terse.").message("user", "q" + i).attribute("i", i);
                if (i % 3 == 0) {
                    r.response("one-phase " + i).commit();
                    continue;
                }
                assertThat(r.send()).isEqualTo(AppendStatus.OK);
                if (i % 3 == 1) {
                    r.response("a" + i).outputTokens(7).responseModel("gpt-4o-2024").complete();
                } else {
                    r.fail("Timeout", "no answer in 30 s");
                }
            }
        }
        try (Compactor c = Compactor.open(CompactorConfig.builder(home).retention(RetentionPolicy.all()).build())) {
            assertThat(c.runOnce().callsWritten()).isEqualTo(30);
        }
        try (DuckDataset d = new DuckDataset(home.resolve("data"))) {
            assertThat(d.count("SELECT count(*) FROM calls")).isEqualTo(30);
            assertThat(d.count("SELECT count(DISTINCT call_id) FROM calls")).isEqualTo(30);
            for (Map<String, Object> row : d.rows("SELECT call_id, request_model, temperature, response, response_model, "
                    + "output_tokens, status, error_type, attributes['i'] i, system_prompt_hash IS NOT NULL has_prompt, "
                    + "duration_us FROM calls")) {
                int i = Integer.parseInt(String.valueOf(row.get("i")));
                assertThat(row.get("request_model")).isEqualTo("gpt-4o");
                assertThat(row.get("temperature")).isEqualTo(0.5);
                assertThat(row.get("has_prompt")).isEqualTo(true);
                assertThat(row.get("call_id")).isEqualTo("c" + i);
                switch (i % 3) {
                    case 0 -> assertThat(row.get("status")).isNull();
                    case 1 -> {
                        assertThat(row.get("status")).isEqualTo(CallField.STATUS_OK);
                        assertThat(row.get("response_model")).isEqualTo("gpt-4o-2024");
                        assertThat(row.get("output_tokens")).isEqualTo(7L);
                        assertThat(row.get("duration_us")).isNotNull();
                    }
                    default -> {
                        assertThat(row.get("status")).isEqualTo(CallField.STATUS_ERROR);
                        assertThat(row.get("error_type")).isEqualTo("Timeout");
                    }
                }
            }
        }
    }

    @Test
    void shouldHoldACallInFlightThenStoreItIncompleteOnceTheTimeoutPassesOnASettableClock() throws Exception {
        MovableClock clock = new MovableClock();
        CompactorConfig cfg = CompactorConfig.builder(home).incompleteAfter(Duration.ofMinutes(5)).clock(clock).build();
        try (PromptLog log = open(1)) {
            log.begin().callId("before").response("r").commit();
            CallRecorder r = log.begin().callId("slow").requestModel("o1").message("user", "think hard");
            assertThat(r.send()).isEqualTo(AppendStatus.OK);
            log.begin().callId("after").response("r").commit();
            try (Compactor c = Compactor.open(cfg)) {
                // the call in flight holds itself and the shard's later calls back: its writer is alive
                assertThat(c.runOnce().callsWritten()).isEqualTo(1);
                assertThat(c.runOnce().callsWritten()).isZero();
                clock.advance(Duration.ofMinutes(6));
                assertThat(c.runOnce().callsWritten()).isEqualTo(2);
            }
        }
        try (DuckDataset d = new DuckDataset(home.resolve("data"))) {
            assertThat(d.rows("SELECT call_id, status, request_model FROM calls ORDER BY call_id")).containsExactly(
                    row("after", null, null), row("before", null, null), row("slow", CallField.STATUS_INCOMPLETE, "o1"));
        }
    }

    /** A call stored incomplete, its response logged afterwards; returns the compactor config used. */
    private CompactorConfig storeIncompleteThenComplete(MovableClock clock, PromptLog log, Runnable beforeLatePass)
            throws Exception {
        CompactorConfig cfg = CompactorConfig.builder(home).retention(RetentionPolicy.all())
                .incompleteAfter(Duration.ofMinutes(5)).clock(clock).build();
        CallRecorder r = log.begin().callId("slow").requestModel("o1").systemPrompt("Think step by step.")
                .message("user", "think hard");
        assertThat(r.send()).isEqualTo(AppendStatus.OK);
        long handle = r.inFlight();
        log.begin().callId("other").response("r").commit();
        try (Compactor c = Compactor.open(cfg)) {
            clock.advance(Duration.ofMinutes(6));
            assertThat(c.runOnce().callsWritten()).isEqualTo(2); // "slow" as incomplete, "other"
        }
        try (DuckDataset d = new DuckDataset(home.resolve("data"))) {
            assertThat(d.rows("SELECT status FROM calls WHERE call_id = 'slow'"))
                    .containsExactly(Map.of("status", CallField.STATUS_INCOMPLETE));
        }
        // the model answers after all, on another recorder through the handle
        assertThat(log.resume(handle).response("at last").outputTokens(9).complete()).isEqualTo(AppendStatus.OK);
        log.begin().callId("after").response("r").commit();
        beforeLatePass.run();
        try (Compactor c = Compactor.open(cfg)) {
            assertThat(c.runOnce().callsWritten()).isEqualTo(2); // "slow" joined, "after"
            assertThat(c.runOnce().callsWritten()).isZero();
            assertThat(c.stats().duplicatesDropped()).isZero();
            assertThat(c.stats().errors()).as(String.valueOf(c.stats().lastError())).isZero();
        }
        return cfg;
    }

    private void assertSlowCallStoredOnceComplete() throws Exception {
        try (DuckDataset d = new DuckDataset(home.resolve("data"))) {
            assertThat(d.count("SELECT count(*) FROM calls")).isEqualTo(3);
            assertThat(d.count("SELECT count(DISTINCT call_id) FROM calls")).isEqualTo(3);
            assertThat(d.rows("SELECT status, response, request_model, output_tokens, messages[1].content q, "
                    + "system_prompt_hash IS NOT NULL has_prompt FROM calls WHERE call_id = 'slow'"))
                    .containsExactly(Map.of("status", CallField.STATUS_OK, "response", "at last", "request_model", "o1",
                            "output_tokens", 9L, "q", "think hard", "has_prompt", true));
        }
    }

    @Test
    void shouldReplaceTheIncompleteRowWhenTheResponseArrivesAfterTheTimeout() throws Exception {
        try (PromptLog log = open(1)) {
            storeIncompleteThenComplete(new MovableClock(), log, () -> { });
        }
        assertSlowCallStoredOnceComplete();
    }

    @Test
    void shouldFinishReplacingTheIncompleteRowWhenTheCompactorDiedBeforeDroppingIt() throws Exception {
        // the state a kill leaves between the rename of the late completion's calls file and the drop of the
        // incomplete row (and the checkpoint): the files and checkpoint as they were, plus the new calls file
        Path data = home.resolve("data");
        Path saved = home.resolve("saved");
        Map<Path, Path> copies = new java.util.HashMap<>();
        CompactorConfig cfg;
        try (PromptLog log = open(1)) {
            cfg = storeIncompleteThenComplete(new MovableClock(), log, () -> {
                try (java.util.stream.Stream<Path> files = Files.walk(data)) {
                    for (Path f : files.filter(f -> f.toString().endsWith(".parquet") || f.toString().endsWith(".checkpoint")).toList()) {
                        Path copy = saved.resolve(data.relativize(f).toString());
                        Files.createDirectories(copy.getParent());
                        Files.copy(f, copy);
                        copies.put(copy, f);
                    }
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
        }
        assertSlowCallStoredOnceComplete();
        for (Map.Entry<Path, Path> e : copies.entrySet()) {
            Files.copy(e.getKey(), e.getValue(), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        try (DuckDataset d = new DuckDataset(data)) {
            assertThat(d.count("SELECT count(*) FROM calls WHERE call_id = 'slow'")).as("the crash state").isEqualTo(2);
        }
        try (Compactor c = Compactor.open(cfg)) { // recovery finishes the replacement
            assertThat(c.runOnce().callsWritten()).isZero();
        }
        assertSlowCallStoredOnceComplete();
    }

    private static Map<String, Object> row(String callId, String status, String model) {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("call_id", callId);
        m.put("status", status);
        m.put("request_model", model);
        return m;
    }

    @Test
    void shouldJoinExactlyOnceWhenTheCompactorRestartsBetweenTheHalvesAndWhenBatchesEndBetweenThem() throws Exception {
        // small batches: a request's batch is full before its response is read, so the compactor looks ahead
        CompactorConfig cfg = CompactorConfig.builder(home).retention(RetentionPolicy.all()).maxFileRows(2).build();
        try (PromptLog log = open(1)) {
            CallRecorder first = log.begin().callId("first").requestModel("m1");
            first.send();
            long handle = first.inFlight();
            for (int i = 0; i < 5; i++) {
                log.begin().callId("filler-" + i).commit();
            }
            try (Compactor c = Compactor.open(cfg)) {
                assertThat(c.runOnce().callsWritten()).isZero(); // held back: its writer (this JVM) is alive
            }
            // a restarted compactor, then the response arrives (from another recorder, through the handle)
            assertThat(log.resume(handle).response("late but fine").complete()).isEqualTo(AppendStatus.OK);
            for (int i = 5; i < 10; i++) {
                CallRecorder r = log.begin().callId("filler-" + i);
                r.send();
                r.response("f" + i).complete();
            }
            try (Compactor c = Compactor.open(cfg)) {
                assertThat(c.runOnce().callsWritten()).isEqualTo(11);
                assertThat(c.runOnce().callsWritten()).isZero();
            }
        }
        try (DuckDataset d = new DuckDataset(home.resolve("data"))) {
            assertThat(d.count("SELECT count(*) FROM calls")).isEqualTo(11);
            assertThat(d.count("SELECT count(DISTINCT call_id) FROM calls")).isEqualTo(11);
            assertThat(d.rows("SELECT response, request_model FROM calls WHERE call_id = 'first'"))
                    .containsExactly(Map.of("response", "late but fine", "request_model", "m1"));
            assertThat(d.count("SELECT count(*) FROM calls WHERE call_id LIKE 'filler-%' AND call_id >= 'filler-5' "
                    + "AND response IS NOT NULL AND status = 'ok'")).isEqualTo(5);
        }
    }

    @Test
    void shouldStoreCallsLeftInFlightByAKilledWriterAsIncomplete() throws Exception {
        long seed = System.nanoTime();
        Random rnd = new Random(seed);
        int calls = 10 + rnd.nextInt(30);
        System.out.println("TwoPhaseCompactionTest seed " + seed + ", calls " + calls);
        Path log = home.resolve("child.log");
        Process p = ChildJvm.start(log, ChildJvm::notHadoop, "inflight", home.toString(), Integer.toString(calls));
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!(Files.exists(log) && Files.readString(log).contains("sent")) && p.isAlive()
                    && System.nanoTime() < deadline) {
                p.waitFor(20, TimeUnit.MILLISECONDS);
            }
            assertThat(Files.readString(log)).as("child output (seed %d)", seed).contains("sent");
            // the compactor sees a live writer: the calls in flight wait
            try (Compactor c = Compactor.open(CompactorConfig.builder(home).retention(RetentionPolicy.all()).build())) {
                c.runOnce();
            }
            try (DuckDataset d = new DuckDataset(home.resolve("data"))) {
                assertThat(d.count("SELECT count(*) FROM calls WHERE status = 'incomplete'")).isZero();
            } catch (java.sql.SQLException e) {
                // no calls file yet at all: nothing stored, as expected
            }
        } finally {
            p.destroyForcibly(); // SIGKILL
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        try (Compactor c = Compactor.open(CompactorConfig.builder(home).retention(RetentionPolicy.all()).build())) {
            c.runOnce();
            assertThat(c.stats().errors()).as("errors: %s (seed %d)", c.stats().lastError(), seed).isZero();
        }
        try (DuckDataset d = new DuckDataset(home.resolve("data"))) {
            assertThat(d.count("SELECT count(*) FROM calls")).as("seed %d", seed).isEqualTo(calls);
            assertThat(d.count("SELECT count(DISTINCT call_id) FROM calls")).isEqualTo(calls);
            List<Map<String, Object>> rows = d.rows("SELECT call_id, status, response, request_model, messages[1].content q "
                    + "FROM calls");
            for (Map<String, Object> row : rows) {
                int i = Integer.parseInt(((String) row.get("call_id")).substring("inflight-".length()));
                assertThat(row.get("request_model")).isEqualTo("gpt-4o");
                if (i % 2 == 0) {
                    assertThat(row.get("status")).as("call %d (seed %d)", i, seed).isEqualTo(CallField.STATUS_INCOMPLETE);
                    assertThat(row.get("response")).isNull();
                } else {
                    assertThat(row.get("status")).isEqualTo(CallField.STATUS_OK);
                    assertThat(row.get("response")).isEqualTo("answer " + i);
                }
            }
        }
    }
}
