package io.promptlog.integrations.springai;

import io.micrometer.observation.ObservationRegistry;
import io.micrometer.tracing.handler.DefaultTracingObservationHandler;
import io.micrometer.tracing.otel.bridge.OtelBaggageManager;
import io.micrometer.tracing.otel.bridge.OtelCurrentTraceContext;
import io.micrometer.tracing.otel.bridge.OtelTracer;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.promptlog.integrations.LoggedCalls;
import io.promptlog.integrations.OpenAiChatBodies;
import io.promptlog.integrations.PromptLogHooks;
import io.promptlog.integrations.ProviderServer;
import io.promptlog.integrations.opentelemetry.PromptLogSpanProcessor;
import io.promptlog.writer.CallField;
import io.promptlog.writer.LlmCall;
import io.promptlog.writer.PromptLog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.ai.openai.OpenAiChatModel;
import org.springframework.ai.openai.OpenAiChatOptions;
import org.springframework.ai.openai.api.OpenAiApi;
import org.springframework.retry.support.RetryTemplate;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.promptlog.integrations.ProviderServer.json;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The OpenTelemetry hook fed by the real thing: a Spring AI model's chat observation, turned into an OTel
 * span by Micrometer's OpenTelemetry bridge (every attribute a string), recorded by
 * {@link PromptLogSpanProcessor}. Spring AI puts no message content on its spans: only the metadata is
 * there (use {@link PromptLogObservationHandler} for the content).
 */
@Timeout(60)
class SpringAiSpansThroughOpenTelemetryTest {
    // Both hooks on one observation registry here: the span processor's record (metadata) and the
    // handler's (with content) must name the same span.
    @TempDir
    Path home;

    @Test
    void shouldRecordTheSpanOfASpringAiCall() throws Exception {
        try (PromptLog log = PromptLog.open(home); ProviderServer server = new ProviderServer()) {
            PromptLogHooks hooks = PromptLogHooks.of(log);
            SdkTracerProvider tracing = SdkTracerProvider.builder().addSpanProcessor(PromptLogSpanProcessor.of(hooks)).build();
            OtelCurrentTraceContext current = new OtelCurrentTraceContext();
            OtelTracer tracer = new OtelTracer(tracing.get("spring-ai"), current, event -> { },
                    new OtelBaggageManager(current, List.of(), List.of()));
            ObservationRegistry registry = ObservationRegistry.create();
            registry.observationConfig().observationHandler(new DefaultTracingObservationHandler(tracer))
                    .observationHandler(PromptLogObservationHandler.of(hooks));
            server.enqueue(json(200, Map.of(), OpenAiChatBodies.COMPLETION));
            OpenAiChatModel model = OpenAiChatModel.builder()
                    .openAiApi(OpenAiApi.builder().baseUrl(server.url("")).apiKey("sk-test").build())
                    .defaultOptions(OpenAiChatOptions.builder().model("gpt-test").temperature(0.3).maxTokens(256)
                            .stop(List.of("END")).build())
                    .retryTemplate(RetryTemplate.builder().maxAttempts(1).build())
                    .observationRegistry(registry).build();

            model.call(new Prompt("Capital of Italy?"));
            tracing.shutdown().join(10, TimeUnit.SECONDS);

            List<LlmCall> calls = LoggedCalls.readAll(home);
            assertThat(calls).as("one record from each hook").hasSize(2);
            LlmCall fromHandler = calls.stream().filter(r -> !r.messages().isEmpty()).findFirst().orElseThrow();
            LlmCall c = calls.stream().filter(r -> r.messages().isEmpty()).findFirst().orElseThrow();
            assertThat(fromHandler.string(CallField.TRACE_ID)).as("the handler takes the observation's own span")
                    .isEqualTo(c.string(CallField.TRACE_ID));
            assertThat(fromHandler.string(CallField.SPAN_ID)).isEqualTo(c.string(CallField.SPAN_ID));
            assertThat(c.string(CallField.PROVIDER)).isEqualTo("openai");
            assertThat(c.string(CallField.OPERATION)).isEqualTo("chat");
            assertThat(c.requestModel()).isEqualTo("gpt-test");
            assertThat(c.string(CallField.RESPONSE_MODEL)).isEqualTo("gpt-test-2025-12-01");
            assertThat(c.string(CallField.RESPONSE_ID)).isEqualTo("chatcmpl-1");
            assertThat(c.float64(CallField.TEMPERATURE)).isEqualTo(0.3);
            assertThat(c.int64(CallField.MAX_TOKENS)).isEqualTo(256L);
            assertThat(c.stopSequences()).containsExactly("END");
            assertThat(c.string(CallField.FINISH_REASON)).isEqualToIgnoringCase("stop");
            assertThat(c.int64(CallField.INPUT_TOKENS)).isEqualTo(1000L);
            assertThat(c.int64(CallField.OUTPUT_TOKENS)).isEqualTo(200L);
            assertThat(c.string(CallField.TRACE_ID)).hasSize(32);
            assertThat(c.int64(CallField.DURATION_US)).isPositive();
            assertThat(c.status()).isEqualTo(CallField.STATUS_OK);
            assertThat(c.messages()).as("Spring AI's spans carry no content").isEmpty();
            assertThat(hooks.stats().failures()).isZero();
        }
    }
}
