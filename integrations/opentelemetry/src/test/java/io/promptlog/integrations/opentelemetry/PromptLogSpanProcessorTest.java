package io.promptlog.integrations.opentelemetry;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.promptlog.integrations.LoggedCalls;
import io.promptlog.integrations.PriceTable;
import io.promptlog.integrations.PromptLogHooks;
import io.promptlog.writer.CallField;
import io.promptlog.writer.LlmCall;
import io.promptlog.writer.Message;
import io.promptlog.writer.PromptLog;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpTimeoutException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The processor on a real OpenTelemetry SDK: spans shaped like the GenAI semantic conventions (as
 * anthropic-java 3.14 and Spring AI emit them, attribute names as strings) and like OpenLLMetry's indexed
 * form, ended through the tracer, then read back from the real queue.
 */
@Timeout(60)
class PromptLogSpanProcessorTest {
    private static final long T0 = 1_764_547_200_000_000_000L; // 2025-12-01T00:00:00Z in nanos

    @TempDir
    Path home;
    private PromptLog log;
    private PromptLogHooks hooks;
    private InMemorySpanExporter exported;
    private SdkTracerProvider tracerProvider;
    private Tracer tracer;

    @BeforeEach
    void setUp() {
        log = PromptLog.open(home);
        hooks = PromptLogHooks.builder(log)
                .prices(PriceTable.empty().with("claude-test", new PriceTable.Price(3.0, 0.30, 15.0)))
                .build();
        exported = InMemorySpanExporter.create();
        tracerProvider = SdkTracerProvider.builder()
                .setResource(Resource.getDefault().merge(Resource.create(Attributes.of(
                        AttributeKey.stringKey("service.name"), "checkout",
                        AttributeKey.stringKey("deployment.environment.name"), "staging"))))
                .addSpanProcessor(PromptLogSpanProcessor.of(hooks))
                .addSpanProcessor(SimpleSpanProcessor.create(exported))
                .build();
        tracer = tracerProvider.get("test");
    }

    @AfterEach
    void tearDown() {
        tracerProvider.shutdown().join(10, TimeUnit.SECONDS);
        log.close();
    }

    @Test
    void shouldRecordAChatSpanWithSemanticConventionContentFieldByField() {
        Span parent = tracer.spanBuilder("handle request").setStartTimestamp(T0, TimeUnit.NANOSECONDS).startSpan();
        Span span;
        try (Scope ignored = parent.makeCurrent()) {
            span = tracer.spanBuilder("chat claude-test").setStartTimestamp(T0 + 1_000_000, TimeUnit.NANOSECONDS)
                    .setAttribute("gen_ai.operation.name", "chat")
                    .setAttribute("gen_ai.provider.name", "anthropic")
                    .setAttribute("gen_ai.request.model", "claude-test")
                    .setAttribute("gen_ai.request.temperature", 0.3)
                    .setAttribute("gen_ai.request.top_p", 0.9)
                    .setAttribute("gen_ai.request.top_k", 40L)
                    .setAttribute("gen_ai.request.max_tokens", 512L)
                    .setAttribute("gen_ai.request.seed", 7L)
                    .setAttribute(AttributeKey.stringArrayKey("gen_ai.request.stop_sequences"), List.of("END", "STOP"))
                    .setAttribute("gen_ai.request.stream", true)
                    .setAttribute("gen_ai.conversation.id", "conv-42")
                    .setAttribute("gen_ai.system_instructions", "[{\"type\":\"text\",\"content\":\"You are terse.\"}]")
                    .setAttribute("gen_ai.input.messages", "[{\"role\":\"user\",\"parts\":[{\"type\":\"text\",\"content\":\"Capital of France?\"}]},"
                            + "{\"role\":\"assistant\",\"parts\":[{\"type\":\"text\",\"content\":\"Paris.\"}]},"
                            + "{\"role\":\"user\",\"parts\":[{\"type\":\"text\",\"content\":\"And of Italy?\"}]}]")
                    .setAttribute("gen_ai.output.messages", "[{\"role\":\"assistant\",\"parts\":[{\"type\":\"text\",\"content\":\"Rome.\"}],\"finish_reason\":\"end_turn\"}]")
                    .setAttribute("gen_ai.response.id", "msg_01")
                    .setAttribute("gen_ai.response.model", "claude-test-20251201")
                    .setAttribute(AttributeKey.stringArrayKey("gen_ai.response.finish_reasons"), List.of("end_turn"))
                    .setAttribute("gen_ai.usage.input_tokens", 1000L)
                    .setAttribute("gen_ai.usage.output_tokens", 200L)
                    .setAttribute("gen_ai.usage.cache_read.input_tokens", 400L)
                    .setAttribute("gen_ai.usage.reasoning.output_tokens", 50L)
                    .setAttribute("gen_ai.response.time_to_first_chunk", 0.25)
                    .setAttribute("anthropic.request.id", "req_abc")
                    .setAttribute("http.response.status_code", 200L)
                    .startSpan();
            span.end(T0 + 1_000_000 + 812_000_000L, TimeUnit.NANOSECONDS);
        }
        parent.end(T0 + 900_000_000L, TimeUnit.NANOSECONDS);

        LlmCall c = LoggedCalls.single(home);
        assertThat(c.string(CallField.TRACE_ID)).isEqualTo(span.getSpanContext().getTraceId());
        assertThat(c.string(CallField.SPAN_ID)).isEqualTo(span.getSpanContext().getSpanId());
        assertThat(c.string(CallField.PARENT_SPAN_ID)).isEqualTo(parent.getSpanContext().getSpanId());
        assertThat(c.startTimeMicros()).isEqualTo((T0 + 1_000_000) / 1_000);
        assertThat(c.int64(CallField.DURATION_US)).isEqualTo(812_000L);
        assertThat(c.int64(CallField.TTFT_US)).isEqualTo(250_000L);
        assertThat(c.string(CallField.SERVICE)).isEqualTo("checkout");
        assertThat(c.string(CallField.ENVIRONMENT)).isEqualTo("staging");
        assertThat(c.string(CallField.PROVIDER)).isEqualTo("anthropic");
        assertThat(c.string(CallField.OPERATION)).isEqualTo("chat");
        assertThat(c.requestModel()).isEqualTo("claude-test");
        assertThat(c.string(CallField.RESPONSE_MODEL)).isEqualTo("claude-test-20251201");
        assertThat(c.float64(CallField.TEMPERATURE)).isEqualTo(0.3);
        assertThat(c.float64(CallField.TOP_P)).isEqualTo(0.9);
        assertThat(c.int64(CallField.TOP_K)).isEqualTo(40L);
        assertThat(c.int64(CallField.MAX_TOKENS)).isEqualTo(512L);
        assertThat(c.int64(CallField.SEED)).isEqualTo(7L);
        assertThat(c.stopSequences()).containsExactly("END", "STOP");
        assertThat(c.bool(CallField.STREAM)).isTrue();
        assertThat(c.string(CallField.SESSION_ID)).isEqualTo("conv-42");
        assertThat(c.systemPrompt()).isEqualTo("You are terse.");
        assertThat(c.messages()).containsExactly(Message.of("user", "Capital of France?"),
                Message.of("assistant", "Paris."), Message.of("user", "And of Italy?"));
        assertThat(c.response()).isEqualTo("Rome.");
        assertThat(c.string(CallField.FINISH_REASON)).isEqualTo("end_turn");
        assertThat(c.string(CallField.RESPONSE_ID)).isEqualTo("msg_01");
        assertThat(c.string(CallField.PROVIDER_REQUEST_ID)).isEqualTo("req_abc");
        assertThat(c.int64(CallField.HTTP_STATUS)).isEqualTo(200L);
        assertThat(c.int64(CallField.INPUT_TOKENS)).isEqualTo(1000L);
        assertThat(c.int64(CallField.OUTPUT_TOKENS)).isEqualTo(200L);
        assertThat(c.int64(CallField.CACHED_INPUT_TOKENS)).isEqualTo(400L);
        assertThat(c.int64(CallField.REASONING_TOKENS)).isEqualTo(50L);
        // (600 x 3.0 + 400 x 0.30 + 200 x 15.0) / 1e6
        assertThat(c.float64(CallField.COST_USD)).isCloseTo(0.00492, within(1e-12));
        assertThat(c.status()).isEqualTo(CallField.STATUS_OK);
        assertThat(c.string(CallField.ERROR_TYPE)).isNull();
        assertThat(hooks.stats().recorded()).isEqualTo(1);
        assertThat(hooks.stats().failures()).isZero();
        assertThat(exported.getFinishedSpanItems()).hasSize(2);
    }

    @Test
    void shouldRecordToolDefinitionsToolCallsAndToolResultsInTheProvidersShapes() {
        tracer.spanBuilder("chat gpt-test")
                .setAttribute("gen_ai.operation.name", "chat")
                .setAttribute("gen_ai.provider.name", "openai")
                .setAttribute("gen_ai.request.model", "gpt-test")
                .setAttribute("gen_ai.tool.definitions", "[{\"type\":\"function\",\"name\":\"get_weather\",\"description\":\"Weather of a city\","
                        + "\"parameters\":{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"]}}]")
                .setAttribute("gen_ai.input.messages", "[{\"role\":\"user\",\"parts\":[{\"type\":\"text\",\"content\":\"Weather in Paris?\"}]},"
                        + "{\"role\":\"assistant\",\"parts\":[{\"type\":\"tool_call\",\"id\":\"call_1\",\"name\":\"get_weather\",\"arguments\":{\"city\":\"Paris\"}}]},"
                        + "{\"role\":\"tool\",\"parts\":[{\"type\":\"tool_call_response\",\"id\":\"call_1\",\"response\":\"18C, sunny\"}]}]")
                .setAttribute("gen_ai.output.messages", "[{\"role\":\"assistant\",\"parts\":[{\"type\":\"tool_call\",\"id\":\"call_2\","
                        + "\"name\":\"get_weather\",\"arguments\":{\"city\":\"Rome\"}}],\"finish_reason\":\"tool_call\"}]")
                .startSpan().end();

        LlmCall c = LoggedCalls.single(home);
        assertThat(c.string(CallField.TOOLS)).isEqualTo("[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\","
                + "\"description\":\"Weather of a city\",\"parameters\":{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},"
                + "\"required\":[\"city\"]}}}]");
        assertThat(c.messages()).containsExactly(
                Message.of("user", "Weather in Paris?"),
                Message.of("assistant", "[{\"type\":\"tool_call\",\"id\":\"call_1\",\"name\":\"get_weather\",\"arguments\":{\"city\":\"Paris\"}}]"),
                new Message("tool", "18C, sunny", null, "call_1"));
        assertThat(c.response()).isNull();
        assertThat(c.string(CallField.RESPONSE_TOOL_CALLS)).isEqualTo(
                "[{\"id\":\"call_2\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"arguments\":\"{\\\"city\\\":\\\"Rome\\\"}\"}}]");
        assertThat(c.string(CallField.FINISH_REASON)).isEqualTo("tool_call");
        assertThat(c.float64(CallField.COST_USD)).as("model not in the price table: no cost").isNull();
    }

    @Test
    void shouldRecordToolDefinitionsInAnthropicsShapeForAnthropic() {
        tracer.spanBuilder("chat").setAttribute("gen_ai.provider.name", "anthropic")
                .setAttribute("gen_ai.tool.definitions", "[{\"type\":\"function\",\"name\":\"lookup\",\"parameters\":{\"type\":\"object\"}}]")
                .startSpan().end();

        assertThat(LoggedCalls.single(home).string(CallField.TOOLS))
                .isEqualTo("[{\"name\":\"lookup\",\"input_schema\":{\"type\":\"object\"}}]");
    }

    @Test
    void shouldRecordAFailedCallWithErrorTypeMessageAndHttpStatus() {
        Span span = tracer.spanBuilder("chat gpt-test")
                .setAttribute("gen_ai.operation.name", "chat")
                .setAttribute("gen_ai.provider.name", "openai")
                .setAttribute("gen_ai.request.model", "gpt-test")
                .setAttribute("http.response.status_code", 429L)
                .startSpan();
        span.recordException(new IllegalStateException("429 Too Many Requests: rate limited"));
        span.setStatus(StatusCode.ERROR);
        span.end();

        LlmCall c = LoggedCalls.single(home);
        assertThat(c.status()).isEqualTo(CallField.STATUS_ERROR);
        assertThat(c.string(CallField.ERROR_TYPE)).isEqualTo("java.lang.IllegalStateException");
        assertThat(c.string(CallField.ERROR_MESSAGE)).isEqualTo("429 Too Many Requests: rate limited");
        assertThat(c.int64(CallField.HTTP_STATUS)).isEqualTo(429L);
        assertThat(c.response()).isNull();
    }

    @Test
    void shouldRecordATimeoutFromErrorTypeAndStatusDescription() {
        Span span = tracer.spanBuilder("chat").setAttribute("gen_ai.operation.name", "chat")
                .setAttribute("gen_ai.request.model", "gpt-test")
                .setAttribute("error.type", HttpTimeoutException.class.getName())
                .startSpan();
        span.setStatus(StatusCode.ERROR, "request timed out after 2s");
        span.end();

        LlmCall c = LoggedCalls.single(home);
        assertThat(c.status()).isEqualTo(CallField.STATUS_ERROR);
        assertThat(c.string(CallField.ERROR_TYPE)).isEqualTo("java.net.http.HttpTimeoutException");
        assertThat(c.string(CallField.ERROR_MESSAGE)).isEqualTo("request timed out after 2s");
    }

    @Test
    void shouldSkipSpansThatAreNotModelCalls() {
        tracer.spanBuilder("GET /orders").setAttribute("http.request.method", "GET").startSpan().end();
        tracer.spanBuilder("invoke_agent planner").setAttribute("gen_ai.operation.name", "invoke_agent")
                .setAttribute("gen_ai.provider.name", "anthropic").startSpan().end();
        tracer.spanBuilder("execute_tool lookup").setAttribute("gen_ai.operation.name", "execute_tool")
                .setAttribute("gen_ai.tool.name", "lookup").startSpan().end();
        tracer.spanBuilder("chat").setAttribute("gen_ai.operation.name", "chat").startSpan().end();

        List<LlmCall> calls = LoggedCalls.readAll(home);
        assertThat(calls).hasSize(1);
        assertThat(calls.get(0).string(CallField.OPERATION)).isEqualTo("chat");
        assertThat(exported.getFinishedSpanItems()).hasSize(4);
    }

    @Test
    void shouldReadOpenLlmetrysIndexedAttributes() {
        tracer.spanBuilder("openai.chat")
                .setAttribute("gen_ai.system", "openai")
                .setAttribute("llm.request.type", "chat")
                .setAttribute("gen_ai.request.model", "gpt-test")
                .setAttribute("llm.is_streaming", false)
                .setAttribute("gen_ai.prompt.0.role", "system")
                .setAttribute("gen_ai.prompt.0.content", "Be brief.")
                .setAttribute("gen_ai.prompt.1.role", "user")
                .setAttribute("gen_ai.prompt.1.content", "Weather in Oslo?")
                .setAttribute("gen_ai.completion.0.role", "assistant")
                .setAttribute("gen_ai.completion.0.finish_reason", "tool_calls")
                .setAttribute("gen_ai.completion.0.tool_calls.0.id", "call_9")
                .setAttribute("gen_ai.completion.0.tool_calls.0.name", "get_weather")
                .setAttribute("gen_ai.completion.0.tool_calls.0.arguments", "{\"city\":\"Oslo\"}")
                .setAttribute("llm.request.functions.0.name", "get_weather")
                .setAttribute("llm.request.functions.0.description", "Weather of a city")
                .setAttribute("llm.request.functions.0.parameters", "{\"type\":\"object\"}")
                .setAttribute("gen_ai.usage.prompt_tokens", 30L)
                .setAttribute("gen_ai.usage.completion_tokens", 12L)
                .startSpan().end();

        LlmCall c = LoggedCalls.single(home);
        assertThat(c.string(CallField.PROVIDER)).isEqualTo("openai");
        assertThat(c.string(CallField.OPERATION)).isEqualTo("chat");
        assertThat(c.bool(CallField.STREAM)).isFalse();
        assertThat(c.systemPrompt()).isEqualTo("Be brief.");
        assertThat(c.messages()).containsExactly(Message.of("user", "Weather in Oslo?"));
        assertThat(c.string(CallField.RESPONSE_TOOL_CALLS)).isEqualTo(
                "[{\"id\":\"call_9\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"arguments\":\"{\\\"city\\\":\\\"Oslo\\\"}\"}}]");
        assertThat(c.string(CallField.FINISH_REASON)).isEqualTo("tool_calls");
        assertThat(c.string(CallField.TOOLS)).isEqualTo(
                "[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"description\":\"Weather of a city\",\"parameters\":{\"type\":\"object\"}}}]");
        assertThat(c.int64(CallField.INPUT_TOKENS)).isEqualTo(30L);
        assertThat(c.int64(CallField.OUTPUT_TOKENS)).isEqualTo(12L);
    }

    @Test
    void shouldKeepContentThatIsNotJsonAsAnAttributeCountTheFailureAndStillRecordTheCall() {
        tracer.spanBuilder("chat").setAttribute("gen_ai.operation.name", "chat")
                .setAttribute("gen_ai.request.model", "gpt-test")
                .setAttribute("gen_ai.input.messages", "<html>not json</html>")
                .setAttribute("gen_ai.output.messages", "[{\"role\":\"assistant\",\"parts\":[{\"type\":\"text\",\"content\":\"ok\"}]}]")
                .setAttribute("gen_ai.usage.input_tokens", 5L)
                .startSpan().end();

        LlmCall c = LoggedCalls.single(home);
        assertThat(c.messages()).isEmpty();
        assertThat(c.attributes()).containsEntry("gen_ai.input.messages", "<html>not json</html>");
        assertThat(c.response()).isEqualTo("ok");
        assertThat(c.int64(CallField.INPUT_TOKENS)).isEqualTo(5L);
        assertThat(hooks.stats().failures()).isEqualTo(1);
        assertThat(hooks.stats().lastFailure()).contains("gen_ai.input.messages");
        assertThat(exported.getFinishedSpanItems()).as("the span still reaches the app's exporter").hasSize(1);
    }

    @Test
    void shouldKeepAPlainTextSystemInstructionAndMultiPartContentAsPartsJson() {
        tracer.spanBuilder("chat").setAttribute("gen_ai.operation.name", "chat")
                .setAttribute("gen_ai.system_instructions", "You are a pirate.")
                .setAttribute("gen_ai.input.messages", "[{\"role\":\"user\",\"parts\":[{\"type\":\"text\",\"content\":\"What is this?\"},"
                        + "{\"type\":\"uri\",\"modality\":\"image\",\"uri\":\"https://example.com/cat.png\"}]}]")
                .startSpan().end();

        LlmCall c = LoggedCalls.single(home);
        assertThat(c.systemPrompt()).isEqualTo("You are a pirate.");
        assertThat(c.messages()).containsExactly(Message.of("user", "[{\"type\":\"text\",\"content\":\"What is this?\"},"
                + "{\"type\":\"uri\",\"modality\":\"image\",\"uri\":\"https://example.com/cat.png\"}]"));
    }

    @Test
    void shouldReadAttributesThatMicrometersBridgeTurnedIntoStrings() {
        // Spring AI's chat observation as micrometer-tracing-bridge-otel exports it: every value a string
        tracer.spanBuilder("chat gpt-test")
                .setAttribute("gen_ai.system", "openai")
                .setAttribute("gen_ai.operation.name", "chat")
                .setAttribute("gen_ai.request.model", "gpt-test")
                .setAttribute("gen_ai.request.temperature", "0.3")
                .setAttribute("gen_ai.request.top_k", "40")
                .setAttribute("gen_ai.request.max_tokens", "256")
                .setAttribute("gen_ai.request.stop_sequences", "[\"END\", \"STOP\"]")
                .setAttribute("spring.ai.model.request.tool.names", "[\"get_weather\"]")
                .setAttribute("gen_ai.response.finish_reasons", "[\"STOP\"]")
                .setAttribute("gen_ai.usage.input_tokens", "1000")
                .setAttribute("gen_ai.usage.output_tokens", "200")
                .startSpan().end();

        LlmCall c = LoggedCalls.single(home);
        assertThat(c.string(CallField.PROVIDER)).isEqualTo("openai");
        assertThat(c.float64(CallField.TEMPERATURE)).isEqualTo(0.3);
        assertThat(c.int64(CallField.TOP_K)).isEqualTo(40L);
        assertThat(c.int64(CallField.MAX_TOKENS)).isEqualTo(256L);
        assertThat(c.stopSequences()).containsExactly("END", "STOP");
        assertThat(c.string(CallField.TOOLS)).isEqualTo("[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\"}}]");
        assertThat(c.string(CallField.FINISH_REASON)).isEqualTo("STOP");
        assertThat(c.int64(CallField.INPUT_TOKENS)).isEqualTo(1000L);
        assertThat(c.int64(CallField.OUTPUT_TOKENS)).isEqualTo(200L);
    }
}
