package io.promptlog.integrations.anthropic;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.core.JsonValue;
import com.anthropic.core.http.HttpResponseFor;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.errors.AnthropicException;
import com.anthropic.errors.InternalServerException;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.Model;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.anthropic.models.messages.Tool;
import io.promptlog.integrations.ClientHookTestBase;
import io.promptlog.integrations.LoggedCalls;
import io.promptlog.integrations.ProviderServer;
import io.promptlog.writer.CallField;
import io.promptlog.writer.LlmCall;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import static io.promptlog.integrations.ProviderServer.event;
import static io.promptlog.integrations.ProviderServer.json;
import static io.promptlog.integrations.ProviderServer.list;
import static io.promptlog.integrations.ProviderServer.sse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** The real anthropic-java client against a local server speaking the Messages API; records read back from the queue. */
@Timeout(60)
class AnthropicInterceptorTest extends ClientHookTestBase {
    static final String API_KEY = "sk-ant-test-0123456789-secret";
    static final Map<String, String> REQUEST_ID = Map.of("request-id", "req_011CSHoEeqs5C35K2UUqR7Fy");

    static final String MESSAGE = """
            {"id":"msg_013Zva2CMHLNnXjNJJKqJ2EF","type":"message","role":"assistant",\
            "model":"claude-sonnet-4-5-20250929","content":[{"type":"text","text":"Paris."}],"stop_reason":"end_turn",\
            "stop_sequence":null,"usage":{"input_tokens":20,"output_tokens":5,"cache_creation_input_tokens":100,\
            "cache_read_input_tokens":1000}}""";

    static final String TOOL_USE = """
            {"id":"msg_tool","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929",\
            "content":[{"type":"text","text":"Let me check."},{"type":"tool_use","id":"toolu_01A09q90qw90lq917835lq9",\
            "name":"get_weather","input":{"city":"Paris"}}],"stop_reason":"tool_use","stop_sequence":null,\
            "usage":{"input_tokens":300,"output_tokens":40}}""";

    PromptLogAnthropic interceptor;

    @BeforeEach
    void setUp() {
        interceptor = PromptLogAnthropic.interceptor(hook);
    }

    AnthropicClient client(int maxRetries, Duration timeout) {
        return client(maxRetries, com.anthropic.core.Timeout.builder().request(timeout).build());
    }

    AnthropicClient client(int maxRetries, com.anthropic.core.Timeout timeout) {
        return AnthropicOkHttpClient.builder().baseUrl(server.url("")).apiKey(API_KEY)
                .addInterceptor(interceptor).maxRetries(maxRetries).timeout(timeout).build();
    }

    AnthropicClient client() {
        return client(2, Duration.ofSeconds(10));
    }

    static MessageCreateParams question() {
        return MessageCreateParams.builder().model(Model.CLAUDE_SONNET_4_5).maxTokens(256)
                .system("You are a terse geography tutor.")
                .addUserMessage("What is the capital of France?")
                .addStopSequence("END")
                // 3.14 has no setters for these any more; older apps and other models still send them
                .putAdditionalBodyProperty("temperature", JsonValue.from(0.3))
                .putAdditionalBodyProperty("top_k", JsonValue.from(40))
                .build();
    }

    @Test
    void shouldRecordAMessageFieldByField() {
        server.enqueue(json(200, REQUEST_ID, MESSAGE));
        Message message = inSpan(() -> client().messages().create(question()));
        assertThat(message.content().get(0).text().orElseThrow().text()).isEqualTo("Paris.");

        LlmCall c = LoggedCalls.single(home);
        assertThat(c.string(CallField.PROVIDER)).isEqualTo("anthropic");
        assertThat(c.string(CallField.OPERATION)).isEqualTo("chat");
        assertThat(c.requestModel()).isEqualTo("claude-sonnet-4-5");
        assertThat(c.string(CallField.RESPONSE_MODEL)).isEqualTo("claude-sonnet-4-5-20250929");
        assertThat(c.systemPrompt()).isEqualTo("You are a terse geography tutor.");
        assertThat(c.messages()).containsExactly(io.promptlog.writer.Message.of("user", "What is the capital of France?"));
        assertThat(c.float64(CallField.TEMPERATURE)).isEqualTo(0.3);
        assertThat(c.int64(CallField.TOP_K)).isEqualTo(40);
        assertThat(c.int64(CallField.MAX_TOKENS)).isEqualTo(256);
        assertThat(c.stopSequences()).containsExactly("END");
        assertThat(c.bool(CallField.STREAM)).isFalse();
        assertThat(c.response()).isEqualTo("Paris.");
        assertThat(c.string(CallField.FINISH_REASON)).isEqualTo("end_turn");
        assertThat(c.string(CallField.RESPONSE_ID)).isEqualTo("msg_013Zva2CMHLNnXjNJJKqJ2EF");
        assertThat(c.string(CallField.PROVIDER_REQUEST_ID)).isEqualTo("req_011CSHoEeqs5C35K2UUqR7Fy");
        // input_tokens counts the cache reads and writes too, as OpenAI's does
        assertThat(c.int64(CallField.INPUT_TOKENS)).isEqualTo(20 + 100 + 1000);
        assertThat(c.int64(CallField.CACHED_INPUT_TOKENS)).isEqualTo(1000);
        assertThat(c.int64(CallField.OUTPUT_TOKENS)).isEqualTo(5);
        assertThat(c.int64(CallField.REASONING_TOKENS)).isNull();
        assertThat(c.float64(CallField.COST_USD)).isCloseTo((120 * 3.00 + 1000 * 0.30 + 5 * 15.00) / 1e6, within(1e-12));
        assertThat(c.int64(CallField.HTTP_STATUS)).isEqualTo(200);
        assertThat(c.status()).isEqualTo(CallField.STATUS_OK);
        assertThat(c.int64(CallField.DURATION_US)).isPositive();
        assertThat(c.string(CallField.TRACE_ID)).isEqualTo(TRACE_ID);
        assertThat(c.string(CallField.SPAN_ID)).isEqualTo(SPAN_ID);
        assertThat(c.toString()).doesNotContain(API_KEY);
        assertThat(server.received().get(0).header("Authorization")).isEqualTo("Bearer " + API_KEY);
    }

    @Test
    void shouldHandTheAppExactlyTheBytesTheServerSent() throws Exception {
        server.enqueue(json(200, REQUEST_ID, MESSAGE));
        byte[] seen;
        try (HttpResponseFor<Message> raw = client().messages().withRawResponse().create(question())) {
            seen = raw.body().readAllBytes();
        }
        assertThat(seen).isEqualTo(server.sentBodies().get(0));
        assertThat(LoggedCalls.single(home).response()).isEqualTo("Paris.");
    }

    static List<String> stream(String... deltas) {
        List<String> events = list(
                event("message_start", "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_stream1\",\"type\":\"message\","
                        + "\"role\":\"assistant\",\"content\":[],\"model\":\"claude-sonnet-4-5-20250929\",\"stop_reason\":null,"
                        + "\"stop_sequence\":null,\"usage\":{\"input_tokens\":25,\"output_tokens\":1}}}"),
                event("content_block_start", "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":"
                        + "{\"type\":\"text\",\"text\":\"\"}}"),
                event("ping", "{\"type\": \"ping\"}"));
        for (String d : deltas) {
            events.add(event("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":"
                    + "{\"type\":\"text_delta\",\"text\":\"" + d + "\"}}"));
        }
        events.add(event("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}"));
        events.add(event("message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\","
                + "\"stop_sequence\":null},\"usage\":{\"output_tokens\":15}}"));
        events.add(event("message_stop", "{\"type\":\"message_stop\"}"));
        return events;
    }

    @Test
    void shouldRecordAStreamFromMessageStartToMessageStop() {
        server.enqueue(sse(REQUEST_ID, stream("Par", "is", ".")));
        StringBuilder text = new StringBuilder();
        try (StreamResponse<RawMessageStreamEvent> s = client().messages().createStreaming(question())) {
            s.stream().forEach(e -> e.contentBlockDelta().flatMap(d -> d.delta().text()).ifPresent(t -> text.append(t.text())));
        }
        assertThat(text).hasToString("Paris.");
        LlmCall c = LoggedCalls.single(home);
        assertThat(c.bool(CallField.STREAM)).isTrue();
        assertThat(c.response()).isEqualTo("Paris.");
        assertThat(c.string(CallField.RESPONSE_ID)).isEqualTo("msg_stream1");
        assertThat(c.string(CallField.RESPONSE_MODEL)).isEqualTo("claude-sonnet-4-5-20250929");
        assertThat(c.string(CallField.FINISH_REASON)).isEqualTo("end_turn");
        assertThat(c.int64(CallField.INPUT_TOKENS)).isEqualTo(25);
        assertThat(c.int64(CallField.OUTPUT_TOKENS)).isEqualTo(15);
        assertThat(c.status()).isEqualTo(CallField.STATUS_OK);
        assertThat(c.int64(CallField.TTFT_US)).isPositive().isLessThanOrEqualTo(c.int64(CallField.DURATION_US));
        assertThat(c.string(CallField.PROVIDER_REQUEST_ID)).isEqualTo("req_011CSHoEeqs5C35K2UUqR7Fy");
    }

    @Test
    void shouldHandTheAppExactlyTheStreamedBytes() throws Exception {
        server.enqueue(sse(REQUEST_ID, stream("Hello", "!")));
        byte[] seen;
        try (HttpResponseFor<StreamResponse<RawMessageStreamEvent>> raw =
                     client().messages().withRawResponse().createStreaming(question())) {
            seen = raw.body().readAllBytes();
        }
        assertThat(new String(seen, StandardCharsets.UTF_8)).isEqualTo(server.lastSentBody());
        assertThat(LoggedCalls.single(home).response()).isEqualTo("Hello!");
    }

    @Test
    void shouldRecordAStreamTheAppAbandonsHalfwayAsIncomplete() {
        server.enqueue(sse(REQUEST_ID, stream("Par", "is", "."), 4));
        try (StreamResponse<RawMessageStreamEvent> s = client().messages().createStreaming(question())) {
            Iterator<RawMessageStreamEvent> it = s.stream().iterator();
            while (it.next().contentBlockDelta().isEmpty()) {
                // skip to the first text delta
            }
        }
        LlmCall c = LoggedCalls.single(home);
        assertThat(c.status()).isEqualTo(CallField.STATUS_INCOMPLETE);
        assertThat(c.string(CallField.ERROR_TYPE)).isEqualTo("client_closed");
        assertThat(c.response()).isEqualTo("Par");
        assertThat(c.string(CallField.RESPONSE_ID)).isEqualTo("msg_stream1");
        assertThat(c.string(CallField.FINISH_REASON)).isNull();
    }

    static Tool weatherTool() {
        return Tool.builder().name("get_weather").description("Current weather in a city")
                .inputSchema(Tool.InputSchema.builder()
                        .properties(JsonValue.from(Map.of("city", Map.of("type", "string")))).build())
                .build();
    }

    @Test
    void shouldRecordToolDefinitionsAndToolUseBlocks() {
        server.enqueue(json(200, REQUEST_ID, TOOL_USE));
        Message m = client().messages().create(question().toBuilder().addTool(weatherTool()).build());
        assertThat(m.content()).hasSize(2);
        LlmCall c = LoggedCalls.single(home);
        assertThat(c.string(CallField.TOOLS)).isEqualTo("[{\"input_schema\":{\"type\":\"object\",\"properties\":"
                + "{\"city\":{\"type\":\"string\"}}},\"name\":\"get_weather\",\"description\":\"Current weather in a city\"}]");
        assertThat(c.response()).isEqualTo("Let me check.");
        assertThat(c.string(CallField.RESPONSE_TOOL_CALLS)).isEqualTo("[{\"type\":\"tool_use\",\"id\":"
                + "\"toolu_01A09q90qw90lq917835lq9\",\"name\":\"get_weather\",\"input\":{\"city\":\"Paris\"}}]");
        assertThat(c.string(CallField.FINISH_REASON)).isEqualTo("tool_use");
    }

    @Test
    void shouldAssembleStreamedToolInputFromItsJsonPieces() {
        server.enqueue(sse(REQUEST_ID, list(
                event("message_start", "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_t\",\"type\":\"message\","
                        + "\"role\":\"assistant\",\"content\":[],\"model\":\"claude-sonnet-4-5-20250929\",\"stop_reason\":null,"
                        + "\"stop_sequence\":null,\"usage\":{\"input_tokens\":300,\"output_tokens\":1}}}"),
                event("content_block_start", "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":"
                        + "{\"type\":\"tool_use\",\"id\":\"toolu_7\",\"name\":\"get_weather\",\"input\":{}}}"),
                event("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":"
                        + "{\"type\":\"input_json_delta\",\"partial_json\":\"\"}}"),
                event("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":"
                        + "{\"type\":\"input_json_delta\",\"partial_json\":\"{\\\"city\\\": \\\"Par\"}}"),
                event("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":"
                        + "{\"type\":\"input_json_delta\",\"partial_json\":\"is\\\"}\"}}"),
                event("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}"),
                event("message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"tool_use\","
                        + "\"stop_sequence\":null},\"usage\":{\"output_tokens\":30}}"),
                event("message_stop", "{\"type\":\"message_stop\"}"))));
        try (StreamResponse<RawMessageStreamEvent> s = client().messages()
                .createStreaming(question().toBuilder().addTool(weatherTool()).build())) {
            assertThat(s.stream().count()).isEqualTo(8);
        }
        LlmCall c = LoggedCalls.single(home);
        assertThat(c.string(CallField.RESPONSE_TOOL_CALLS)).isEqualTo("[{\"type\":\"tool_use\",\"id\":\"toolu_7\","
                + "\"name\":\"get_weather\",\"input\":{\"city\":\"Paris\"}}]");
        assertThat(c.string(CallField.FINISH_REASON)).isEqualTo("tool_use");
        assertThat(c.response()).isNull();
    }

    @Test
    void shouldRecordARateLimitedThenRetriedCallAsOneRecordWithItsAttempts() {
        server.enqueue(json(429, Map.of("retry-after-ms", "10", "request-id", "req_first"),
                "{\"type\":\"error\",\"error\":{\"type\":\"rate_limit_error\",\"message\":\"Rate limited\"}}"));
        server.enqueue(json(200, REQUEST_ID, MESSAGE));
        Message m = client().messages().create(question());
        assertThat(m.id()).isEqualTo("msg_013Zva2CMHLNnXjNJJKqJ2EF");
        interceptor.close();

        assertThat(server.received()).hasSize(2);
        LlmCall c = LoggedCalls.single(home);
        assertThat(c.status()).isEqualTo(CallField.STATUS_OK);
        assertThat(c.attributes()).containsEntry("attempts", "2").containsEntry("retried_after", "429");
        assertThat(c.string(CallField.PROVIDER_REQUEST_ID)).isEqualTo("req_011CSHoEeqs5C35K2UUqR7Fy");
    }

    @Test
    void shouldRecordAServerErrorWithTheProvidersErrorType() {
        server.enqueue(json(500, REQUEST_ID, "{\"type\":\"error\",\"error\":{\"type\":\"api_error\",\"message\":\"Internal server error\"}}"));
        assertThatThrownBy(() -> client(0, Duration.ofSeconds(10)).messages().create(question()))
                .isInstanceOf(InternalServerException.class);
        interceptor.close();
        LlmCall c = LoggedCalls.single(home);
        assertThat(c.status()).isEqualTo(CallField.STATUS_ERROR);
        assertThat(c.int64(CallField.HTTP_STATUS)).isEqualTo(500);
        assertThat(c.string(CallField.ERROR_TYPE)).isEqualTo("api_error");
        assertThat(c.string(CallField.ERROR_MESSAGE)).isEqualTo("Internal server error");
        assertThat(c.systemPrompt()).isEqualTo("You are a terse geography tutor.");
    }

    @Test
    void shouldRecordAHeldRetryableFailureWhenTheClientIsClosed() {
        server.enqueue(json(529, REQUEST_ID, "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}"));
        AnthropicClient client = client(0, Duration.ofSeconds(10));
        assertThatThrownBy(() -> client.messages().create(question())).isInstanceOf(AnthropicException.class);
        assertThat(hook.hooks().stats().recorded()).as("held for a retry that the SDK will not make").isZero();
        client.close();
        LlmCall c = LoggedCalls.single(home);
        assertThat(c.int64(CallField.HTTP_STATUS)).isEqualTo(529);
        assertThat(c.string(CallField.ERROR_TYPE)).isEqualTo("overloaded_error");
    }

    @Test
    void shouldRecordATimeoutAsAnErrorWithoutAResponse() {
        server.enqueue(ProviderServer.hang());
        // a read timeout only: with a whole-call timeout of the same length, OkHttp reports either one
        com.anthropic.core.Timeout readTimeout = com.anthropic.core.Timeout.builder().read(Duration.ofMillis(300)).build();
        assertThatThrownBy(() -> client(0, readTimeout).messages().create(question()))
                .isInstanceOf(AnthropicException.class);
        interceptor.close();
        LlmCall c = LoggedCalls.single(home);
        assertThat(c.status()).isEqualTo(CallField.STATUS_ERROR);
        // the SDK wraps it in an AnthropicIoException; the record names the I/O error itself
        assertThat(c.string(CallField.ERROR_TYPE)).isEqualTo("java.net.SocketTimeoutException");
        assertThat(c.int64(CallField.HTTP_STATUS)).isNull();
        assertThat(c.int64(CallField.DURATION_US)).isGreaterThanOrEqualTo(300_000);
    }

    @Test
    void shouldRecordAResponseThatIsNotJsonAsAnInvalidResponse() {
        server.enqueue(ProviderServer.raw(200, "text/plain", Map.of(), "upstream connect error"));
        assertThatThrownBy(() -> client().messages().create(question())).isInstanceOf(AnthropicException.class);
        LlmCall c = LoggedCalls.single(home);
        assertThat(c.status()).isEqualTo(CallField.STATUS_ERROR);
        assertThat(c.string(CallField.ERROR_TYPE)).isEqualTo("invalid_response");
        assertThat(c.string(CallField.ERROR_MESSAGE)).isEqualTo("response body is not a JSON object: upstream connect error");
    }

    @Test
    void shouldRecordTheAsyncClientsCallsToo() throws Exception {
        server.enqueue(json(200, REQUEST_ID, MESSAGE));
        Message m = client().async().messages().create(question()).get();
        assertThat(m.id()).isEqualTo("msg_013Zva2CMHLNnXjNJJKqJ2EF");
        LlmCall c = LoggedCalls.single(home);
        assertThat(c.response()).isEqualTo("Paris.");
        assertThat(c.status()).isEqualTo(CallField.STATUS_OK);
    }
}
