package io.promptlog.integrations.openai;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.HttpResponseFor;
import com.openai.core.http.StreamResponse;
import com.openai.errors.InternalServerException;
import com.openai.errors.OpenAIException;
import com.openai.models.ChatModel;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionFunctionTool;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseCreateParams;
import com.openai.models.responses.ResponseStreamEvent;
import io.promptlog.integrations.ClientHookTestBase;
import io.promptlog.integrations.LlmHttpHook;
import io.promptlog.integrations.LoggedCalls;
import io.promptlog.integrations.ProviderServer;
import io.promptlog.writer.CallField;
import io.promptlog.writer.LlmCall;
import io.promptlog.writer.Message;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static io.promptlog.integrations.ProviderServer.data;
import static io.promptlog.integrations.ProviderServer.event;
import static io.promptlog.integrations.ProviderServer.json;
import static io.promptlog.integrations.ProviderServer.list;
import static io.promptlog.integrations.ProviderServer.sse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** The real openai-java client against a local server speaking the OpenAI protocol; records read back from the queue. */
@Timeout(60)
class OpenAiInterceptorTest extends ClientHookTestBase {
    static final String API_KEY = "sk-test-0123456789-secret";
    static final Map<String, String> REQUEST_ID = Map.of("x-request-id", "req_abc123");

    static final String COMPLETION = """
            {"id":"chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT","object":"chat.completion","created":1741569952,\
            "model":"gpt-4o-2024-08-06","choices":[{"index":0,"message":{"role":"assistant","content":"Paris.",\
            "refusal":null,"annotations":[]},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":19,\
            "completion_tokens":10,"total_tokens":29,"prompt_tokens_details":{"cached_tokens":6,"audio_tokens":0},\
            "completion_tokens_details":{"reasoning_tokens":2,"audio_tokens":0,"accepted_prediction_tokens":0,\
            "rejected_prediction_tokens":0}},"service_tier":"default"}""";

    static final String TOOL_CALL_COMPLETION = """
            {"id":"chatcmpl-tool1","object":"chat.completion","created":1741569952,"model":"gpt-4o-2024-08-06",\
            "choices":[{"index":0,"message":{"role":"assistant","content":null,"tool_calls":[{"id":"call_12345",\
            "type":"function","function":{"name":"get_weather","arguments":"{\\"city\\":\\"Paris\\"}"}}],\
            "refusal":null,"annotations":[]},"logprobs":null,"finish_reason":"tool_calls"}],"usage":{"prompt_tokens":82,\
            "completion_tokens":17,"total_tokens":99}}""";

    PromptLogOpenAi interceptor;

    @BeforeEach
    void setUp() {
        interceptor = PromptLogOpenAi.interceptor(hook);
    }

    OpenAIClient client(int maxRetries, Duration timeout) {
        return client(maxRetries, com.openai.core.Timeout.builder().request(timeout).build());
    }

    OpenAIClient client(int maxRetries, com.openai.core.Timeout timeout) {
        return OpenAIOkHttpClient.builder().baseUrl(server.url("/v1")).apiKey(API_KEY)
                .addInterceptor(interceptor).maxRetries(maxRetries).timeout(timeout).build();
    }

    OpenAIClient client() {
        return client(2, Duration.ofSeconds(10));
    }

    static ChatCompletionCreateParams question() {
        return ChatCompletionCreateParams.builder().model(ChatModel.GPT_4O)
                .addSystemMessage("You are a terse geography tutor.")
                .addUserMessage("What is the capital of France?")
                .temperature(0.2).maxCompletionTokens(100).seed(7).user("user-42")
                .build();
    }

    @Test
    void shouldRecordAChatCompletionFieldByField() {
        server.enqueue(json(200, REQUEST_ID, COMPLETION));
        ChatCompletion completion = inSpan(() -> client().chat().completions().create(question()));
        assertThat(completion.choices().get(0).message().content()).contains("Paris.");

        LlmCall c = LoggedCalls.single(home);
        assertThat(c.string(CallField.PROVIDER)).isEqualTo("openai");
        assertThat(c.string(CallField.OPERATION)).isEqualTo("chat");
        assertThat(c.requestModel()).isEqualTo("gpt-4o");
        assertThat(c.string(CallField.RESPONSE_MODEL)).isEqualTo("gpt-4o-2024-08-06");
        assertThat(c.systemPrompt()).isEqualTo("You are a terse geography tutor.");
        assertThat(c.messages()).containsExactly(Message.of("user", "What is the capital of France?"));
        assertThat(c.float64(CallField.TEMPERATURE)).isEqualTo(0.2);
        assertThat(c.int64(CallField.MAX_TOKENS)).isEqualTo(100);
        assertThat(c.int64(CallField.SEED)).isEqualTo(7);
        assertThat(c.string(CallField.USER_ID)).isEqualTo("user-42");
        assertThat(c.bool(CallField.STREAM)).isFalse();
        assertThat(c.response()).isEqualTo("Paris.");
        assertThat(c.string(CallField.FINISH_REASON)).isEqualTo("stop");
        assertThat(c.string(CallField.RESPONSE_ID)).isEqualTo("chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT");
        assertThat(c.string(CallField.PROVIDER_REQUEST_ID)).isEqualTo("req_abc123");
        assertThat(c.int64(CallField.INPUT_TOKENS)).isEqualTo(19);
        assertThat(c.int64(CallField.OUTPUT_TOKENS)).isEqualTo(10);
        assertThat(c.int64(CallField.CACHED_INPUT_TOKENS)).isEqualTo(6);
        assertThat(c.int64(CallField.REASONING_TOKENS)).isEqualTo(2);
        assertThat(c.float64(CallField.COST_USD)).isCloseTo((13 * 2.50 + 6 * 1.25 + 10 * 10.00) / 1e6, within(1e-12));
        assertThat(c.int64(CallField.HTTP_STATUS)).isEqualTo(200);
        assertThat(c.status()).isEqualTo(CallField.STATUS_OK);
        assertThat(c.int64(CallField.DURATION_US)).isPositive();
        assertThat(c.int64(CallField.TTFT_US)).isNull();
        assertThat(c.startTimeMicros()).isPositive();
        assertThat(c.string(CallField.TRACE_ID)).isEqualTo(TRACE_ID);
        assertThat(c.string(CallField.SPAN_ID)).isEqualTo(SPAN_ID);
        assertThat(c.attributes()).doesNotContainKey("attempts");
        assertThat(c.toString()).doesNotContain(API_KEY).doesNotContain("Bearer");
        assertThat(server.received().get(0).header("Authorization")).isEqualTo("Bearer " + API_KEY);
    }

    @Test
    void shouldHandTheAppExactlyTheBytesTheServerSent() throws Exception {
        server.enqueue(json(200, REQUEST_ID, COMPLETION));
        byte[] seen;
        try (HttpResponseFor<ChatCompletion> raw = client().chat().completions().withRawResponse().create(question())) {
            seen = raw.body().readAllBytes();
        }
        assertThat(seen).isEqualTo(server.sentBodies().get(0));
        assertThat(LoggedCalls.single(home).response()).isEqualTo("Paris.");
    }

    static List<String> chunks(String... deltas) {
        List<String> events = new java.util.ArrayList<>();
        String head = "{\"id\":\"chatcmpl-stream1\",\"object\":\"chat.completion.chunk\",\"created\":1741569952,"
                + "\"model\":\"gpt-4o-2024-08-06\",\"system_fingerprint\":\"fp_1\",";
        events.add(data(head + "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},"
                + "\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}"));
        for (String d : deltas) {
            events.add(data(head + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"" + d + "\"},"
                    + "\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}"));
        }
        events.add(data(head + "\"choices\":[{\"index\":0,\"delta\":{},\"logprobs\":null,\"finish_reason\":\"stop\"}],"
                + "\"usage\":null}"));
        events.add(data(head + "\"choices\":[],\"usage\":{\"prompt_tokens\":19,\"completion_tokens\":3,\"total_tokens\":22,"
                + "\"prompt_tokens_details\":{\"cached_tokens\":0},\"completion_tokens_details\":{\"reasoning_tokens\":0}}}"));
        events.add("data: [DONE]\n\n");
        return events;
    }

    @Test
    void shouldRecordAStreamWhenTheSdkClosesItAtDone() {
        server.enqueue(sse(REQUEST_ID, chunks("Par", "is", ".")));
        ChatCompletionCreateParams params = question().toBuilder()
                .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build();
        String text;
        try (StreamResponse<ChatCompletionChunk> stream = client().chat().completions().createStreaming(params)) {
            text = stream.stream().flatMap(ch -> ch.choices().stream())
                    .map(ch -> ch.delta().content().orElse("")).collect(Collectors.joining());
        }
        assertThat(text).isEqualTo("Paris.");

        LlmCall c = LoggedCalls.single(home);
        assertThat(c.bool(CallField.STREAM)).isTrue();
        assertThat(c.response()).isEqualTo("Paris.");
        assertThat(c.string(CallField.FINISH_REASON)).isEqualTo("stop");
        assertThat(c.string(CallField.RESPONSE_ID)).isEqualTo("chatcmpl-stream1");
        assertThat(c.int64(CallField.INPUT_TOKENS)).isEqualTo(19);
        assertThat(c.int64(CallField.OUTPUT_TOKENS)).isEqualTo(3);
        assertThat(c.status()).isEqualTo(CallField.STATUS_OK);
        assertThat(c.int64(CallField.TTFT_US)).isPositive().isLessThanOrEqualTo(c.int64(CallField.DURATION_US));
        assertThat(c.string(CallField.PARAMS)).isEqualTo("{\"stream_options\":{\"include_usage\":true}}");
    }

    @Test
    void shouldHandTheAppExactlyTheStreamedBytes() throws Exception {
        server.enqueue(sse(REQUEST_ID, chunks("Par", "is", ".")));
        byte[] seen;
        try (HttpResponseFor<StreamResponse<ChatCompletionChunk>> raw =
                     client().chat().completions().withRawResponse().createStreaming(question())) {
            seen = raw.body().readAllBytes();
        }
        assertThat(new String(seen, StandardCharsets.UTF_8)).isEqualTo(server.lastSentBody());
        assertThat(LoggedCalls.single(home).response()).isEqualTo("Paris.");
    }

    @Test
    void shouldRecordAStreamTheAppAbandonsHalfwayAsIncomplete() {
        server.enqueue(sse(REQUEST_ID, chunks("Par", "is", "."), 2));
        try (StreamResponse<ChatCompletionChunk> stream = client().chat().completions().createStreaming(question())) {
            Iterator<ChatCompletionChunk> it = stream.stream().iterator();
            it.next();
            assertThat(it.next().choices().get(0).delta().content()).contains("Par");
        }
        LlmCall c = LoggedCalls.single(home);
        assertThat(c.status()).isEqualTo(CallField.STATUS_INCOMPLETE);
        assertThat(c.string(CallField.ERROR_TYPE)).isEqualTo("client_closed");
        assertThat(c.response()).isEqualTo("Par");
        assertThat(c.string(CallField.FINISH_REASON)).isNull();
        assertThat(c.int64(CallField.TTFT_US)).isPositive();
    }

    static ChatCompletionFunctionTool weatherTool() {
        return ChatCompletionFunctionTool.builder().function(FunctionDefinition.builder().name("get_weather")
                .description("Current weather in a city")
                .parameters(FunctionParameters.builder().putAdditionalProperty("type", JsonValue.from("object"))
                        .putAdditionalProperty("properties", JsonValue.from(Map.of("city", Map.of("type", "string"))))
                        .build())
                .build()).build();
    }

    @Test
    void shouldRecordToolDefinitionsAndToolCalls() {
        server.enqueue(json(200, REQUEST_ID, TOOL_CALL_COMPLETION));
        ChatCompletion completion = client().chat().completions().create(question().toBuilder().addTool(weatherTool()).build());
        assertThat(completion.choices().get(0).message().toolCalls()).isPresent();

        LlmCall c = LoggedCalls.single(home);
        assertThat(c.string(CallField.TOOLS)).isEqualTo("[{\"function\":{\"name\":\"get_weather\",\"description\":"
                + "\"Current weather in a city\",\"parameters\":{\"type\":\"object\",\"properties\":{\"city\":{\"type\":"
                + "\"string\"}}}},\"type\":\"function\"}]");
        assertThat(c.string(CallField.RESPONSE_TOOL_CALLS)).isEqualTo("[{\"id\":\"call_12345\",\"type\":\"function\","
                + "\"function\":{\"name\":\"get_weather\",\"arguments\":\"{\\\"city\\\":\\\"Paris\\\"}\"}}]");
        assertThat(c.string(CallField.FINISH_REASON)).isEqualTo("tool_calls");
        assertThat(c.response()).isNull();
    }

    @Test
    void shouldMergeStreamedToolCallDeltas() {
        String head = "{\"id\":\"chatcmpl-t2\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4o\",";
        server.enqueue(sse(REQUEST_ID, list(
                data(head + "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":null,\"tool_calls\":"
                        + "[{\"index\":0,\"id\":\"call_9\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\","
                        + "\"arguments\":\"\"}}]},\"finish_reason\":null}]}"),
                data(head + "\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":"
                        + "{\"arguments\":\"{\\\"city\\\":\"}}]},\"finish_reason\":null}]}"),
                data(head + "\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":"
                        + "{\"arguments\":\"\\\"Paris\\\"}\"}}]},\"finish_reason\":null}]}"),
                data(head + "\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"tool_calls\"}]}"),
                "data: [DONE]\n\n")));
        try (StreamResponse<ChatCompletionChunk> stream = client().chat().completions()
                .createStreaming(question().toBuilder().addTool(weatherTool()).build())) {
            assertThat(stream.stream().count()).isEqualTo(4);
        }
        LlmCall c = LoggedCalls.single(home);
        assertThat(c.string(CallField.RESPONSE_TOOL_CALLS)).isEqualTo("[{\"id\":\"call_9\",\"type\":\"function\","
                + "\"function\":{\"name\":\"get_weather\",\"arguments\":\"{\\\"city\\\":\\\"Paris\\\"}\"}}]");
        assertThat(c.string(CallField.FINISH_REASON)).isEqualTo("tool_calls");
    }

    @Test
    void shouldRecordARateLimitedThenRetriedCallAsOneRecordWithItsAttempts() {
        server.enqueue(json(429, Map.of("retry-after-ms", "10", "x-request-id", "req_first"),
                "{\"error\":{\"message\":\"Rate limit reached\",\"type\":\"requests\",\"code\":\"rate_limit_exceeded\"}}"));
        server.enqueue(json(200, REQUEST_ID, COMPLETION));
        ChatCompletion completion = client().chat().completions().create(question());
        assertThat(completion.id()).isEqualTo("chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT");
        interceptor.close();

        assertThat(server.received()).hasSize(2);
        LlmCall c = LoggedCalls.single(home);
        assertThat(c.status()).isEqualTo(CallField.STATUS_OK);
        assertThat(c.int64(CallField.HTTP_STATUS)).isEqualTo(200);
        assertThat(c.string(CallField.PROVIDER_REQUEST_ID)).isEqualTo("req_abc123");
        assertThat(c.attributes()).containsEntry("attempts", "2").containsEntry("retried_after", "429");
        assertThat(c.response()).isEqualTo("Paris.");
    }

    @Test
    void shouldRecordAServerErrorOnceTheRetryWindowPasses() throws Exception {
        server.enqueue(json(500, REQUEST_ID, "{\"error\":{\"message\":\"The server had an error\",\"type\":\"server_error\"}}"));
        LlmHttpHook shortWindow = LlmHttpHook.builder(hook.hooks()).clientRetries(true).retryWindow(Duration.ofMillis(200)).build();
        OpenAIClient client = OpenAIOkHttpClient.builder().baseUrl(server.url("/v1")).apiKey(API_KEY)
                .addInterceptor(PromptLogOpenAi.interceptor(shortWindow)).maxRetries(0).build();
        assertThatThrownBy(() -> client.chat().completions().create(question()))
                .isInstanceOf(InternalServerException.class);
        awaitRecorded(hook.hooks(), 1); // the record of a retryable failure appears when the retry window ends
        shortWindow.close();
        LlmCall c = LoggedCalls.single(home);
        assertThat(c.status()).isEqualTo(CallField.STATUS_ERROR);
        assertThat(c.int64(CallField.HTTP_STATUS)).isEqualTo(500);
        assertThat(c.string(CallField.ERROR_TYPE)).isEqualTo("server_error");
        assertThat(c.string(CallField.ERROR_MESSAGE)).isEqualTo("The server had an error");
        assertThat(c.string(CallField.PROVIDER_REQUEST_ID)).isEqualTo("req_abc123");
        assertThat(c.systemPrompt()).isEqualTo("You are a terse geography tutor.");
        assertThat(c.attributes()).doesNotContainKey("attempts");
    }

    @Test
    void shouldRecordATimeoutAsAnErrorWithoutAResponse() {
        server.enqueue(ProviderServer.hang());
        assertThatThrownBy(() -> client(0, com.openai.core.Timeout.builder().read(Duration.ofMillis(300)).build()).chat().completions().create(question()))
                .isInstanceOf(OpenAIException.class);
        interceptor.close();
        LlmCall c = LoggedCalls.single(home);
        assertThat(c.status()).isEqualTo(CallField.STATUS_ERROR);
        assertThat(c.string(CallField.ERROR_TYPE)).isEqualTo("java.net.SocketTimeoutException");
        assertThat(c.int64(CallField.HTTP_STATUS)).isNull();
        assertThat(c.requestModel()).isEqualTo("gpt-4o");
        assertThat(c.int64(CallField.DURATION_US)).isGreaterThanOrEqualTo(300_000);
    }

    @Test
    void shouldRecordAResponseThatIsNotJsonAsAnInvalidResponse() {
        server.enqueue(ProviderServer.raw(200, "text/html", Map.of(), "<html><body>502 Bad Gateway</body></html>"));
        assertThatThrownBy(() -> client().chat().completions().create(question())).isInstanceOf(OpenAIException.class);
        LlmCall c = LoggedCalls.single(home);
        assertThat(c.status()).isEqualTo(CallField.STATUS_ERROR);
        assertThat(c.string(CallField.ERROR_TYPE)).isEqualTo("invalid_response");
        assertThat(c.string(CallField.ERROR_MESSAGE)).isEqualTo(
                "response body is not a JSON object: <html><body>502 Bad Gateway</body></html>");
        assertThat(c.int64(CallField.HTTP_STATUS)).isEqualTo(200);
    }

    static final String RESPONSE = """
            {"id":"resp_67ccd2bed1ec8190","object":"response","created_at":1741476542,"status":"completed","error":null,\
            "incomplete_details":null,"instructions":"Answer in one word.","max_output_tokens":50,"model":"gpt-4.1-2025-04-14",\
            "output":[{"type":"message","id":"msg_1","status":"completed","role":"assistant","content":[{"type":"output_text",\
            "text":"Paris","annotations":[]}]}],"parallel_tool_calls":true,"previous_response_id":null,\
            "reasoning":{"effort":null,"summary":null},"store":true,"temperature":1.0,"text":{"format":{"type":"text"}},\
            "tool_choice":"auto","tools":[],"top_p":1.0,"truncation":"disabled","usage":{"input_tokens":36,\
            "input_tokens_details":{"cached_tokens":0},"output_tokens":2,"output_tokens_details":{"reasoning_tokens":0},\
            "total_tokens":38},"user":null,"metadata":{}}""";

    @Test
    void shouldRecordAResponsesApiCallWithInstructionsAsTheSystemPrompt() {
        server.enqueue(json(200, REQUEST_ID, RESPONSE));
        Response r = client().responses().create(ResponseCreateParams.builder().model(ChatModel.GPT_4_1)
                .instructions("Answer in one word.").input("Capital of France?").maxOutputTokens(50).build());
        assertThat(r.id()).isEqualTo("resp_67ccd2bed1ec8190");

        LlmCall c = LoggedCalls.single(home);
        assertThat(c.systemPrompt()).isEqualTo("Answer in one word.");
        assertThat(c.messages()).containsExactly(Message.of("user", "Capital of France?"));
        assertThat(c.requestModel()).isEqualTo("gpt-4.1");
        assertThat(c.int64(CallField.MAX_TOKENS)).isEqualTo(50);
        assertThat(c.response()).isEqualTo("Paris");
        assertThat(c.string(CallField.RESPONSE_ID)).isEqualTo("resp_67ccd2bed1ec8190");
        assertThat(c.string(CallField.RESPONSE_MODEL)).isEqualTo("gpt-4.1-2025-04-14");
        assertThat(c.string(CallField.FINISH_REASON)).isEqualTo("stop");
        assertThat(c.int64(CallField.INPUT_TOKENS)).isEqualTo(36);
        assertThat(c.int64(CallField.OUTPUT_TOKENS)).isEqualTo(2);
        assertThat(c.float64(CallField.COST_USD)).isCloseTo((36 * 2.00 + 2 * 8.00) / 1e6, within(1e-12));
        assertThat(c.status()).isEqualTo(CallField.STATUS_OK);
    }

    @Test
    void shouldRecordAStreamedResponsesApiCallFromItsCompletedEvent() {
        String created = RESPONSE.replace("\"status\":\"completed\"", "\"status\":\"in_progress\"");
        server.enqueue(sse(REQUEST_ID, list(
                event("response.created", "{\"type\":\"response.created\",\"sequence_number\":0,\"response\":" + created + "}"),
                event("response.output_text.delta", "{\"type\":\"response.output_text.delta\",\"sequence_number\":1,"
                        + "\"item_id\":\"msg_1\",\"output_index\":0,\"content_index\":0,\"delta\":\"Par\"}"),
                event("response.output_text.delta", "{\"type\":\"response.output_text.delta\",\"sequence_number\":2,"
                        + "\"item_id\":\"msg_1\",\"output_index\":0,\"content_index\":0,\"delta\":\"is\"}"),
                event("response.completed", "{\"type\":\"response.completed\",\"sequence_number\":3,\"response\":"
                        + RESPONSE + "}"))));
        StringBuilder text = new StringBuilder();
        try (StreamResponse<ResponseStreamEvent> stream = client().responses().createStreaming(ResponseCreateParams.builder()
                .model(ChatModel.GPT_4_1).instructions("Answer in one word.").input("Capital of France?").build())) {
            stream.stream().forEach(e -> e.outputTextDelta().ifPresent(d -> text.append(d.delta())));
        }
        assertThat(text).hasToString("Paris");
        LlmCall c = LoggedCalls.single(home);
        assertThat(c.bool(CallField.STREAM)).isTrue();
        assertThat(c.response()).isEqualTo("Paris");
        assertThat(c.int64(CallField.OUTPUT_TOKENS)).isEqualTo(2);
        assertThat(c.int64(CallField.TTFT_US)).isPositive();
        assertThat(c.status()).isEqualTo(CallField.STATUS_OK);
    }

    @Test
    void shouldRecordTheAsyncClientsCallsWithoutTraceIds() throws Exception {
        server.enqueue(json(200, REQUEST_ID, COMPLETION));
        ChatCompletion completion = inSpan(() -> client().async().chat().completions().create(question())).get();
        assertThat(completion.id()).isEqualTo("chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT");
        LlmCall c = LoggedCalls.single(home);
        assertThat(c.response()).isEqualTo("Paris.");
        assertThat(c.status()).isEqualTo(CallField.STATUS_OK);
        // the interceptor runs on an OkHttp dispatcher thread, where the app's span is not current
        assertThat(c.string(CallField.TRACE_ID)).isNull();
    }

    @Test
    void shouldLeaveOtherEndpointsAlone() {
        server.enqueue(json(200, REQUEST_ID, "{\"object\":\"list\",\"data\":[]}"));
        client().models().list();
        assertThat(LoggedCalls.readAll(home)).isEmpty();
        assertThat(interceptor.hook().hooks().stats().failures()).isZero();
    }

    @Test
    void shouldLeaveTheAppsCallUnchangedWhenTheLogIsClosed() {
        log.close();
        server.enqueue(json(200, REQUEST_ID, COMPLETION));
        ChatCompletion completion = client().chat().completions().create(question());
        assertThat(completion.choices().get(0).message().content()).contains("Paris.");
        assertThat(interceptor.hook().hooks().stats().dropped()).isEqualTo(1);
    }
}
