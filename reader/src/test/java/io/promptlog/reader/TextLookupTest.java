package io.promptlog.reader;

import io.promptlog.format.DatasetLayout;
import io.promptlog.format.DatasetSchema;
import io.promptlog.writer.CallField;
import io.promptlog.writer.LlmCall;
import io.promptlog.writer.PromptLog;
import io.promptlog.writer.PromptLogConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The lookup of one compacted call fetches its system prompt and tools texts by hash: from the text file of
 * the batch that first stored them when that batch holds the call's start (a templated prompt, distinct on
 * every call), else from any text file (a prompt shared with calls compacted long before).
 */
@Timeout(120)
class TextLookupTest {
    private static final long START_MICROS = 1_795_132_800_123_456L; // 2026-11-20
    private static final int BATCHES = 6;
    private static final int CALLS_PER_BATCH = 5;
    private static final String SHARED_PROMPT = "You are the support bot of ACME. Answer briefly.";
    private static final String SHARED_TOOLS = "[{\"type\":\"function\",\"function\":{\"name\":\"lookup_order\"}}]";

    @TempDir
    Path home;

    @Test
    void shouldGiveEveryCallItsOwnTextsWhetherDistinctSharedOrFirstStoredByALaterCall() throws Exception {
        List<LlmCall> calls = new ArrayList<>();
        for (int b = 0; b < BATCHES; b++) {
            List<LlmCall> batch = new ArrayList<>();
            for (int i = 0; i < CALLS_PER_BATCH; i++) {
                int seq = b * CALLS_PER_BATCH + i;
                long start = START_MICROS + seq * 1_000_000L;
                // even calls: a templated prompt (distinct); odd calls: the shared prompt and tools
                batch.add(seq % 2 == 0 ? call(seq, start, SHARED_PROMPT + " The customer is #" + seq + ".", "[]")
                        : call(seq, start, SHARED_PROMPT, SHARED_TOOLS));
            }
            if (b == BATCHES - 1) {
                // logged late: it started before every call of the first batch, which stored its prompt first,
                // so no text file's first_seen range holds its start
                batch.add(call(999, START_MICROS - 60_000_000L, SHARED_PROMPT, SHARED_TOOLS));
            }
            append(batch);
            TestHomes.compact(home, "all", "none");
            calls.addAll(batch);
        }
        assertThat(textFiles(DatasetSchema.SYSTEM_PROMPTS)).as("one system prompt file per batch").hasSize(BATCHES);

        try (PromptLogReader r = PromptLogReader.openHome(home)) {
            for (LlmCall c : calls) {
                StoredCall found = r.requireCall(c.callId());
                assertThat(found.live()).isFalse();
                assertThat(found.call().systemPrompt()).as("prompt of %s", c.callId()).isEqualTo(c.systemPrompt());
                assertThat(found.call().string(CallField.TOOLS)).as("tools of %s", c.callId()).isEqualTo(c.string(CallField.TOOLS));
            }
            assertThat(r.warnings()).isEmpty();
        }
    }

    @Test
    void shouldReadOnlyTheTextFileOfItsBatchForACallWithADistinctPrompt() throws Exception {
        List<LlmCall> calls = new ArrayList<>();
        for (int b = 0; b < BATCHES; b++) {
            List<LlmCall> batch = new ArrayList<>();
            for (int i = 0; i < CALLS_PER_BATCH; i++) {
                int seq = b * CALLS_PER_BATCH + i;
                batch.add(call(seq, START_MICROS + seq * 1_000_000L, SHARED_PROMPT + " The customer is #" + seq + ".", null));
            }
            append(batch);
            TestHomes.compact(home, "all", "none");
            calls.addAll(batch);
        }
        LlmCall target = calls.get(3 * CALLS_PER_BATCH + 2);
        try (PromptLogReader r = PromptLogReader.openHome(home)) {
            assertThat(r.requireCall(target.callId()).call().systemPrompt()).isEqualTo(target.systemPrompt());
            // every other text file's pages garbage (footers intact): a lookup that read their hashes (or joined
            // the whole table) would set them aside as corrupt, with a warning
            Path holder = fileHolding(target.systemPrompt());
            for (Path f : textFiles(DatasetSchema.SYSTEM_PROMPTS)) {
                if (!f.equals(holder)) {
                    damagePages(f);
                }
            }
            StoredCall again = r.requireCall(target.callId());
            assertThat(again.call().systemPrompt()).isEqualTo(target.systemPrompt());
            assertThat(r.warnings()).isEmpty();
        }
    }

    @Test
    void shouldRememberWhereASharedPromptIsSoLaterLookupsReadOnlyThatFile() throws Exception {
        List<LlmCall> late = sharedPromptAfterDistinctOnes();
        try (PromptLogReader r = PromptLogReader.openHome(home)) {
            assertThat(r.requireCall(late.get(0).callId()).call().systemPrompt()).isEqualTo(SHARED_PROMPT);
            Path holder = fileHolding(SHARED_PROMPT);
            for (Path f : textFiles(DatasetSchema.SYSTEM_PROMPTS)) {
                if (!f.equals(holder)) {
                    damagePages(f);
                }
            }
            for (LlmCall c : late.subList(1, late.size())) {
                assertThat(r.requireCall(c.callId()).call().systemPrompt()).isEqualTo(SHARED_PROMPT);
            }
            assertThat(r.warnings()).as("only the file holding the shared prompt was read").isEmpty();
        }
    }

    @Test
    void shouldForgetARememberedTextOnceTheFileThatHeldItChanges() throws Exception {
        List<LlmCall> late = sharedPromptAfterDistinctOnes();
        try (PromptLogReader r = PromptLogReader.openHome(home)) {
            assertThat(r.requireCall(late.get(0).callId()).call().systemPrompt()).isEqualTo(SHARED_PROMPT);
            assertThat(r.requireCall(late.get(1).callId()).call().systemPrompt()).isEqualTo(SHARED_PROMPT);
            // the file rewritten without the text (as an erasure would): no file holds it any more
            Path holder = fileHolding(SHARED_PROMPT);
            Path other = textFiles(DatasetSchema.SYSTEM_PROMPTS).stream().filter(f -> !f.equals(holder)).findFirst().orElseThrow();
            Files.copy(other, holder, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            assertThat(r.requireCall(late.get(2).callId()).call().systemPrompt()).isNull();
        }
    }

    @Test
    void shouldTakeALiveCallsTextsFromTheQueueWithoutReadingTheTextFiles() throws Exception {
        sharedPromptAfterDistinctOnes();
        long later = START_MICROS + 3_600_000_000L;
        LlmCall sharedLive = call(900, later, SHARED_PROMPT, SHARED_TOOLS);
        LlmCall distinctLive = call(901, later + 1_000_000L, SHARED_PROMPT + " The customer is #901.", null);
        append(List.of(sharedLive, distinctLive));
        for (Path f : textFiles(DatasetSchema.SYSTEM_PROMPTS)) {
            damagePages(f);
        }
        try (PromptLogReader r = PromptLogReader.openHome(home)) {
            for (LlmCall c : List.of(sharedLive, distinctLive)) {
                StoredCall found = r.requireCall(c.callId());
                assertThat(found.live()).isTrue();
                assertThat(found.call().systemPrompt()).isEqualTo(c.systemPrompt());
                assertThat(found.call().string(CallField.TOOLS)).isEqualTo(c.string(CallField.TOOLS));
            }
            assertThat(r.warnings()).as("no text file was read").isEmpty();
        }
    }

    @Test
    void shouldSetAsideADamagedTextFileNameItAndStillFindTextsInTheOthers() throws Exception {
        List<LlmCall> late = sharedPromptAfterDistinctOnes();
        Path holder = fileHolding(SHARED_PROMPT);
        Path damaged = textFiles(DatasetSchema.SYSTEM_PROMPTS).stream().filter(f -> !f.equals(holder)).findFirst().orElseThrow();
        damagePages(damaged);
        try (PromptLogReader r = PromptLogReader.openHome(home)) {
            // not found in the file its start points to: every file is searched, the damaged one set aside
            assertThat(r.requireCall(late.get(0).callId()).call().systemPrompt()).isEqualTo(SHARED_PROMPT);
            assertThat(r.warnings()).anySatisfy(w -> assertThat(w).contains(damaged.getFileName().toString()).contains("corrupt"));
            // a call whose own prompt was in the damaged file: found, its prompt lost with that file
            LlmCall victim = call(CALLS_PER_BATCH, START_MICROS + CALLS_PER_BATCH * 1_000_000L, "", null);
            StoredCall found = r.requireCall(victim.callId());
            assertThat(found.systemPromptHash()).isNotNull();
            assertThat(found.call().systemPrompt()).isNull();
        }
    }

    /**
     * Batch 0 stores the shared prompt, batches 1.. each a file of distinct ones; the last batch uses only the
     * shared prompt (no text file of its own, no text file's first_seen holds its calls): its calls, returned.
     */
    private List<LlmCall> sharedPromptAfterDistinctOnes() throws Exception {
        List<LlmCall> late = new ArrayList<>();
        for (int b = 0; b <= BATCHES; b++) {
            List<LlmCall> batch = new ArrayList<>();
            for (int i = 0; i < CALLS_PER_BATCH; i++) {
                int seq = b * CALLS_PER_BATCH + i;
                long start = START_MICROS + seq * 1_000_000L;
                boolean shared = b == BATCHES || (b == 0 && i == 0);
                batch.add(call(seq, start, shared ? SHARED_PROMPT : SHARED_PROMPT + " The customer is #" + seq + ".", null));
            }
            append(batch);
            TestHomes.compact(home, "all", "none");
            if (b == BATCHES) {
                late.addAll(batch);
            }
        }
        assertThat(textFiles(DatasetSchema.SYSTEM_PROMPTS)).hasSize(BATCHES);
        return late;
    }

    @Test
    void shouldWriteABloomFilterOnTheHashColumnOfEveryTextFile() throws Exception {
        append(List.of(call(0, START_MICROS, SHARED_PROMPT, SHARED_TOOLS)));
        TestHomes.compact(home, "all", "none");
        for (DatasetSchema.TextTable t : List.of(DatasetSchema.SYSTEM_PROMPTS, DatasetSchema.TOOL_DEFINITIONS)) {
            List<Path> files = textFiles(t);
            assertThat(files).hasSize(1);
            try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT path_in_schema, bloom_filter_offset IS NOT NULL AND bloom_filter_length > 0 FROM parquet_metadata('"
                         + files.get(0) + "') WHERE path_in_schema = '" + t.hashColumn() + "'")) {
                assertThat(rs.next()).as("column %s in %s", t.hashColumn(), files.get(0)).isTrue();
                assertThat(rs.getBoolean(2)).as("bloom filter on %s", t.hashColumn()).isTrue();
            }
        }
    }

    /** Overwrites everything between a Parquet file's leading magic and its footer (the pages) with garbage. */
    private static void damagePages(Path f) throws Exception {
        byte[] b = Files.readAllBytes(f);
        int footer = java.nio.ByteBuffer.wrap(b, b.length - 8, 4).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt();
        java.util.Arrays.fill(b, 4, b.length - 8 - footer, (byte) 0x5A);
        Files.write(f, b);
    }

    private Path fileHolding(String text) throws Exception {
        for (Path f : textFiles(DatasetSchema.SYSTEM_PROMPTS)) {
            try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT count(*) FROM read_parquet('" + f + "') WHERE system_prompt = '"
                         + text.replace("'", "''") + "'")) {
                rs.next();
                if (rs.getLong(1) > 0) {
                    return f;
                }
            }
        }
        throw new AssertionError("no text file holds " + text);
    }

    private List<Path> textFiles(DatasetSchema.TextTable t) throws Exception {
        try (Stream<Path> s = Files.list(DatasetLayout.textDir(home.resolve("data"), t))) {
            return s.filter(p -> p.getFileName().toString().endsWith(DatasetLayout.PARQUET)).sorted().toList();
        }
    }

    private static LlmCall call(int seq, long startMicros, String prompt, String tools) {
        return LlmCall.builder().callId(DayPrunedLookupTest.uuidV7(startMicros / 1000, seq)).startTimeMicros(startMicros)
                .requestModel("m").systemPrompt(prompt).tools(tools).message("user", "q" + seq).response("a").status("ok")
                .build();
    }

    private void append(List<LlmCall> calls) {
        try (PromptLog log = PromptLog.open(PromptLogConfig.builder(home).shardCount(1).backgroundCompaction(false).build())) {
            for (LlmCall c : calls) {
                assertThat(log.append(c)).isGreaterThanOrEqualTo(0);
            }
        }
    }
}
