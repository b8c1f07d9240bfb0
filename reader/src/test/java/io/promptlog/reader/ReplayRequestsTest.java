package io.promptlog.reader;

import com.fasterxml.jackson.databind.JsonNode;
import io.promptlog.writer.LlmCall;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(120)
class ReplayRequestsTest {

    private static JsonNode json(String s) throws Exception {
        return CanonicalJson.mapper().readTree(s);
    }

    @Test
    void shouldRebuildAnOpenAiChatCompletionsBodyWithEveryLoggedParameter() throws Exception {
        LlmCall c = CanonicalJsonTest.everyField().toBuilder().truncated(false).build();
        JsonNode b = json(ReplayRequests.forCall(stored(c, true)));
        assertThat(b.get("model").asText()).isEqualTo("gpt-4o");
        assertThat(b.get("messages").get(0).toString()).isEqualTo("{\"role\":\"system\",\"content\":\"You are helpful.\\nBe brief. 日本語 😀\"}");
        assertThat(b.get("messages").get(1).toString()).isEqualTo("{\"role\":\"user\",\"content\":\"hi \\\"there\\\"\"}");
        assertThat(b.get("messages").get(2).toString()).isEqualTo("{\"role\":\"assistant\",\"name\":\"bot\"}");
        assertThat(b.get("messages").get(3).toString()).isEqualTo("{\"role\":\"tool\",\"content\":\"42\",\"tool_call_id\":\"call_1\"}");
        assertThat(b.get("temperature").asDouble()).isEqualTo(0.7);
        assertThat(b.get("top_p").asDouble()).isEqualTo(0.95);
        assertThat(b.get("max_tokens").asLong()).isEqualTo(1024);
        assertThat(b.get("frequency_penalty").asDouble()).isEqualTo(0.1);
        assertThat(b.get("presence_penalty").asDouble()).isEqualTo(-0.2);
        assertThat(b.get("seed").asLong()).isEqualTo(42);
        assertThat(b.get("stop").toString()).isEqualTo("[\"\\n\\n\",\"END\"]");
        assertThat(b.get("stream").asBoolean()).isTrue();
        assertThat(b.get("tools").get(0).get("function").get("name").asText()).isEqualTo("f");
        assertThat(b.get("logprobs").asBoolean()).as("params merged in").isTrue();
    }

    @Test
    void shouldRebuildAnAnthropicMessagesBodyForAnthropicCalls() throws Exception {
        LlmCall c = CanonicalJsonTest.everyField().toBuilder().truncated(false).provider("anthropic")
                .requestModel("claude-sonnet-4-5").build();
        JsonNode b = json(ReplayRequests.forCall(stored(c, true)));
        assertThat(b.get("model").asText()).isEqualTo("claude-sonnet-4-5");
        assertThat(b.get("system").asText()).isEqualTo(c.systemPrompt());
        assertThat(b.get("max_tokens").asLong()).isEqualTo(1024);
        assertThat(b.get("messages").get(0).toString()).isEqualTo("{\"role\":\"user\",\"content\":\"hi \\\"there\\\"\"}");
        assertThat(b.get("messages").get(2).toString())
                .isEqualTo("{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\",\"tool_use_id\":\"call_1\",\"content\":\"42\"}]}");
        assertThat(b.get("top_k").asLong()).isEqualTo(40);
        assertThat(b.get("stop_sequences").size()).isEqualTo(2);
    }

    @Test
    void shouldRefuseToReplayACallWhoseTextWasNotRetained(@TempDir Path home) throws Exception {
        TestHomes.generate(home, 30, 0, 3);
        TestHomes.compact(home, "none", "default");
        try (PromptLogReader r = PromptLogReader.openHome(home)) {
            String id = (String) r.sql("SELECT call_id FROM calls LIMIT 1").scalar();
            assertThatThrownBy(() -> r.replayRequest(id)).isInstanceOf(PromptLogReaderException.class)
                    .hasMessageContaining("cannot replay call " + id + ": its text was not retained");
        }
    }

    @Test
    void shouldReplayAStoredCallExactlyAsLogged(@TempDir Path home) throws Exception {
        LlmCall c = CanonicalJsonTest.everyField().toBuilder().truncated(false).build();
        TestHomes.append(home, c);
        TestHomes.compact(home, "all", "none");
        try (PromptLogReader r = PromptLogReader.openHome(home)) {
            assertThat(json(r.replayRequest("c-1"))).isEqualTo(json(ReplayRequests.forCall(stored(c, true))));
        }
    }

    private static StoredCall stored(LlmCall c, boolean retained) {
        return new StoredCall(c, false, retained, retained ? "all" : null, null, null, null, null, 0L, 0L, 0L, null);
    }
}
