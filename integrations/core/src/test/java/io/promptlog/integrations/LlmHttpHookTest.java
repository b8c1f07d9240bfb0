package io.promptlog.integrations;

import io.promptlog.testsupport.Await;
import io.promptlog.writer.CallField;
import io.promptlog.writer.LlmCall;
import io.promptlog.writer.PromptLog;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The HTTP-level recorder driven directly, for the cases the SDK tests cannot easily provoke. */
@Timeout(30)
class LlmHttpHookTest {
    static final String CHAT = "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    @TempDir
    Path home;
    PromptLog log;
    PromptLogHooks hooks;

    @BeforeEach
    void open() {
        log = PromptLog.open(home);
        hooks = PromptLogHooks.of(log);
    }

    @AfterEach
    void close() {
        log.close();
    }

    static Function<String, String> headers(Map<String, String> h) {
        return name -> h.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name)).map(Map.Entry::getValue)
                .findFirst().orElse(null);
    }

    static InputStream body(String s) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
    }

    /** Sends one complete response through a new exchange, reading the body to its end and closing it. */
    static void respond(LlmHttpExchange ex, int status, String contentType, String body) throws IOException {
        ex.response(status, headers(Map.of("Content-Type", contentType)));
        try (InputStream in = ex.responseBody(body(body))) {
            in.readAllBytes();
        }
    }

    LlmCall exchange(String path, String request, String contentType, String response) throws IOException {
        LlmHttpHook hook = LlmHttpHook.builder(hooks).build();
        respond(hook.begin("POST", path, request.getBytes(StandardCharsets.UTF_8), null), 200, contentType, response);
        return LoggedCalls.readAll(home).get(LoggedCalls.readAll(home).size() - 1);
    }

    @Test
    void shouldCountAndSwallowFailuresInsideTheHookWithoutTouchingTheApp() throws Exception {
        LlmHttpHook hook = LlmHttpHook.builder(hooks).build();
        Function<String, String> broken = name -> {
            throw new IllegalStateException("broken header lookup");
        };
        LlmHttpExchange ex = hook.begin("POST", "/v1/chat/completions", CHAT.getBytes(StandardCharsets.UTF_8), null);
        ex.response(200, broken);
        byte[] sent = "{\"id\":\"x\",\"choices\":[]}".getBytes(StandardCharsets.UTF_8);
        byte[] seen;
        try (InputStream in = ex.responseBody(new ByteArrayInputStream(sent))) {
            seen = in.readAllBytes();
        }
        assertThat(seen).isEqualTo(sent);
        assertThat(hook.begin("POST", "/v1/chat/completions", null, broken)).isNull();
        assertThat(hooks.stats().failures()).isEqualTo(2);
        assertThat(hooks.stats().lastFailure()).isEqualTo("begin /v1/chat/completions: java.lang.IllegalStateException: broken header lookup");
        assertThat(hooks.stats().recorded()).isEqualTo(1);
    }

    @Test
    void shouldPassAReadFailureToTheAppAndRecordIt() throws Exception {
        LlmHttpHook hook = LlmHttpHook.builder(hooks).build();
        LlmHttpExchange ex = hook.begin("POST", "/v1/chat/completions", CHAT.getBytes(StandardCharsets.UTF_8), null);
        ex.response(200, headers(Map.of("Content-Type", "text/event-stream")));
        IOException reset = new IOException("connection reset");
        InputStream failing = new SequenceInputStream(body("data: {\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":"
                + "{\"content\":\"Hel\"}}]}\n\n"), new InputStream() {
            @Override
            public int read() throws IOException {
                throw reset;
            }
        });
        InputStream in = ex.responseBody(failing);
        assertThatThrownBy(in::readAllBytes).isSameAs(reset);
        LlmCall c = LoggedCalls.single(home);
        assertThat(c.status()).isEqualTo(CallField.STATUS_ERROR);
        assertThat(c.string(CallField.ERROR_TYPE)).isEqualTo("java.io.IOException");
        assertThat(c.string(CallField.ERROR_MESSAGE)).isEqualTo("reading the response failed: connection reset");
        assertThat(c.response()).isEqualTo("Hel");
    }

    @Test
    void shouldRecordOtherChoicesCountAndRefusals() throws Exception {
        LlmCall c = exchange("/v1/chat/completions", CHAT, "application/json", "{\"id\":\"c\",\"model\":\"gpt-4o\","
                + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":null,\"refusal\":\"I can't help with that.\"},"
                + "\"finish_reason\":\"stop\"},{\"index\":1,\"message\":{\"role\":\"assistant\",\"content\":\"b\"},\"finish_reason\":\"stop\"}]}");
        assertThat(c.attributes()).containsEntry("refusal", "I can't help with that.").containsEntry("choices", "2");
        assertThat(c.response()).isNull();
    }

    @Test
    void shouldRecordResponsesApiFunctionCallsInputItemsAndFailures() throws Exception {
        String request = "{\"model\":\"gpt-4.1\",\"instructions\":\"Use tools.\",\"input\":[{\"role\":\"user\",\"content\":"
                + "\"Weather in Paris?\"},{\"type\":\"function_call\",\"call_id\":\"call_1\",\"name\":\"get_weather\",\"arguments\":"
                + "\"{}\"},{\"type\":\"function_call_output\",\"call_id\":\"call_1\",\"output\":\"18C\"}],\"previous_response_id\":\"resp_0\"}";
        LlmCall c = exchange("/v1/responses", request, "application/json", "{\"id\":\"resp_1\",\"status\":\"completed\","
                + "\"model\":\"gpt-4.1\",\"output\":[{\"type\":\"function_call\",\"call_id\":\"call_2\",\"name\":\"get_weather\","
                + "\"arguments\":\"{\\\"city\\\":\\\"Lyon\\\"}\"}]}");
        assertThat(c.systemPrompt()).isEqualTo("Use tools.");
        assertThat(c.messages()).extracting(io.promptlog.writer.Message::role).containsExactly("user", "assistant", "tool");
        assertThat(c.messages().get(2).toolCallId()).isEqualTo("call_1");
        assertThat(c.messages().get(2).content()).isEqualTo("18C");
        assertThat(c.string(CallField.PARAMS)).isEqualTo("{\"previous_response_id\":\"resp_0\"}");
        assertThat(c.string(CallField.RESPONSE_TOOL_CALLS)).contains("\"call_id\":\"call_2\"");
        assertThat(c.string(CallField.FINISH_REASON)).isEqualTo("tool_calls");

        LlmCall failed = exchange("/v1/responses", request, "application/json", "{\"id\":\"resp_2\",\"status\":\"failed\","
                + "\"error\":{\"code\":\"server_error\",\"message\":\"model crashed\"},\"output\":[]}");
        assertThat(failed.status()).isEqualTo(CallField.STATUS_ERROR);
        assertThat(failed.string(CallField.ERROR_TYPE)).isEqualTo("server_error");
        assertThat(failed.string(CallField.ERROR_MESSAGE)).isEqualTo("model crashed");
    }

    @Test
    void shouldRecordAnErrorEventInsideAnAnthropicStream() throws Exception {
        LlmCall c = exchange("/v1/messages", "{\"model\":\"claude-haiku-4-5\",\"max_tokens\":10,\"stream\":true,"
                        + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", "text/event-stream",
                "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_e\",\"model\":\"claude-haiku-4-5\","
                        + "\"usage\":{\"input_tokens\":5}}}\n\nevent: error\ndata: {\"type\":\"error\",\"error\":"
                        + "{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n");
        assertThat(c.status()).isEqualTo(CallField.STATUS_ERROR);
        assertThat(c.string(CallField.ERROR_TYPE)).isEqualTo("overloaded_error");
        assertThat(c.string(CallField.ERROR_MESSAGE)).isEqualTo("Overloaded");
        assertThat(c.string(CallField.RESPONSE_ID)).isEqualTo("msg_e");
    }

    @Test
    void shouldGroupRetriesOfTheSameRequestOnlyAndRecordAHeldAttemptWhenItsWindowEnds() throws Exception {
        LlmHttpHook hook = LlmHttpHook.builder(hooks).clientRetries(true).retryWindow(Duration.ofSeconds(1)).build();
        byte[] a = CHAT.getBytes(StandardCharsets.UTF_8);
        byte[] b = CHAT.replace("hi", "hello").getBytes(StandardCharsets.UTF_8);
        respond(hook.begin("POST", "/v1/chat/completions", a, headers(Map.of("X-Stainless-Retry-Count", "0"))), 429,
                "application/json", "{}");
        respond(hook.begin("POST", "/v1/chat/completions", b, headers(Map.of("X-Stainless-Retry-Count", "0"))), 503,
                "application/json", "{}");
        respond(hook.begin("POST", "/v1/chat/completions", a, headers(Map.of("X-Stainless-Retry-Count", "1"))), 200,
                "application/json", "{\"id\":\"ok\",\"choices\":[]}");
        assertThat(hooks.stats().recorded()).as("request a is complete, b is held").isEqualTo(1);
        Await.until(() -> hooks.stats().recorded() >= 2, Duration.ofSeconds(10), "request b recorded");
        var calls = LoggedCalls.readAll(home);
        assertThat(calls).hasSize(2);
        assertThat(calls.get(0).attributes()).containsEntry("attempts", "2").containsEntry("retried_after", "429");
        assertThat(calls.get(0).string(CallField.RESPONSE_ID)).isEqualTo("ok");
        assertThat(calls.get(1).int64(CallField.HTTP_STATUS)).isEqualTo(503);
        assertThat(calls.get(1).attributes()).doesNotContainKey("attempts");
        hook.close();
    }

    @Test
    void shouldIgnoreRequestsThatAreNotLlmCalls() {
        LlmHttpHook hook = LlmHttpHook.builder(hooks).build();
        assertThat(hook.begin("GET", "/v1/chat/completions", null, null)).isNull();
        assertThat(hook.begin("POST", "/v1/embeddings", null, null)).isNull();
        assertThat(hook.begin("POST", "/v1/messages/count_tokens", null, null)).isNull();
        assertThat(LlmHttpHook.isLlmRequest("POST", "/openai/deployments/gpt4o/chat/completions?api-version=2024-10-21")).isTrue();
        assertThat(hooks.stats().failures()).isZero();
    }

    @Test
    void shouldRejectABadRetryWindowOrProviderName() {
        assertThatThrownBy(() -> LlmHttpHook.builder(hooks).retryWindow(Duration.ZERO))
                .hasMessage("retryWindow must be positive, got PT0S");
        assertThatThrownBy(() -> LlmHttpHook.builder(hooks).provider(" ")).hasMessage("provider must not be blank, got ' '");
    }
}
