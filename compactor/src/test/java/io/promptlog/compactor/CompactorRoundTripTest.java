package io.promptlog.compactor;

import io.promptlog.synthetic.SyntheticCalls;
import io.promptlog.writer.AppendStatus;
import io.promptlog.writer.CallField;
import io.promptlog.writer.LlmCall;
import io.promptlog.writer.Message;
import io.promptlog.writer.PromptLog;
import io.promptlog.writer.PromptLogConfig;
import io.promptlog.writer.PromptLogHome;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Array;
import java.sql.Struct;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(180)
class CompactorRoundTripTest {
    private static final int SYNTHETIC = 3000;
    private static final int HAND_BUILT = 20;

    static PromptLogConfig.Builder logConfig(Path home) {
        return PromptLogConfig.builder(home).shardCount(2).backgroundCompaction(false);
    }

    @Test
    void shouldWriteOneRowPerCallWithEveryColumnEqualToWhatWasLogged(@TempDir Path home) throws Exception {
        Map<String, LlmCall> logged = new HashMap<>();
        SyntheticCalls gen = new SyntheticCalls(42, 7, 200, 3000);
        try (PromptLog log = PromptLog.open(logConfig(home).build())) {
            for (int i = 0; i < SYNTHETIC; i++) {
                LlmCall c = gen.call(i);
                assertThat(log.append(c)).isZero();
                logged.put(c.callId(), c);
            }
            for (int i = 0; i < HAND_BUILT; i++) {
                LlmCall c = TestCalls.everyField(i);
                assertThat(log.append(c)).isZero();
                logged.put(c.callId(), c);
            }
        }
        CompactorConfig cfg = CompactorConfig.builder(home).retention(RetentionPolicy.all())
                .redactor(Redactors.none()).maxFileRows(1000).build();
        try (Compactor c = Compactor.open(cfg)) {
            CompactionResult r = c.runOnce();
            assertThat(r.callsWritten()).isEqualTo(SYNTHETIC + HAND_BUILT);
            assertThat(c.stats().errors()).isZero();
        }

        try (DuckDataset d = new DuckDataset(home.resolve("data"))) {
            assertThat(d.count("SELECT count(*) FROM calls")).isEqualTo(SYNTHETIC + HAND_BUILT);
            assertThat(d.count("SELECT count(DISTINCT call_id) FROM calls")).isEqualTo(SYNTHETIC + HAND_BUILT);
            StringBuilder sql = new StringBuilder("SELECT ");
            for (CallField f : CallField.all()) {
                if (f == CallField.SYSTEM_PROMPT || f == CallField.TOOLS) {
                    continue;
                }
                sql.append(f.type() == io.promptlog.writer.FieldType.TIMESTAMP_MICROS
                        ? "epoch_us(" + f.column() + ") AS " + f.column() + "_us" : f.column()).append(", ");
            }
            sql.append("c.*, sp.system_prompt AS joined_prompt, td.tools AS joined_tools, c.date AS date "
                    + "FROM calls c LEFT JOIN system_prompts sp USING (system_prompt_hash) "
                    + "LEFT JOIN tool_definitions td USING (tools_hash)");
            List<Map<String, Object>> rows = d.rows(sql.toString().replace("SELECT c.*", "SELECT c.*"));
            assertThat(rows).hasSize(SYNTHETIC + HAND_BUILT);
            for (Map<String, Object> row : rows) {
                LlmCall want = logged.get((String) row.get("call_id"));
                assertThat(want).as("row %s was logged", row.get("call_id")).isNotNull();
                for (CallField f : CallField.all()) {
                    if (f == CallField.SYSTEM_PROMPT || f == CallField.TOOLS) {
                        continue;
                    }
                    String key = f.type() == io.promptlog.writer.FieldType.TIMESTAMP_MICROS ? f.column() + "_us" : f.column();
                    assertThat(normalize(row.get(key))).as("%s of %s", f.column(), want.callId())
                            .isEqualTo(expected(want, f));
                }
                assertThat(row.get("joined_prompt")).isEqualTo(want.systemPrompt());
                assertThat(row.get("joined_tools")).isEqualTo(want.string(CallField.TOOLS));
                assertThat(row.get("system_prompt_hash")).isEqualTo(want.systemPrompt() == null ? null
                        : TestCalls.textHash(want.systemPrompt()));
                assertThat(row.get("input_hash")).isEqualTo(TestCalls.messagesHash(home, want.messages()));
                assertThat(row.get("output_hash")).isEqualTo(want.response() == null ? null : TestCalls.outputHash(home, want.response()));
                assertThat(row.get("input_chars")).isEqualTo(want.messages().stream()
                        .mapToLong(m -> m.content() == null ? 0 : m.content().length()).sum());
                assertThat(row.get("output_chars")).isEqualTo(want.response() == null ? 0L : (long) want.response().length());
                assertThat(row.get("text_retained")).isEqualTo(true);
                assertThat(row.get("retention_reason")).isEqualTo("all");
                assertThat(row.get("redactions")).isEqualTo(0L);
                assertThat(row.get("truncated")).isEqualTo(false);
                assertThat(row.get("schema_version")).isEqualTo(CallField.SCHEMA_VERSION);
                assertThat(row.get("date").toString()).isEqualTo(java.time.LocalDate.ofEpochDay(
                        Math.floorDiv(want.startTimeMicros(), 86_400_000_000L)).toString());
            }
            // each distinct text exactly once
            assertThat(d.count("SELECT count(*) FROM system_prompts"))
                    .isEqualTo(logged.values().stream().map(LlmCall::systemPrompt).distinct().count());
            assertThat(d.count("SELECT count(*) - count(DISTINCT system_prompt_hash) FROM system_prompts")).isZero();
            assertThat(d.count("SELECT count(*) FROM tool_definitions")).isEqualTo(1);
            for (Map<String, Object> p : d.rows("SELECT system_prompt, chars FROM system_prompts")) {
                assertThat(p.get("chars")).as("chars is the Java char count").isEqualTo((long) ((String) p.get("system_prompt")).length());
            }
        }
    }

    @Test
    void shouldWriteSortedZstdFilesWithStatisticsDictionaryAndBloomFilter(@TempDir Path home) throws Exception {
        SyntheticCalls gen = new SyntheticCalls(3, 5, 100, 500);
        try (PromptLog log = PromptLog.open(logConfig(home).build())) {
            // out of order start times within the queue
            for (int i = 0; i < 500; i++) {
                log.append(gen.call(i % 2 == 0 ? i : 1000 - i));
            }
        }
        try (Compactor c = Compactor.open(CompactorConfig.builder(home).build())) {
            c.runOnce();
        }
        Path data = home.resolve("data");
        List<Path> files;
        try (Stream<Path> s = Files.walk(data.resolve("calls"))) {
            files = s.filter(p -> p.toString().endsWith(".parquet")).toList();
        }
        assertThat(files).isNotEmpty();
        try (DuckDataset d = new DuckDataset(data)) {
            for (Path f : files) {
                String q = "'" + f + "'";
                List<Object> times = d.column("SELECT start_time FROM read_parquet(" + q + ")");
                List<Object> sorted = new ArrayList<>(times);
                sorted.sort(null);
                assertThat(times).as("rows sorted by start_time in %s", f).isEqualTo(sorted);
                assertThat(d.column("SELECT DISTINCT compression FROM parquet_metadata(" + q + ")"))
                        .containsExactly("ZSTD");
                assertThat(d.count("SELECT count(*) FROM parquet_metadata(" + q + ") WHERE path_in_schema = 'call_id' "
                        + "AND bloom_filter_offset IS NOT NULL AND bloom_filter_length > 0")).isPositive();
                assertThat(d.count("SELECT count(*) FROM parquet_metadata(" + q + ") WHERE path_in_schema = 'request_model' "
                        + "AND encodings LIKE '%DICTIONARY%' AND stats_min_value IS NOT NULL")).isPositive();
                assertThat(d.count("SELECT count(*) FROM parquet_metadata(" + q + ") WHERE path_in_schema = 'call_id' "
                        + "AND encodings LIKE '%DICTIONARY%'")).isZero();
                // min/max statistics where they prune (ids, times), none on free text and hashes
                assertThat(d.count("SELECT count(*) FROM parquet_metadata(" + q + ") WHERE path_in_schema IN ('call_id', 'start_time') "
                        + "AND stats_min_value IS NOT NULL AND stats_max_value IS NOT NULL")).isPositive();
                assertThat(d.count("SELECT count(*) FROM parquet_metadata(" + q + ") WHERE path_in_schema IN ('response', 'input_hash', "
                        + "'output_hash', 'error_message', 'messages, list, element, content') "
                        + "AND (stats_min_value IS NOT NULL OR stats_max_value IS NOT NULL)")).isZero();
                assertThat(d.count("SELECT count(*) FROM parquet_metadata(" + q + ") WHERE path_in_schema = 'response'")).isPositive();
                assertThat(d.rows("SELECT type, logical_type FROM parquet_schema(" + q + ") WHERE name = 'start_time'")
                        .get(0).get("logical_type").toString()).contains("MICROS").containsIgnoringCase("isAdjustedToUTC=1");
                assertThat(d.count("SELECT count(*) FROM parquet_kv_metadata(" + q + ") WHERE decode(key) = 'promptlog.last_index'"))
                        .isEqualTo(1);
            }
            assertThat(d.rows("SELECT typeof(start_time) t, typeof(messages) m, typeof(attributes) a, typeof(date) dt FROM calls LIMIT 1")
                    .get(0)).containsEntry("t", "TIMESTAMP WITH TIME ZONE")
                    .containsEntry("m", "STRUCT(\"role\" VARCHAR, \"content\" VARCHAR, \"name\" VARCHAR, tool_call_id VARCHAR)[]")
                    .containsEntry("a", "MAP(VARCHAR, VARCHAR)").containsEntry("dt", "DATE");
        }
    }

    static Object expected(LlmCall c, CallField f) {
        Object v = c.get(f);
        if (v == null) {
            return null;
        }
        if (f == CallField.MESSAGES) {
            List<List<String>> out = new ArrayList<>();
            for (Message m : c.messages()) {
                out.add(Arrays.asList(m.role(), m.content(), m.name(), m.toolCallId()));
            }
            return out;
        }
        return v;
    }

    static Object normalize(Object v) throws Exception {
        if (v instanceof Array a) {
            List<Object> out = new ArrayList<>();
            for (Object o : (Object[]) a.getArray()) {
                out.add(normalize(o));
            }
            return out;
        }
        if (v instanceof Struct s) {
            List<Object> out = new ArrayList<>();
            for (Object o : s.getAttributes()) {
                out.add(normalize(o));
            }
            return out;
        }
        return v;
    }

    @Test
    void shouldCompactTheShardsOfEveryLogThatSharedTheHome(@TempDir Path home) throws Exception {
        // two logs open at once on one home (a rolling deploy): the second appends to shard directories of its own
        SyntheticCalls gen = new SyntheticCalls(5, 3, 100, 400);
        try (PromptLog first = PromptLog.open(logConfig(home).build()); PromptLog second = PromptLog.open(logConfig(home).build())) {
            for (int i = 0; i < 300; i++) {
                assertThat(AppendStatus.isAppended((i % 2 == 0 ? first : second).append(gen.call(i)))).isTrue();
            }
            assertThat(PromptLogHome.shardDirs(home)).hasSize(first.stats().shardCount() + second.stats().shardCount());
        }
        try (Compactor c = Compactor.open(CompactorConfig.builder(home).retention(RetentionPolicy.all()).build())) {
            assertThat(c.runOnce().callsWritten()).isEqualTo(300);
        }
        try (DuckDataset d = new DuckDataset(home.resolve("data"))) {
            assertThat(d.count("SELECT count(DISTINCT call_id) FROM calls")).isEqualTo(300);
        }
    }
}
