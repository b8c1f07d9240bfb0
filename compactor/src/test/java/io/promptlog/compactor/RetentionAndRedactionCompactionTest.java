package io.promptlog.compactor;

import io.promptlog.format.DerivedValues;
import io.promptlog.synthetic.SyntheticCalls;
import io.promptlog.writer.LlmCall;
import io.promptlog.writer.Message;
import io.promptlog.writer.PromptLog;
import io.promptlog.writer.PromptLogConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(180)
class RetentionAndRedactionCompactionTest {
    private static final int N = 3000;

    static void log(Path home, List<LlmCall> calls) {
        try (PromptLog log = PromptLog.open(PromptLogConfig.builder(home).shardCount(2).backgroundCompaction(false).build())) {
            for (LlmCall c : calls) {
                assertThat(log.append(c)).isZero();
            }
        }
    }

    static List<LlmCall> synthetic(int n) {
        SyntheticCalls gen = new SyntheticCalls(11, 6, 200, 2000);
        List<LlmCall> out = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(gen.call(i));
        }
        return out;
    }

    static Set<Object> retainedIds(Path data) throws Exception {
        try (DuckDataset d = new DuckDataset(data)) {
            return new HashSet<>(d.column("SELECT call_id FROM calls WHERE text_retained"));
        }
    }

    @Test
    void shouldKeepTextOnlyForErrorsFlaggedRulesAndSampleButHashesAndLengthsForAll(@TempDir Path home) throws Exception {
        List<LlmCall> calls = synthetic(N);
        log(home, calls);
        try (Compactor c = Compactor.open(CompactorConfig.builder(home).redactor(Redactors.none()).build())) {
            c.runOnce();
        }
        DerivedValues h = new DerivedValues();
        Map<String, LlmCall> byId = new HashMap<>();
        calls.forEach(c -> byId.put(c.callId(), c));
        Map<String, Integer> reasons = new HashMap<>();
        try (DuckDataset d = new DuckDataset(home.resolve("data"))) {
            for (Map<String, Object> row : d.rows("SELECT call_id, text_retained, retention_reason, messages IS NULL nm, "
                    + "response IS NULL nr, input_hash, output_hash, input_chars, output_chars, status FROM calls")) {
                LlmCall c = byId.get((String) row.get("call_id"));
                String want = RetentionPolicy.defaults().reason(c, h.samplingHash(c.callId()), true);
                assertThat(row.get("retention_reason")).as("reason of %s", c.callId()).isEqualTo(want);
                assertThat(row.get("text_retained")).isEqualTo(want != null);
                assertThat(row.get("nm")).isEqualTo(want == null);
                if (c.response() != null) {
                    assertThat(row.get("nr")).isEqualTo(want == null);
                }
                assertThat(row.get("input_hash")).isEqualTo(TestCalls.messagesHash(home, c.messages()));
                assertThat(row.get("output_hash")).isEqualTo(c.response() == null ? null : TestCalls.outputHash(home, c.response()));
                assertThat(row.get("input_chars")).isEqualTo(c.messages().stream().mapToLong(m -> m.content().length()).sum());
                reasons.merge(String.valueOf(want), 1, Integer::sum);
            }
        }
        System.out.println("reasons " + reasons);
        assertThat(reasons).containsKeys("error", "sample", "null");
        assertThat(reasons.get("null")).isGreaterThan(N / 2);
    }

    @Test
    void shouldSampleTheSameCallsOnEveryRun(@TempDir Path a, @TempDir Path b) throws Exception {
        List<LlmCall> calls = synthetic(1500);
        log(a, calls);
        log(b, calls);
        try (Compactor c = Compactor.open(CompactorConfig.builder(a).build())) {
            c.runOnce();
        }
        try (Compactor c = Compactor.open(CompactorConfig.builder(b).maxFileRows(100).build())) {
            c.runOnce();
        }
        Set<Object> ra = retainedIds(a.resolve("data"));
        assertThat(ra).isNotEmpty().isEqualTo(retainedIds(b.resolve("data")));
    }

    @Test
    void shouldRedactMessagesResponseAndSystemPromptAndCountReplacements(@TempDir Path home) throws Exception {
        LlmCall raw = LlmCall.builder().callId("pii-1").startTimeMicros(TestCalls.BASE_MICROS)
                .systemPrompt("You are the support bot of ACME. Escalate to help@acme.com.")
                .messages(List.of(Message.of("user", "I am bob@example.com, call me on +1 415 555 0100"),
                        Message.of("assistant", "Card 4111 1111 1111 1111 was declined")))
                .response("Use key sk-proj-abcDEF1234567890abcdef12 for the API")
                .status("error").build();
        LlmCall dropped = raw.toBuilder().callId("pii-2").status("ok").build();
        log(home, List.of(raw, dropped));
        try (Compactor c = Compactor.open(CompactorConfig.builder(home).retention(RetentionPolicy.builder().sampleRate(0).build()).build())) {
            c.runOnce();
            assertThat(c.stats().redactions()).isEqualTo(5 + 1);
        }
        String storedPrompt = "You are the support bot of ACME. Escalate to [EMAIL].";
        try (DuckDataset d = new DuckDataset(home.resolve("data"))) {
            Map<String, Object> r = d.rows("SELECT messages[1].content m1, messages[2].content m2, response, redactions, "
                    + "system_prompt_hash, input_hash, output_hash, text_retained FROM calls WHERE call_id = 'pii-1'").get(0);
            assertThat(r).containsEntry("m1", "I am [EMAIL], call me on [PHONE]")
                    .containsEntry("m2", "Card [CREDIT_CARD] was declined")
                    .containsEntry("response", "Use key [API_KEY] for the API")
                    .containsEntry("redactions", 5L)
                    .containsEntry("system_prompt_hash", TestCalls.textHash(storedPrompt))
                    .containsEntry("input_hash", TestCalls.messagesHash(home, raw.messages()))
                    .containsEntry("output_hash", TestCalls.outputHash(home, raw.response()));
            Map<String, Object> r2 = d.rows("SELECT messages, response, redactions, input_hash, text_retained "
                    + "FROM calls WHERE call_id = 'pii-2'").get(0);
            assertThat(r2).containsEntry("messages", null).containsEntry("response", null)
                    .containsEntry("redactions", 1L).containsEntry("text_retained", false)
                    .containsEntry("input_hash", TestCalls.messagesHash(home, raw.messages()));
            assertThat(d.column("SELECT system_prompt FROM system_prompts")).containsExactly(storedPrompt);
            assertThat(d.count("SELECT count(*) FROM calls c JOIN system_prompts s USING (system_prompt_hash)")).isEqualTo(2);
        }
    }
}
