package io.promptlog.compactor;

import io.promptlog.writer.LlmCall;
import io.promptlog.writer.Message;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Erasure (by user, call, date; text or whole rows), killed mid-way, and text retention (TTL). */
@Timeout(240)
class ErasureTest {
    static final long DAY_MICROS = 86_400_000_000L;
    static final String ALICE_PROMPT = "You are Alice's personal coach; she lives at 12 Elm Street";
    static final String SHARED_PROMPT = "You are a helpful support bot";

    /** Call i: users alice / bob / carol in turn; alice's first calls use her own prompt; one day per 10 calls. */
    static LlmCall call(int i) {
        String user = switch (i % 3) {
            case 0 -> "alice";
            case 1 -> "bob";
            default -> "carol";
        };
        return LlmCall.builder().callId(String.format("c-%04d", i)).userId(user)
                .startTimeMicros(TestCalls.BASE_MICROS + (i / 10) * DAY_MICROS + i)
                .requestModel("gpt-4o").inputTokens(10 + i).outputTokens(5)
                .systemPrompt(user.equals("alice") && i < 30 ? ALICE_PROMPT : SHARED_PROMPT)
                .messages(List.of(Message.of("user", user + " says secret " + i)))
                .response("answer to " + user + " " + i).status(i % 7 == 0 ? "error" : "ok")
                .errorMessage(i % 7 == 0 ? "failed on " + user + " secret " + i : null).build();
    }

    static void log(Path home, int from, int to) {
        try (PromptLog log = PromptLog.open(PromptLogConfig.builder(home).shardCount(1).backgroundCompaction(false).build())) {
            for (int i = from; i < to; i++) {
                assertThat(log.append(call(i))).isGreaterThanOrEqualTo(0);
            }
        }
    }

    static CompactorConfig.Builder config(Path home) {
        return CompactorConfig.builder(home).retention(RetentionPolicy.all()).maxFileRows(15).hostName("erase-host");
    }

    /** Logs 90 calls, compacts 60 of them into several files; 30 stay in the queue. */
    static void setUp(Path home) throws Exception {
        log(home, 0, 60);
        try (Compactor c = Compactor.open(config(home).build())) {
            c.runOnce();
        }
        log(home, 60, 90);
    }

    static void assertAliceTextGoneAndTheRestIntact(Path home) throws Exception {
        try (DuckDataset d = new DuckDataset(home.resolve("data"))) {
            assertThat(d.count("SELECT count(*) FROM calls")).isEqualTo(90);
            assertThat(d.count("SELECT count(*) FROM calls WHERE user_id = 'alice'")).isEqualTo(30);
            assertThat(d.count("SELECT count(*) FROM calls WHERE user_id = 'alice' AND (messages IS NOT NULL OR response IS NOT NULL "
                    + "OR error_message IS NOT NULL OR input_hash IS NOT NULL OR output_hash IS NOT NULL OR text_retained)")).isZero();
            // metadata stays
            assertThat(d.count("SELECT count(*) FROM calls WHERE user_id = 'alice' AND request_model = 'gpt-4o' AND input_tokens >= 10")).isEqualTo(30);
            // the others untouched
            assertThat(d.count("SELECT count(*) FROM calls WHERE user_id <> 'alice' AND text_retained AND messages IS NOT NULL")).isEqualTo(60);
            // alice's own prompt is gone, the shared one stays and alice's calls still link to it
            assertThat(d.column("SELECT system_prompt FROM system_prompts ORDER BY 1")).containsExactly(SHARED_PROMPT);
            assertThat(d.count("SELECT count(*) FROM calls c JOIN system_prompts s USING (system_prompt_hash) WHERE user_id = 'alice'")).isEqualTo(20);
            assertThat(d.count("SELECT count(*) FROM calls WHERE user_id = 'alice' AND system_prompt_hash IS NULL")).isEqualTo(10);
            List<Object> all = d.column("SELECT CAST(c AS VARCHAR) FROM calls c");
            assertThat(all).noneMatch(r -> r.toString().contains("alice says") || r.toString().contains("answer to alice"));
        }
        try (Stream<Path> s = Files.walk(home.resolve("data"))) {
            assertThat(s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".tmp")).toList()).isEmpty();
        }
    }

    @Test
    void shouldEraseAUsersTextFromParquetAndQueueKeepingMetadataAndSharedPrompts(@TempDir Path home) throws Exception {
        setUp(home);
        List<String> progress = new ArrayList<>();
        ErasureResult r;
        try (Compactor c = Compactor.open(config(home).build())) {
            r = c.erase(ErasureRequest.builder().user("alice").build(), progress::add);
        }
        assertThat(r.rowsErased()).isEqualTo(30);
        assertThat(r.rowsDropped()).isZero();
        assertThat(r.systemPromptsRemoved()).isEqualTo(1);
        assertThat(r.callsFilesRewritten()).isGreaterThan(1);
        assertThat(r.textFilesRewritten()).isEqualTo(1);
        assertThat(progress).anyMatch(l -> l.startsWith("rewrote calls/"));
        assertThat(r.describe()).contains("erased the text of 30 calls");
        assertAliceTextGoneAndTheRestIntact(home);
        try (DuckDataset d = new DuckDataset(home.resolve("data"))) {
            // the rewritten text file keeps the bloom filter on its hash column that a lookup by hash relies on
            String texts = "parquet_metadata('" + home.resolve("data/system_prompts/*.parquet") + "') WHERE path_in_schema = 'system_prompt_hash'";
            assertThat(d.count("SELECT count(*) FROM " + texts)).isPositive();
            assertThat(d.count("SELECT count(*) FROM " + texts + " AND (bloom_filter_offset IS NULL OR bloom_filter_length = 0)")).isZero();
        }

        // again: nothing left to do
        try (Compactor c = Compactor.open(config(home).build())) {
            ErasureResult again = c.erase(ErasureRequest.builder().user("alice").build());
            assertThat(again.rowsErased()).isZero();
            assertThat(again.callsFilesRewritten()).isZero();
            // a new call with alice's old prompt stores the prompt again (the compactor forgot it)
            try (PromptLog log = PromptLog.open(PromptLogConfig.builder(home).shardCount(1).backgroundCompaction(false).build())) {
                log.append(call(0).toBuilder().callId("new").userId("dave").build());
            }
            c.runOnce();
        }
        try (DuckDataset d = new DuckDataset(home.resolve("data"))) {
            assertThat(d.count("SELECT count(*) FROM calls c JOIN system_prompts s USING (system_prompt_hash) WHERE call_id = 'new'")).isEqualTo(1);
        }
    }

    @Test
    void shouldNameADamagedFileItCannotEraseFromAndFinishOnceItIsGone(@TempDir Path home) throws Exception {
        setUp(home);
        Path bad;
        try (java.util.stream.Stream<Path> s = java.nio.file.Files.walk(home.resolve("data").resolve("calls"))) {
            bad = s.filter(p -> p.toString().endsWith(".parquet")).sorted().findFirst().orElseThrow();
        }
        try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(bad.toFile(), "rw")) {
            byte[] junk = new byte[(int) f.length() / 2];
            java.util.Arrays.fill(junk, (byte) 0x55);
            f.seek(4); // the pages: magic and footer stay whole
            f.write(junk);
        }
        try (Compactor c = Compactor.open(config(home).build())) {
            java.io.IOException e = org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class,
                    () -> c.erase(ErasureRequest.builder().user("alice").build()));
            assertThat(e.getMessage()).contains(bad.toString()).contains("restore it");
            java.nio.file.Files.delete(bad); // the user's way out: its calls are lost, the erasure can finish
            assertThat(c.erase(ErasureRequest.builder().user("alice").build()).rowsErased()).isPositive();
        }
        try (DuckDataset d = new DuckDataset(home.resolve("data"))) {
            assertThat(d.count("SELECT count(*) FROM calls WHERE user_id = 'alice' AND messages IS NOT NULL")).isZero();
        }
    }

    @Test
    void shouldDropWholeRowsWithAllFieldsAndSelectByCallIdAndDate(@TempDir Path home) throws Exception {
        setUp(home);
        try (Compactor c = Compactor.open(config(home).build())) {
            ErasureResult byCall = c.erase(ErasureRequest.builder().call("c-0001").call("c-0075").allFields().build());
            assertThat(byCall.rowsDropped()).isEqualTo(2);
            Instant day3 = Instant.ofEpochSecond(0).plus(Duration.ofNanos(1_000 * (TestCalls.BASE_MICROS + 3 * DAY_MICROS)));
            ErasureResult byDate = c.erase(ErasureRequest.builder().before(day3).build());
            assertThat(byDate.rowsErased()).isEqualTo(29); // calls 0-29 but c-0001, dropped above
        }
        try (DuckDataset d = new DuckDataset(home.resolve("data"))) {
            assertThat(d.count("SELECT count(*) FROM calls")).isEqualTo(88);
            assertThat(d.count("SELECT count(*) FROM calls WHERE call_id IN ('c-0001', 'c-0075')")).isZero();
            assertThat(d.count("SELECT count(*) FROM calls WHERE call_id < 'c-0030' AND messages IS NOT NULL")).isZero();
            assertThat(d.count("SELECT count(*) FROM calls WHERE call_id >= 'c-0030' AND messages IS NOT NULL")).isEqualTo(59);
        }
    }

    @Test
    void shouldFinishAnEraseKilledMidWayWhenRunAgainWithEveryFileWholeMeanwhile(@TempDir Path home) throws Exception {
        setUp(home);
        long seed = System.nanoTime();
        Random rnd = new Random(seed);
        int killAfter = 1 + rnd.nextInt(4);
        System.out.println("erase kill test: seed " + seed + ", kill after progress line " + killAfter);
        Path log = home.resolve("child.log");
        Process p = ChildJvm.start(log, e -> true, "erase", home.toString(), "alice");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        boolean killed = false;
        while (p.isAlive() && System.nanoTime() < deadline) {
            List<String> lines = Files.exists(log) ? Files.readAllLines(log) : List.of();
            if (lines.stream().filter(l -> l.startsWith("rewrote") || l.startsWith("found")).count() >= killAfter) {
                p.destroyForcibly();
                killed = true;
                break;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
        }
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        System.out.println("child killed: " + killed + "\n" + Files.readString(log));
        // whatever the moment: every Parquet file is whole and readable, no call lost
        try (DuckDataset d = new DuckDataset(home.resolve("data"))) {
            assertThat(d.count("SELECT count(*) FROM calls")).isBetween(60L, 90L);
            assertThat(d.count("SELECT count(*) FROM system_prompts")).isBetween(1L, 2L);
        }
        // running it again finishes the job
        try (Compactor c = Compactor.open(config(home).build())) {
            c.erase(ErasureRequest.builder().user("alice").build());
        }
        assertAliceTextGoneAndTheRestIntact(home);
    }

    @Test
    void shouldDropTextOlderThanTheRetentionPeriodOnceAndKeepMetadata(@TempDir Path home) throws Exception {
        log(home, 0, 60); // six days, from BASE
        Instant now = Instant.ofEpochSecond(TestCalls.BASE_MICROS / 1_000_000).plus(Duration.ofDays(8)).plusSeconds(3600);
        Clock clock = Clock.fixed(now, ZoneOffset.UTC);
        CompactorConfig cfg = config(home).textRetention(Duration.ofDays(5)).clock(clock).build();
        try (Compactor c = Compactor.open(cfg)) {
            c.runOnce();
        }
        Map<Path, java.nio.file.attribute.FileTime> mtimes = new java.util.HashMap<>();
        try (Stream<Path> s = Files.walk(home.resolve("data").resolve("calls"))) {
            for (Path f : s.filter(Files::isRegularFile).toList()) {
                mtimes.put(f, Files.getLastModifiedTime(f));
            }
        }
        try (DuckDataset d = new DuckDataset(home.resolve("data"))) {
            // cutoff day = BASE + 3 days: days 0, 1, 2 lose their text; days 3, 4, 5 keep it
            assertThat(d.count("SELECT count(*) FROM calls WHERE call_id < 'c-0030' AND (messages IS NOT NULL OR text_retained)")).isZero();
            assertThat(d.count("SELECT count(*) FROM calls WHERE call_id >= 'c-0030' AND messages IS NOT NULL")).isEqualTo(30);
            assertThat(d.count("SELECT count(*) FROM calls WHERE input_tokens >= 10")).isEqualTo(60);
        }
        // the next pass reads only footers: the expired files are not rewritten again
        try (Compactor c = Compactor.open(cfg)) {
            c.runOnce();
        }
        for (Map.Entry<Path, java.nio.file.attribute.FileTime> e : mtimes.entrySet()) {
            assertThat(Files.getLastModifiedTime(e.getKey())).as(e.getKey().toString()).isEqualTo(e.getValue());
        }
    }
}
