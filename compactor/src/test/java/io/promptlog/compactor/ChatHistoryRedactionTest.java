package io.promptlog.compactor;

import io.promptlog.writer.LlmCall;
import io.promptlog.writer.Message;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A chat re-sends its conversation on every call, and the compactor redacts a message content it saw lately
 * once: every call must still store each content redacted, count its replacements, and hash its messages as
 * logged, exactly as if each call were compacted alone.
 */
@Timeout(120)
class ChatHistoryRedactionTest {

    @Test
    void shouldRedactAndCountEveryResentTurnOnEveryCallAsIfCompactedAlone(@TempDir Path home) throws Exception {
        String[] users = {"my card is 4111 1111 1111 1111, mail a.b@corp.example", "thanks", "key sk-proj-abcDEF1234567890abcdef12 ok",
                "password=Hunter2xyz and again 4111 1111 1111 1111"};
        String[] answers = {"noted, I will mail a.b@corp.example", "you're welcome", "never share keys", "done"};
        List<LlmCall> calls = new ArrayList<>();
        for (int conv = 0; conv < 3; conv++) {
            List<Message> history = new ArrayList<>();
            for (int turn = 0; turn < users.length; turn++) {
                history.add(Message.of("user", users[turn]));
                calls.add(LlmCall.builder().callId("c" + conv + "-" + turn).requestModel("m")
                        .startTimeMicros(1_764_000_000_000_000L + conv * 1_000_000L + turn)
                        .messages(List.copyOf(history)).response(answers[turn]).build());
                history.add(Message.of("assistant", answers[turn]));
            }
            // the same content twice in one call, and a call that repeats the whole conversation
            calls.add(LlmCall.builder().callId("c" + conv + "-again").requestModel("m")
                    .startTimeMicros(1_764_000_000_000_000L + conv * 1_000_000L + 99)
                    .messages(List.of(Message.of("user", users[0]), Message.of("user", users[0]))).response(answers[0]).build());
        }
        RetentionAndRedactionCompactionTest.log(home, calls);
        try (Compactor c = Compactor.open(CompactorConfig.builder(home).retention(RetentionPolicy.all()).build())) {
            c.runOnce();
        }
        Redactor red = Redactors.defaults();
        try (DuckDataset d = new DuckDataset(home.resolve("data"))) {
            for (LlmCall want : calls) {
                Map<String, Object> row = d.rows("SELECT redactions, input_hash, response, len(messages) n FROM calls WHERE call_id = '"
                        + want.callId() + "'").get(0);
                long replacements = red.redact(want.response()).replacements();
                List<Object> stored = d.column("SELECT m.content FROM (SELECT unnest(messages) m, generate_subscripts(messages, 1) i "
                        + "FROM calls WHERE call_id = '" + want.callId() + "') ORDER BY i");
                assertThat(stored).hasSize(want.messages().size());
                for (int i = 0; i < stored.size(); i++) {
                    Redactor.Result r = red.redact(want.messages().get(i).content());
                    assertThat(stored.get(i)).as("%s message %d", want.callId(), i).isEqualTo(r.text());
                    replacements += r.replacements();
                }
                assertThat(row.get("response")).isEqualTo(red.redact(want.response()).text());
                assertThat(row.get("redactions")).as(want.callId()).isEqualTo(replacements);
                assertThat(row.get("input_hash")).isEqualTo(TestCalls.messagesHash(home, want.messages()));
            }
            assertThat(d.column("SELECT count(*) FROM (SELECT unnest(messages) m FROM calls) WHERE m.content LIKE '%4111%' "
                    + "OR m.content LIKE '%corp.example%' OR m.content LIKE '%Hunter2%'").get(0)).isEqualTo(0L);
        }
    }
}
