package io.promptlog.integrations.langchain4j;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.ChatMessageType;
import dev.langchain4j.data.message.ImageContent;
import dev.langchain4j.data.message.TextContent;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.ModelProvider;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.listener.ChatModelRequestContext;
import dev.langchain4j.model.chat.listener.ChatModelResponseContext;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
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

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import static io.promptlog.integrations.OpenAiChatBodies.COMPLETION;
import static io.promptlog.integrations.ProviderServer.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.within;

/**
 * The listener on real LangChain4j OpenAI models (their JDK HTTP client) against a local server speaking
 * the Chat Completions protocol; each record is read back from the real queue and checked field by field.
 */
@Timeout(60)
class PromptLogChatModelListenerTest {
    @TempDir
    Path home;
    private PromptLog log;
    private PromptLogHooks hooks;
    private ProviderServer server;

    @BeforeEach
    void setUp() throws Exception {
        log = PromptLog.open(home);
        hooks = PromptLogHooks.builder(log)
                .prices(PriceTable.empty().with("gpt-test", new PriceTable.Price(2.0, 0.5, 8.0)))
                .build();
        server = new ProviderServer();
    }

    @AfterEach
    void tearDown() {
        server.close();
        log.close();
    }

    private OpenAiChatModel.OpenAiChatModelBuilder model() {
        return OpenAiChatModel.builder().baseUrl(server.url("/v1")).apiKey("sk-test").modelName("gpt-test")
                .maxRetries(0).listeners(List.of(PromptLogChatModelListener.of(hooks)));
    }

    @Test
    void shouldRecordACompletedCallFieldByField() {
        server.enqueue(json(200, Map.of("x-request-id", "req_123"), COMPLETION));
        ChatModel model = model().temperature(0.3).topP(0.9).maxTokens(256).seed(7).stop(List.of("END"))
                .frequencyPenalty(0.1).presencePenalty(0.2).user("u-1").build();
        // (an SDK without processors hands out no-op spans)
        SdkTracerProvider tracing = SdkTracerProvider.builder()
                .addSpanProcessor(SimpleSpanProcessor.create(InMemorySpanExporter.create())).build();
        Span span = tracing.get("test").spanBuilder("handle").startSpan();

        ChatResponse answer;
        try (Scope ignored = span.makeCurrent()) {
            answer = model.chat(SystemMessage.from("You are terse."), UserMessage.from("Capital of France?"),
                    AiMessage.from("Paris."), UserMessage.from("And of Italy?"));
        } finally {
            span.end();
            tracing.shutdown();
        }

        assertThat(answer.aiMessage().text()).isEqualTo("Rome.");
        assertThat(server.lastSentBody()).isEqualTo(COMPLETION);
        LlmCall c = LoggedCalls.single(home);
        assertThat(c.string(CallField.TRACE_ID)).isEqualTo(span.getSpanContext().getTraceId());
        assertThat(c.string(CallField.SPAN_ID)).isEqualTo(span.getSpanContext().getSpanId());
        assertThat(c.string(CallField.PROVIDER)).isEqualTo("openai");
        assertThat(c.string(CallField.OPERATION)).isEqualTo("chat");
        assertThat(c.requestModel()).isEqualTo("gpt-test");
        assertThat(c.string(CallField.RESPONSE_MODEL)).isEqualTo("gpt-test-2025-12-01");
        assertThat(c.float64(CallField.TEMPERATURE)).isEqualTo(0.3);
        assertThat(c.float64(CallField.TOP_P)).isEqualTo(0.9);
        assertThat(c.int64(CallField.MAX_TOKENS)).isEqualTo(256L);
        assertThat(c.float64(CallField.FREQUENCY_PENALTY)).isEqualTo(0.1);
        assertThat(c.float64(CallField.PRESENCE_PENALTY)).isEqualTo(0.2);
        assertThat(c.int64(CallField.SEED)).isEqualTo(7L);
        assertThat(c.stopSequences()).containsExactly("END");
        assertThat(c.string(CallField.PARAMS)).isEqualTo("{\"user\":\"u-1\"}");
        assertThat(c.systemPrompt()).isEqualTo("You are terse.");
        assertThat(c.messages()).containsExactly(Message.of("user", "Capital of France?"),
                Message.of("assistant", "Paris."), Message.of("user", "And of Italy?"));
        assertThat(c.string(CallField.TOOLS)).isNull();
        assertThat(c.response()).isEqualTo("Rome.");
        assertThat(c.string(CallField.FINISH_REASON)).isEqualTo("stop");
        assertThat(c.string(CallField.RESPONSE_ID)).isEqualTo("chatcmpl-1");
        assertThat(c.string(CallField.PROVIDER_REQUEST_ID)).isEqualTo("req_123");
        assertThat(c.int64(CallField.HTTP_STATUS)).isEqualTo(200L);
        assertThat(c.int64(CallField.INPUT_TOKENS)).isEqualTo(1000L);
        assertThat(c.int64(CallField.OUTPUT_TOKENS)).isEqualTo(200L);
        assertThat(c.int64(CallField.CACHED_INPUT_TOKENS)).isEqualTo(400L);
        assertThat(c.int64(CallField.REASONING_TOKENS)).isEqualTo(50L);
        // (600 x 2.0 + 400 x 0.5 + 200 x 8.0) / 1e6
        assertThat(c.float64(CallField.COST_USD)).isCloseTo(0.003, within(1e-12));
        assertThat(c.int64(CallField.DURATION_US)).isPositive();
        assertThat(c.startTimeMicros()).isPositive();
        assertThat(c.status()).isEqualTo(CallField.STATUS_OK);
        assertThat(c.string(CallField.ERROR_TYPE)).isNull();
        assertThat(c.int64(CallField.TTFT_US)).isNull();
        assertThat(hooks.stats().recorded()).isEqualTo(1);
        assertThat(hooks.stats().failures()).isZero();
    }

    @Test
    void shouldRecordAStreamedCallOnceWithTheAggregatedResponseAndUsage() throws Exception {
        List<String> events = OpenAiChatBodies.helloStream();
        server.enqueue(ProviderServer.sse(Map.of("x-request-id", "req_s"), events));
        OpenAiStreamingChatModel model = OpenAiStreamingChatModel.builder().baseUrl(server.url("/v1")).apiKey("sk-test")
                .modelName("gpt-test").listeners(List.of(PromptLogChatModelListener.of(hooks))).build();

        StringBuilder partials = new StringBuilder();
        CompletableFuture<ChatResponse> done = new CompletableFuture<>();
        model.chat("Say hello", new StreamingChatResponseHandler() {
            @Override
            public void onPartialResponse(String partialResponse) {
                partials.append(partialResponse);
            }

            @Override
            public void onCompleteResponse(ChatResponse completeResponse) {
                done.complete(completeResponse);
            }

            @Override
            public void onError(Throwable error) {
                done.completeExceptionally(error);
            }
        });

        assertThat(done.get(30, TimeUnit.SECONDS).aiMessage().text()).isEqualTo("Hello");
        assertThat(partials).hasToString("Hello");
        assertThat(new String(server.sentBodies().get(0), StandardCharsets.UTF_8)).isEqualTo(String.join("", events));
        LlmCall c = LoggedCalls.single(home);
        assertThat(c.messages()).containsExactly(Message.of("user", "Say hello"));
        assertThat(c.response()).isEqualTo("Hello");
        assertThat(c.string(CallField.FINISH_REASON)).isEqualTo("stop");
        assertThat(c.string(CallField.RESPONSE_ID)).isEqualTo("chatcmpl-2");
        assertThat(c.int64(CallField.INPUT_TOKENS)).isEqualTo(10L);
        assertThat(c.int64(CallField.OUTPUT_TOKENS)).isEqualTo(2L);
        assertThat(c.int64(CallField.CACHED_INPUT_TOKENS)).isEqualTo(4L);
        assertThat(c.int64(CallField.REASONING_TOKENS)).isEqualTo(0L);
        assertThat(c.float64(CallField.COST_USD)).isCloseTo((6 * 2.0 + 4 * 0.5 + 2 * 8.0) / 1e6, within(1e-15));
        assertThat(c.status()).isEqualTo(CallField.STATUS_OK);
        assertThat(c.int64(CallField.DURATION_US)).isPositive();
    }

    @Test
    void shouldNotRecordAStreamTheAppCancelsBecauseLangChain4jTellsListenersNothing() throws Exception {
        server.enqueue(ProviderServer.sse(Map.of(), OpenAiChatBodies.storyStream(), 2));
        server.enqueue(json(200, Map.of(), COMPLETION));
        OpenAiStreamingChatModel model = OpenAiStreamingChatModel.builder().baseUrl(server.url("/v1")).apiKey("sk-test")
                .modelName("gpt-test").listeners(List.of(PromptLogChatModelListener.of(hooks))).build();
        CompletableFuture<String> cancelled = new CompletableFuture<>();

        model.chat("Tell a story", new StreamingChatResponseHandler() {
            @Override
            public void onPartialResponse(dev.langchain4j.model.chat.response.PartialResponse partial,
                                          dev.langchain4j.model.chat.response.PartialResponseContext context) {
                context.streamingHandle().cancel();
                cancelled.complete(partial.text());
            }

            @Override
            public void onCompleteResponse(ChatResponse completeResponse) {
                cancelled.completeExceptionally(new AssertionError("completed after cancel"));
            }

            @Override
            public void onError(Throwable error) {
                cancelled.completeExceptionally(error);
            }
        });
        assertThat(cancelled.get(30, TimeUnit.SECONDS)).isEqualTo("Once");
        model().build().chat("And now a short answer");

        assertThat(LoggedCalls.readAll(home)).extracting(LlmCall::messages)
                .containsExactly(List.of(Message.of("user", "And now a short answer")));
    }

    @Test
    void shouldRecordToolDefinitionsToolCallsAndToolHistory() {
        server.enqueue(json(200, Map.of(), OpenAiChatBodies.TOOL_CALL));
        ToolSpecification weather = ToolSpecification.builder().name("get_weather").description("Weather of a city")
                .parameters(JsonObjectSchema.builder().addStringProperty("city").required("city").build()).build();
        ChatRequest request = ChatRequest.builder().messages(
                        UserMessage.from("Weather in Paris, then Rome?"),
                        AiMessage.from(ToolExecutionRequest.builder().id("call_1").name("get_weather").arguments("{\"city\":\"Paris\"}").build()),
                        ToolExecutionResultMessage.from("call_1", "get_weather", "18C, sunny"))
                .toolSpecifications(weather).build();

        ChatResponse answer = model().build().chat(request);

        assertThat(answer.aiMessage().toolExecutionRequests()).hasSize(1);
        LlmCall c = LoggedCalls.single(home);
        assertThat(c.string(CallField.TOOLS)).isEqualTo("[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\","
                + "\"description\":\"Weather of a city\",\"parameters\":{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},"
                + "\"required\":[\"city\"]}}}]");
        assertThat(c.messages()).containsExactly(
                Message.of("user", "Weather in Paris, then Rome?"),
                Message.of("assistant", "[{\"type\":\"tool_call\",\"id\":\"call_1\",\"name\":\"get_weather\",\"arguments\":{\"city\":\"Paris\"}}]"),
                new Message("tool", "18C, sunny", "get_weather", "call_1"));
        assertThat(c.response()).isNull();
        assertThat(c.string(CallField.RESPONSE_TOOL_CALLS)).isEqualTo("[{\"id\":\"call_2\",\"type\":\"function\","
                + "\"function\":{\"name\":\"get_weather\",\"arguments\":\"{\\\"city\\\":\\\"Rome\\\"}\"}}]");
        assertThat(c.string(CallField.FINISH_REASON)).isEqualTo("tool_calls");
        assertThat(c.status()).isEqualTo(CallField.STATUS_OK);
    }

    @Test
    void shouldRecordAServerErrorWithItsHttpStatusAndStillThrowItToTheApp() {
        String body = "{\"error\":{\"message\":\"The server had an error\",\"type\":\"server_error\"}}";
        server.enqueue(json(500, Map.of(), body));
        ChatModel model = model().build();

        assertThatThrownBy(() -> model.chat("Hi")).isInstanceOf(dev.langchain4j.exception.InternalServerException.class);

        LlmCall c = LoggedCalls.single(home);
        assertThat(c.status()).isEqualTo(CallField.STATUS_ERROR);
        assertThat(c.string(CallField.ERROR_TYPE)).isEqualTo("dev.langchain4j.exception.InternalServerException");
        assertThat(c.string(CallField.ERROR_MESSAGE)).contains("The server had an error");
        assertThat(c.int64(CallField.HTTP_STATUS)).isEqualTo(500L);
        assertThat(c.messages()).containsExactly(Message.of("user", "Hi"));
        assertThat(c.requestModel()).isEqualTo("gpt-test");
        assertThat(c.response()).isNull();
        assertThat(c.int64(CallField.DURATION_US)).isPositive();
    }

    @Test
    void shouldRecordOneCallWhenTheModelRetriesARateLimitAndSucceeds() {
        server.enqueue(json(429, Map.of(), "{\"error\":{\"message\":\"Rate limit reached\",\"type\":\"requests\"}}"));
        server.enqueue(json(200, Map.of("x-request-id", "req_2"), COMPLETION));

        ChatResponse answer = model().maxRetries(1).build().chat(UserMessage.from("Capital of Italy?"));

        assertThat(answer.aiMessage().text()).isEqualTo("Rome.");
        assertThat(server.received()).hasSize(2);
        LlmCall c = LoggedCalls.single(home);
        assertThat(c.status()).isEqualTo(CallField.STATUS_OK);
        assertThat(c.response()).isEqualTo("Rome.");
        assertThat(c.string(CallField.PROVIDER_REQUEST_ID)).isEqualTo("req_2");
    }

    @Test
    void shouldRecordARateLimitThatIsNotRetried() {
        server.enqueue(json(429, Map.of(), "{\"error\":{\"message\":\"Rate limit reached\",\"type\":\"requests\"}}"));

        assertThatThrownBy(() -> model().build().chat("Hi")).isInstanceOf(dev.langchain4j.exception.RateLimitException.class);

        LlmCall c = LoggedCalls.single(home);
        assertThat(c.status()).isEqualTo(CallField.STATUS_ERROR);
        assertThat(c.string(CallField.ERROR_TYPE)).isEqualTo("dev.langchain4j.exception.RateLimitException");
        assertThat(c.int64(CallField.HTTP_STATUS)).isEqualTo(429L);
    }

    @Test
    void shouldRecordATimeout() {
        server.enqueue(ProviderServer.hang());

        assertThatThrownBy(() -> model().timeout(Duration.ofMillis(300)).build().chat("Hi"))
                .isInstanceOf(dev.langchain4j.exception.TimeoutException.class);

        LlmCall c = LoggedCalls.single(home);
        assertThat(c.status()).isEqualTo(CallField.STATUS_ERROR);
        assertThat(c.string(CallField.ERROR_TYPE)).isEqualTo("dev.langchain4j.exception.TimeoutException");
        assertThat(c.int64(CallField.HTTP_STATUS)).isNull();
        assertThat(c.int64(CallField.DURATION_US)).isGreaterThanOrEqualTo(300_000L);
    }

    @Test
    void shouldRecordAResponseThatIsNotJsonAsAnError() {
        server.enqueue(ProviderServer.raw(200, "text/html", Map.of(), "<html>gateway says hello</html>"));

        Throwable seenByApp = catchThrowable(() -> model().build().chat("Hi"));

        assertThat(seenByApp).isNotNull();
        LlmCall c = LoggedCalls.single(home);
        assertThat(c.status()).isEqualTo(CallField.STATUS_ERROR);
        assertThat(c.string(CallField.ERROR_TYPE)).isEqualTo(seenByApp.getClass().getName());
        assertThat(c.string(CallField.ERROR_MESSAGE)).isEqualTo(seenByApp.getMessage()).contains("Unexpected character");
        assertThat(c.response()).isNull();
        assertThat(hooks.stats().failures()).isZero();
    }

    @Test
    void shouldCountAndSwallowAFailureInsideTheListenerAndStillRecordTheRest() {
        PromptLogChatModelListener listener = PromptLogChatModelListener.of(hooks);
        ChatMessage broken = new ChatMessage() {
            @Override
            public ChatMessageType type() {
                throw new IllegalStateException("a message type that cannot be read");
            }
        };
        ChatRequest request = ChatRequest.builder().messages(broken).build();
        Map<Object, Object> attributes = new ConcurrentHashMap<>();

        listener.onRequest(new ChatModelRequestContext(request, ModelProvider.OPEN_AI, attributes));
        listener.onResponse(new ChatModelResponseContext(
                ChatResponse.builder().aiMessage(AiMessage.from("ok")).build(), request, ModelProvider.OPEN_AI, attributes));

        assertThat(hooks.stats().failures()).isEqualTo(1);
        assertThat(hooks.stats().lastFailure()).contains("langchain4j onResponse: request").contains("cannot be read");
        LlmCall c = LoggedCalls.single(home);
        assertThat(c.response()).as("the rest of the call is still recorded").isEqualTo("ok");
        assertThat(c.messages()).isEmpty();
        assertThat(c.status()).isEqualTo(CallField.STATUS_OK);
    }

    @Test
    void shouldKeepImagesAndLaterSystemMessagesAndShapeToolsForAnthropic() {
        PromptLogChatModelListener listener = PromptLogChatModelListener.of(hooks);
        ToolSpecification lookup = ToolSpecification.builder().name("lookup")
                .parameters(JsonObjectSchema.builder().addStringProperty("q").build()).build();
        ChatRequest request = ChatRequest.builder().messages(
                        SystemMessage.from("Be brief."),
                        UserMessage.from(TextContent.from("What is this?"), ImageContent.from("https://example.com/cat.png")),
                        SystemMessage.from("Answer in French."))
                .modelName("claude-test").toolSpecifications(lookup).build();
        Map<Object, Object> attributes = new ConcurrentHashMap<>();

        listener.onRequest(new ChatModelRequestContext(request, ModelProvider.ANTHROPIC, attributes));
        listener.onResponse(new ChatModelResponseContext(
                ChatResponse.builder().aiMessage(AiMessage.from("Un chat.")).build(), request, ModelProvider.ANTHROPIC, attributes));

        LlmCall c = LoggedCalls.single(home);
        assertThat(c.string(CallField.PROVIDER)).isEqualTo("anthropic");
        assertThat(c.systemPrompt()).isEqualTo("Be brief.");
        assertThat(c.messages()).containsExactly(
                Message.of("user", "[{\"type\":\"text\",\"content\":\"What is this?\"},"
                        + "{\"type\":\"uri\",\"modality\":\"image\",\"uri\":\"https://example.com/cat.png\"}]"),
                Message.of("system", "Answer in French."));
        assertThat(c.string(CallField.TOOLS)).isEqualTo(
                "[{\"name\":\"lookup\",\"input_schema\":{\"type\":\"object\",\"properties\":{\"q\":{\"type\":\"string\"}}}}]");
        assertThat(c.response()).isEqualTo("Un chat.");
        assertThat(c.int64(CallField.DURATION_US)).isNotNull();
    }

    @Test
    void shouldRecordOnceWhenTheSameListenerIsRegisteredTwice() {
        server.enqueue(json(200, Map.of(), COMPLETION));
        PromptLogChatModelListener listener = PromptLogChatModelListener.of(hooks);

        model().listeners(List.of(listener, listener)).build().chat("Capital of Italy?");

        assertThat(LoggedCalls.readAll(home)).hasSize(1);
        assertThat(LoggedCalls.single(home).int64(CallField.DURATION_US)).isPositive();
    }
}
