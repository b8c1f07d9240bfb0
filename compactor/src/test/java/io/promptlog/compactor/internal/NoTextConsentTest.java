package io.promptlog.compactor.internal;

import io.promptlog.compactor.Compactor;
import io.promptlog.compactor.CompactorConfig;
import io.promptlog.compactor.RetentionPolicy;
import io.promptlog.writer.CallField;
import io.promptlog.writer.CallRecorder;
import io.promptlog.writer.LlmCall;
import io.promptlog.writer.Message;
import io.promptlog.writer.PromptLog;
import io.promptlog.writer.PromptLogConfig;
import io.promptlog.writer.PromptLogHome;
import io.promptlog.writer.ShardCursor;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.core.time.SetTimeProvider;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Consent: a call marked no-text keeps its metadata and none of its text, in Parquet and in the queue. */
@Timeout(120)
class NoTextConsentTest {
    private static final long HOUR_MILLIS = 3_600_000L;
    private static final long T10 = 1_795_132_800_000L + 10 * HOUR_MILLIS;
    private static final String SECRET_PROMPT = "You are Dr. Jones's assistant for patient 4471";

    private static List<Map<String, Object>> rows(Path data, String sql) throws Exception {
        List<Map<String, Object>> out = new ArrayList<>();
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
             ResultSet r = c.createStatement().executeQuery(sql.replace("$data", data.toString()))) {
            ResultSetMetaData md = r.getMetaData();
            while (r.next()) {
                Map<String, Object> row = new HashMap<>();
                for (int i = 1; i <= md.getColumnCount(); i++) {
                    row.put(md.getColumnLabel(i), r.getObject(i));
                }
                out.add(row);
            }
        }
        return out;
    }

    @Test
    void shouldStoreMetadataButNoTextOfANoTextCallWhateverTheRetentionPolicy(@TempDir Path home) throws Exception {
        try (PromptLog log = PromptLog.open(PromptLogConfig.builder(home).shardCount(1).backgroundCompaction(false).build())) {
            try (CallRecorder r = log.begin()) {
                r.callId("recorder-no-text").requestModel("gpt-4o").systemPrompt(SECRET_PROMPT).tools("[{\"name\":\"chart\"}]")
                        .message("user", "my diagnosis is private").response("noted").inputTokens(12).outputTokens(3)
                        .status(CallField.STATUS_ERROR).errorMessage("rejected: my diagnosis is private")
                        .attribute("tenant", "t1").noText();
            }
            LlmCall consenting = LlmCall.builder().callId("consenting").startTimeMicros(1_795_132_800_000_000L)
                    .requestModel("gpt-4o").systemPrompt("shared prompt").messages(List.of(Message.of("user", "hello")))
                    .response("hi").status("ok").build();
            assertThat(log.append(consenting)).isGreaterThanOrEqualTo(0);
            assertThat(log.append(consenting.toBuilder().callId("builder-no-text").noText().build())).isGreaterThanOrEqualTo(0);
        }
        try (Compactor c = Compactor.open(CompactorConfig.builder(home).retention(RetentionPolicy.all()).build())) {
            c.runOnce();
            assertThat(c.stats().errors()).isZero();
        }
        Path data = home.resolve("data");
        Map<String, Map<String, Object>> byId = new HashMap<>();
        for (Map<String, Object> row : rows(data, "SELECT call_id, no_text, request_model, input_tokens, status, attributes['tenant'] AS tenant, "
                + "messages, response, response_tool_calls, error_message, system_prompt_hash, tools_hash, input_hash, output_hash, "
                + "text_retained, retention_reason, input_chars FROM read_parquet('$data/calls/**/*.parquet')")) {
            byId.put((String) row.get("call_id"), row);
        }
        for (String id : List.of("recorder-no-text", "builder-no-text")) {
            Map<String, Object> row = byId.get(id);
            assertThat(row.get("no_text")).as(id).isEqualTo(true);
            assertThat(row.get("request_model")).isEqualTo("gpt-4o");
            assertThat(row.get("text_retained")).isEqualTo(false);
            assertThat(row.get("input_chars")).isNotEqualTo(0L);
            for (String textColumn : List.of("messages", "response", "response_tool_calls", "error_message",
                    "system_prompt_hash", "tools_hash", "input_hash", "output_hash", "retention_reason")) {
                assertThat(row.get(textColumn)).as("%s of %s", textColumn, id).isNull();
            }
        }
        assertThat(byId.get("recorder-no-text")).containsEntry("input_tokens", 12L).containsEntry("tenant", "t1")
                .containsEntry("status", "error");
        assertThat(byId.get("consenting").get("response")).isEqualTo("hi");
        assertThat(byId.get("consenting").get("no_text")).isNull();
        assertThat(rows(data, "SELECT system_prompt FROM read_parquet('$data/system_prompts/*.parquet')"))
                .extracting(r -> r.get("system_prompt")).containsExactly("shared prompt");
        assertThat(Files.exists(data.resolve("tool_definitions"))).isFalse();
    }

    /** Raw records of calls to re-append at chosen wall-clock times (hour 10: 0-2, 11: 3-5, 12: 6-8). */
    private static List<byte[]> records(Path scratch, int noTextAt) {
        try (PromptLog log = PromptLog.open(PromptLogConfig.builder(scratch).shardCount(1).backgroundCompaction(false).build())) {
            for (int i = 0; i < 9; i++) {
                LlmCall.Builder b = LlmCall.builder().callId("c-" + i).startTimeMicros(1_795_132_800_000_000L + i)
                        .messages(List.of(Message.of("user", "text " + i))).status("ok");
                log.append((i == noTextAt ? b.noText() : b).build());
            }
        }
        List<byte[]> out = new ArrayList<>();
        try (ShardCursor c = ShardCursor.open(PromptLogHome.shardDir(scratch, 0))) {
            while (c.next()) {
                out.add(Arrays.copyOf(c.buffer(), c.length()));
            }
        }
        return out;
    }

    private static List<String> cycleFiles(Path shard) throws Exception {
        try (Stream<Path> s = Files.list(shard)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".cq4")).sorted().toList();
        }
    }

    private static Path queueWithCycles(Path scratch, Path home, int noTextAt) throws Exception {
        List<byte[]> recs = records(scratch, noTextAt);
        Path shard = PromptLogHome.shardDir(home, 0);
        Files.createDirectories(shard);
        SetTimeProvider clock = new SetTimeProvider(T10 * 1_000_000L);
        try (SingleChronicleQueue q = SingleChronicleQueueBuilder.binary(shard).rollCycle(RollCycles.FAST_HOURLY)
                .blockSize(64L << 20).timeProvider(clock).build();
             ExcerptAppender a = q.createAppender()) {
            for (int i = 0; i < recs.size(); i++) {
                clock.currentTimeMillis(T10 + (i / 3) * HOUR_MILLIS);
                a.writeBytes(Bytes.wrapForRead(recs.get(i)));
            }
        }
        return shard;
    }

    @Test
    void shouldDeleteTheQueueCycleOfACompactedNoTextCallWithoutTheGracePeriod(@TempDir Path scratch, @TempDir Path home)
            throws Exception {
        Path shard = queueWithCycles(scratch, home, 4);
        assertThat(cycleFiles(shard)).containsExactly("20261120-10F.cq4", "20261120-11F.cq4", "20261120-12F.cq4");
        try (Compactor c = Compactor.open(CompactorConfig.builder(home).queueRetention(Duration.ofHours(24)).build())) {
            c.runOnce();
            assertThat(c.stats().queueFilesDeleted()).as("%s", c.stats()).isEqualTo(2);
        }
        // hour 11 held the no-text call: gone at once, with the older hour 10; hour 12 holds the committed index
        assertThat(cycleFiles(shard)).containsExactly("20261120-12F.cq4");
    }

    @Test
    void shouldKeepQueueCyclesForTheGracePeriodWhenNoCallAskedForNoText(@TempDir Path scratch, @TempDir Path home)
            throws Exception {
        Path shard = queueWithCycles(scratch, home, -1);
        try (Compactor c = Compactor.open(CompactorConfig.builder(home).queueRetention(Duration.ofHours(24)).build())) {
            c.runOnce();
            assertThat(c.stats().queueFilesDeleted()).isZero();
        }
        assertThat(cycleFiles(shard)).hasSize(3);
    }
}
