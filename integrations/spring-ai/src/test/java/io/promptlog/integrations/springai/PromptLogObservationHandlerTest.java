package io.promptlog.integrations.springai;

import io.micrometer.observation.ObservationRegistry;
import io.promptlog.integrations.LoggedCalls;
import io.promptlog.integrations.OpenAiChatBodies;
import io.promptlog.integrations.PriceTable;
import io.promptlog.integrations.PromptLogHooks;
import io.promptlog.integrations.ProviderServer;
import io.promptlog.writer.CallField;
import io.promptlog.writer.LlmCall;
import io.promptlog.writer.Message;
import io.promptlog.writer.PromptLog;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.SystemMessage;
import org.springframework.ai.chat.messages.UserMessage;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.ai.openai.OpenAiChatModel;
import org.springframework.ai.openai.OpenAiChatOptions;
import org.springframework.ai.openai.api.OpenAiApi;
import org.springframework.ai.tool.function.FunctionToolCallback;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.http.client.reactive.JdkClientHttpConnector;
import org.springframework.retry.support.RetryTemplate;
import org.springframework.web.client.RestClient;
import org.springframework.web.reactive.function.client.WebClient;

import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static io.promptlog.integrations.OpenAiChatBodies.COMPLETION;
import static io.promptlog.integrations.ProviderServer.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.within;

/**
 * The handler on a real Spring AI {@link OpenAiChatModel} (RestClient and WebClient over the JDK's HTTP
 * client) against a local server speaking the Chat Completions protocol; records read back from the
 * real queue, field by field.
 */
@Timeout(60)
class PromptLogObservationHandlerTest {
    @TempDir
    Path home;
    private PromptLog log;
    private PromptLogHooks hooks;
    private ProviderServer server;
    private ObservationRegistry registry;

    @BeforeEach
    void setUp() throws Exception {
        log = PromptLog.open(home);
        hooks = PromptLogHooks.builder(log)
                .prices(PriceTable.empty().with("gpt-test", new PriceTable.Price(2.0, 0.5, 8.0)))
                .build();
        server = new ProviderServer();
        registry = ObservationRegistry.create();
        registry.observationConfig().observationHandler(PromptLogObservationHandler.of(hooks));
    }

    @AfterEach
    void tearDown() {
        server.close();
        log.close();
    }

    private OpenAiChatModel model(OpenAiChatOptions options, Duration readTimeout, int attempts) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        JdkClientHttpRequestFactory requests = new JdkClientHttpRequestFactory(http);
        requests.setReadTimeout(readTimeout);
        OpenAiApi api = OpenAiApi.builder().baseUrl(server.url("")).apiKey("sk-test")
                .restClientBuilder(RestClient.builder().requestFactory(requests))
                .webClientBuilder(WebClient.builder().clientConnector(new JdkClientHttpConnector(http)))
                .build();
        return OpenAiChatModel.builder().openAiApi(api).defaultOptions(options)
                .retryTemplate(RetryTemplate.builder().maxAttempts(attempts).fixedBackoff(10).build())
                .observationRegistry(registry).build();
    }

    private OpenAiChatModel model() {
        return model(OpenAiChatOptions.builder().model("gpt-test").build(), Duration.ofSeconds(10), 1);
    }

    @Test
    void shouldRecordACompletedCallFieldByField() {
        server.enqueue(json(200, Map.of("x-request-id", "req_123"), COMPLETION));
        OpenAiChatOptions options = OpenAiChatOptions.builder().model("gpt-test").temperature(0.3).topP(0.9)
                .maxTokens(256).frequencyPenalty(0.1).presencePenalty(0.2).stop(List.of("END")).seed(7).user("u-1").build();

        ChatResponse answer = model(options, Duration.ofSeconds(10), 1).call(new Prompt(List.of(
                new SystemMessage("You are terse."), new UserMessage("Capital of France?"),
                new AssistantMessage("Paris."), new UserMessage("And of Italy?"))));

        assertThat(answer.getResult().getOutput().getText()).isEqualTo("Rome.");
        assertThat(server.lastSentBody()).isEqualTo(COMPLETION);
        LlmCall c = LoggedCalls.single(home);
        assertThat(c.string(CallField.PROVIDER)).isEqualTo("openai");
        assertThat(c.string(CallField.OPERATION)).isEqualTo("chat");
        assertThat(c.requestModel()).isEqualTo("gpt-test");
        assertThat(c.string(CallField.RESPONSE_MODEL)).isEqualTo("gpt-test-2025-12-01");
        assertThat(c.float64(CallField.TEMPERATURE)).isEqualTo(0.3);
        assertThat(c.float64(CallField.TOP_P)).isEqualTo(0.9);
        assertThat(c.int64(CallField.MAX_TOKENS)).isEqualTo(256L);
        assertThat(c.float64(CallField.FREQUENCY_PENALTY)).isEqualTo(0.1);
        assertThat(c.float64(CallField.PRESENCE_PENALTY)).isEqualTo(0.2);
        assertThat(c.stopSequences()).containsExactly("END");
        assertThat(c.int64(CallField.SEED)).isEqualTo(7L);
        assertThat(c.string(CallField.PARAMS)).isEqualTo("{\"user\":\"u-1\"}");
        assertThat(c.systemPrompt()).isEqualTo("You are terse.");
        assertThat(c.messages()).containsExactly(Message.of("user", "Capital of France?"),
                Message.of("assistant", "Paris."), Message.of("user", "And of Italy?"));
        assertThat(c.response()).isEqualTo("Rome.");
        assertThat(c.string(CallField.FINISH_REASON)).isEqualTo("stop");
        assertThat(c.string(CallField.RESPONSE_ID)).isEqualTo("chatcmpl-1");
        assertThat(c.int64(CallField.INPUT_TOKENS)).isEqualTo(1000L);
        assertThat(c.int64(CallField.OUTPUT_TOKENS)).isEqualTo(200L);
        assertThat(c.int64(CallField.CACHED_INPUT_TOKENS)).isEqualTo(400L);
        assertThat(c.int64(CallField.REASONING_TOKENS)).isEqualTo(50L);
        assertThat(c.float64(CallField.COST_USD)).isCloseTo(0.003, within(1e-12));
        assertThat(c.int64(CallField.DURATION_US)).isPositive();
        assertThat(c.status()).isEqualTo(CallField.STATUS_OK);
        assertThat(c.string(CallField.ERROR_TYPE)).isNull();
        assertThat(hooks.stats().failures()).isZero();
    }

    @Test
    void shouldRecordAStreamedCallOnceWithTheAggregatedResponseAndUsage() {
        List<String> events = OpenAiChatBodies.helloStream();
        server.enqueue(ProviderServer.sse(Map.of(), events));
        OpenAiChatOptions options = OpenAiChatOptions.builder().model("gpt-test").streamUsage(true).build();

        List<ChatResponse> chunks = model(options, Duration.ofSeconds(10), 1).stream(new Prompt("Say hello"))
                .collectList().block(Duration.ofSeconds(30));

        assertThat(chunks).isNotEmpty();
        StringBuilder seen = new StringBuilder();
        chunks.forEach(r -> {
            if (r.getResult() != null && r.getResult().getOutput().getText() != null) {
                seen.append(r.getResult().getOutput().getText());
            }
        });
        assertThat(seen).hasToString("Hello");
        assertThat(new String(server.sentBodies().get(0), StandardCharsets.UTF_8)).isEqualTo(String.join("", events));
        // the observation stops in the stream's doFinally, which may run just after block() has returned
        LlmCall c = awaitSingleCall(home);
        assertThat(c.messages()).containsExactly(Message.of("user", "Say hello"));
        assertThat(c.response()).isEqualTo("Hello");
        assertThat(c.string(CallField.FINISH_REASON)).isEqualTo("stop");
        assertThat(c.string(CallField.RESPONSE_ID)).isEqualTo("chatcmpl-2");
        assertThat(c.int64(CallField.INPUT_TOKENS)).isEqualTo(10L);
        assertThat(c.int64(CallField.OUTPUT_TOKENS)).isEqualTo(2L);
        assertThat(c.int64(CallField.CACHED_INPUT_TOKENS))
                .as("Spring AI's stream aggregator keeps only the prompt and completion counts").isNull();
        assertThat(c.status()).isEqualTo(CallField.STATUS_OK);
        assertThat(c.int64(CallField.DURATION_US)).isPositive();
    }

    @Test
    void shouldRecordEachRoundTripOfTheToolLoopWithToolsToolCallsAndToolResults() {
        String toolCall = "{\"id\":\"chatcmpl-3\",\"object\":\"chat.completion\",\"created\":1764547200,\"model\":\"gpt-test\","
                + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"call_1\","
                + "\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"arguments\":\"{\\\"city\\\":\\\"Paris\\\"}\"}}]},"
                + "\"finish_reason\":\"tool_calls\"}],\"usage\":{\"prompt_tokens\":50,\"completion_tokens\":10,\"total_tokens\":60}}";
        String answer = "{\"id\":\"chatcmpl-4\",\"object\":\"chat.completion\",\"created\":1764547200,\"model\":\"gpt-test\","
                + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"18C and sunny.\"},"
                + "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":70,\"completion_tokens\":5,\"total_tokens\":75}}";
        server.enqueue(json(200, Map.of(), toolCall)).enqueue(json(200, Map.of(), answer));
        Function<WeatherRequest, String> weather = r -> "18C, sunny in " + r.city();
        OpenAiChatOptions options = OpenAiChatOptions.builder().model("gpt-test").toolCallbacks(
                FunctionToolCallback.builder("get_weather", weather).description("Weather of a city")
                        .inputType(WeatherRequest.class).build()).build();

        ChatResponse reply = model(options, Duration.ofSeconds(10), 1).call(new Prompt("Weather in Paris?"));

        assertThat(reply.getResult().getOutput().getText()).isEqualTo("18C and sunny.");
        List<LlmCall> calls = LoggedCalls.readAll(home);
        assertThat(calls).hasSize(2);
        LlmCall first = calls.get(0);
        assertThat(first.string(CallField.TOOLS)).startsWith("[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\","
                + "\"description\":\"Weather of a city\",\"parameters\":{").contains("\"city\"");
        assertThat(first.response()).isNull();
        assertThat(first.string(CallField.RESPONSE_TOOL_CALLS)).isEqualTo("[{\"id\":\"call_1\",\"type\":\"function\","
                + "\"function\":{\"name\":\"get_weather\",\"arguments\":\"{\\\"city\\\":\\\"Paris\\\"}\"}}]");
        assertThat(first.string(CallField.FINISH_REASON)).isEqualTo("tool_calls");
        LlmCall second = calls.get(1);
        assertThat(second.messages()).containsExactly(
                Message.of("user", "Weather in Paris?"),
                Message.of("assistant", "[{\"type\":\"tool_call\",\"id\":\"call_1\",\"name\":\"get_weather\",\"arguments\":{\"city\":\"Paris\"}}]"),
                new Message("tool", "\"18C, sunny in Paris\"", "get_weather", "call_1"));
        assertThat(second.response()).isEqualTo("18C and sunny.");
        assertThat(second.string(CallField.FINISH_REASON)).isEqualTo("stop");
    }

    /** The only logged call, waiting up to 10 s for it to be appended. */
    static LlmCall awaitSingleCall(Path home) {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        while (LoggedCalls.readAll(home).isEmpty() && System.nanoTime() < deadline) {
            java.util.concurrent.locks.LockSupport.parkNanos(5_000_000);
        }
        return LoggedCalls.single(home);
    }

    record WeatherRequest(String city) {
    }

    @Test
    void shouldRecordAServerErrorWithItsHttpStatusAndStillThrowItToTheApp() {
        server.enqueue(json(500, Map.of(), "{\"error\":{\"message\":\"The server had an error\",\"type\":\"server_error\"}}"));

        Throwable seenByApp = catchThrowable(() -> model().call(new Prompt("Hi")));

        assertThat(seenByApp).isNotNull();
        LlmCall c = LoggedCalls.single(home);
        assertThat(c.status()).isEqualTo(CallField.STATUS_ERROR);
        assertThat(c.string(CallField.ERROR_TYPE)).isEqualTo(seenByApp.getClass().getName());
        assertThat(c.string(CallField.ERROR_MESSAGE)).isEqualTo(seenByApp.getMessage()).contains("The server had an error");
        assertThat(c.int64(CallField.HTTP_STATUS)).isEqualTo(500L);
        assertThat(c.messages()).containsExactly(Message.of("user", "Hi"));
        assertThat(c.requestModel()).isEqualTo("gpt-test");
        assertThat(c.response()).isNull();
    }

    @Test
    void shouldRecordAStreamThatFailsWithItsHttpStatus() {
        server.enqueue(json(500, Map.of(), "{\"error\":{\"message\":\"stream broke\",\"type\":\"server_error\"}}"));

        Throwable seenByApp = catchThrowable(() -> model().stream(new Prompt("Hi")).collectList().block(Duration.ofSeconds(30)));

        assertThat(seenByApp).isNotNull();
        LlmCall c = awaitSingleCall(home);
        assertThat(c.status()).isEqualTo(CallField.STATUS_ERROR);
        assertThat(c.int64(CallField.HTTP_STATUS)).isEqualTo(500L);
        assertThat(c.string(CallField.ERROR_TYPE)).isEqualTo(seenByApp.getClass().getName())
                .isEqualTo("org.springframework.web.reactive.function.client.WebClientResponseException$InternalServerError");
        assertThat(c.messages()).containsExactly(Message.of("user", "Hi"));
    }

    @Test
    void shouldRecordOneCallWhenRetryingAServerErrorSucceeds() {
        server.enqueue(json(503, Map.of(), "{\"error\":{\"message\":\"overloaded\"}}"));
        server.enqueue(json(200, Map.of(), COMPLETION));

        ChatResponse answer = model(OpenAiChatOptions.builder().model("gpt-test").build(), Duration.ofSeconds(10), 2)
                .call(new Prompt("Capital of Italy?"));

        assertThat(answer.getResult().getOutput().getText()).isEqualTo("Rome.");
        assertThat(server.received()).hasSize(2);
        LlmCall c = LoggedCalls.single(home);
        assertThat(c.status()).isEqualTo(CallField.STATUS_OK);
        assertThat(c.response()).isEqualTo("Rome.");
    }

    @Test
    void shouldRecordARateLimit() {
        server.enqueue(json(429, Map.of(), "{\"error\":{\"message\":\"Rate limit reached\",\"type\":\"requests\"}}"));

        Throwable seenByApp = catchThrowable(() -> model().call(new Prompt("Hi")));

        assertThat(seenByApp).isNotNull();
        LlmCall c = LoggedCalls.single(home);
        assertThat(c.status()).isEqualTo(CallField.STATUS_ERROR);
        assertThat(c.string(CallField.ERROR_TYPE)).isEqualTo(seenByApp.getClass().getName());
        assertThat(c.int64(CallField.HTTP_STATUS)).isEqualTo(429L);
    }

    @Test
    void shouldRecordATimeout() {
        server.enqueue(ProviderServer.hang());

        Throwable seenByApp = catchThrowable(() -> model(OpenAiChatOptions.builder().model("gpt-test").build(),
                Duration.ofMillis(300), 1).call(new Prompt("Hi")));

        assertThat(seenByApp).isNotNull();
        LlmCall c = LoggedCalls.single(home);
        assertThat(c.status()).isEqualTo(CallField.STATUS_ERROR);
        assertThat(c.string(CallField.ERROR_TYPE)).isEqualTo(seenByApp.getClass().getName());
        assertThat(c.int64(CallField.HTTP_STATUS)).isNull();
        assertThat(c.int64(CallField.DURATION_US)).isGreaterThanOrEqualTo(300_000L);
    }

    @Test
    void shouldRecordAResponseThatIsNotJsonAsAnError() {
        server.enqueue(ProviderServer.raw(200, "text/html", Map.of(), "<html>gateway says hello</html>"));

        Throwable seenByApp = catchThrowable(() -> model().call(new Prompt("Hi")));

        assertThat(seenByApp).isNotNull();
        LlmCall c = LoggedCalls.single(home);
        assertThat(c.status()).isEqualTo(CallField.STATUS_ERROR);
        assertThat(c.string(CallField.ERROR_TYPE)).isEqualTo(seenByApp.getClass().getName());
        assertThat(c.response()).isNull();
        assertThat(hooks.stats().failures()).isZero();
    }

    @Test
    void shouldRecordAStreamTheAppCancelsAsIncomplete() {
        server.enqueue(ProviderServer.sse(Map.of(), OpenAiChatBodies.storyStream(), 2));

        List<ChatResponse> firstChunk = model().stream(new Prompt("Tell a story")).take(1)
                .collectList().block(Duration.ofSeconds(30));

        assertThat(firstChunk).hasSize(1);
        LlmCall c = awaitSingleCall(home);
        assertThat(c.status()).isEqualTo(CallField.STATUS_INCOMPLETE);
        assertThat(c.messages()).containsExactly(Message.of("user", "Tell a story"));
        assertThat(c.string(CallField.ERROR_TYPE)).isNull();
    }

    @Test
    void shouldCountAndSwallowAFailureInsideTheHandlerAndStillRecordTheRest() {
        org.springframework.ai.chat.messages.Message broken = new org.springframework.ai.chat.messages.Message() {
            @Override
            public org.springframework.ai.chat.messages.MessageType getMessageType() {
                throw new IllegalStateException("a message type that cannot be read");
            }

            @Override
            public String getText() {
                return "?";
            }

            @Override
            public Map<String, Object> getMetadata() {
                return Map.of();
            }
        };
        org.springframework.ai.chat.observation.ChatModelObservationContext context =
                org.springframework.ai.chat.observation.ChatModelObservationContext.builder()
                        .prompt(new Prompt(List.of(broken))).provider("openai").build();

        io.micrometer.observation.Observation.createNotStarted("gen_ai.client.operation", () -> context, registry)
                .observe(() -> context.setResponse(new ChatResponse(List.of(
                        new org.springframework.ai.chat.model.Generation(new AssistantMessage("ok"))))));

        assertThat(hooks.stats().failures()).isEqualTo(1);
        assertThat(hooks.stats().lastFailure()).contains("spring-ai onStop: request").contains("cannot be read");
        LlmCall c = LoggedCalls.single(home);
        assertThat(c.response()).as("the rest of the call is still recorded").isEqualTo("ok");
        assertThat(c.messages()).isEmpty();
        assertThat(c.status()).isEqualTo(CallField.STATUS_OK);
    }

    @Test
    void shouldRecordOnceWhenTheSameHandlerIsRegisteredTwice() {
        PromptLogObservationHandler handler = PromptLogObservationHandler.of(hooks);
        registry = ObservationRegistry.create();
        registry.observationConfig().observationHandler(handler).observationHandler(handler);
        server.enqueue(json(200, Map.of(), COMPLETION));

        model().call(new Prompt("Capital of Italy?"));

        assertThat(LoggedCalls.readAll(home)).hasSize(1);
        assertThat(LoggedCalls.single(home).int64(CallField.DURATION_US)).isPositive();
    }
}
