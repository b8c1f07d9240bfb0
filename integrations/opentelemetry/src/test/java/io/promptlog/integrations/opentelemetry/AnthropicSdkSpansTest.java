package io.promptlog.integrations.opentelemetry;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.core.opentelemetry.OpenTelemetryContentMode;
import com.anthropic.core.opentelemetry.OpenTelemetryOptions;
import com.anthropic.core.opentelemetry.OpenTelemetryTraces;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.Model;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.anthropic.core.http.StreamResponse;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.promptlog.integrations.LoggedCalls;
import io.promptlog.integrations.PromptLogHooks;
import io.promptlog.integrations.ProviderServer;
import io.promptlog.writer.CallField;
import io.promptlog.writer.LlmCall;
import io.promptlog.writer.PromptLog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.promptlog.integrations.ProviderServer.event;
import static io.promptlog.integrations.ProviderServer.json;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The processor fed by a real emitter of GenAI spans: anthropic-java 3.14's own OpenTelemetry tracing in
 * content mode, calling a local server that speaks the Messages API.
 */
@Timeout(60)
class AnthropicSdkSpansTest {
    static final String MESSAGE = "{\"id\":\"msg_01\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-sonnet-4-5-20250929\","
            + "\"content\":[{\"type\":\"text\",\"text\":\"Paris.\"}],\"stop_reason\":\"end_turn\",\"stop_sequence\":null,"
            + "\"usage\":{\"input_tokens\":20,\"output_tokens\":5,\"cache_creation_input_tokens\":100,\"cache_read_input_tokens\":1000}}";

    @TempDir
    Path home;

    static AnthropicClient tracedClient(ProviderServer server, SdkTracerProvider tracing) {
        return AnthropicOkHttpClient.builder().baseUrl(server.url("")).apiKey("sk-ant-test")
                .openTelemetry(OpenTelemetryOptions.builder().tracerProvider(tracing)
                        .traces(OpenTelemetryTraces.builder().enabled(true)
                                .contentMode(OpenTelemetryContentMode.CONTENT).build()).build())
                .build();
    }

    @Test
    void shouldRecordTheSpanAnthropicJavaEmitsWithItsContent() throws Exception {
        try (PromptLog log = PromptLog.open(home); ProviderServer server = new ProviderServer()) {
            PromptLogHooks hooks = PromptLogHooks.of(log);
            InMemorySpanExporter exported = InMemorySpanExporter.create();
            SdkTracerProvider tracing = SdkTracerProvider.builder().addSpanProcessor(PromptLogSpanProcessor.of(hooks))
                    .addSpanProcessor(SimpleSpanProcessor.create(exported)).build();
            AnthropicClient client = tracedClient(server, tracing);
            server.enqueue(json(200, Map.of("request-id", "req_01"), MESSAGE));

            Message answer = client.messages().create(MessageCreateParams.builder().model(Model.CLAUDE_SONNET_4_5)
                    .maxTokens(256).system("You are a terse geography tutor.")
                    .addUserMessage("What is the capital of France?").build());

            assertThat(answer.content().get(0).asText().text()).isEqualTo("Paris.");
            assertThat(exported.getFinishedSpanItems()).isNotEmpty();
            LlmCall c = LoggedCalls.single(home);
            assertThat(c.string(CallField.PROVIDER)).isEqualTo("anthropic");
            assertThat(c.requestModel()).isEqualTo("claude-sonnet-4-5");
            assertThat(c.string(CallField.RESPONSE_MODEL)).isEqualTo("claude-sonnet-4-5-20250929");
            assertThat(c.string(CallField.RESPONSE_ID)).isEqualTo("msg_01");
            assertThat(c.int64(CallField.MAX_TOKENS)).isEqualTo(256L);
            assertThat(c.systemPrompt()).isEqualTo("You are a terse geography tutor.");
            assertThat(c.messages()).containsExactly(io.promptlog.writer.Message.of("user", "What is the capital of France?"));
            assertThat(c.response()).isEqualTo("Paris.");
            assertThat(c.string(CallField.FINISH_REASON)).isEqualTo("end_turn");
            assertThat(c.int64(CallField.INPUT_TOKENS)).as("all input tokens, cache reads and writes included").isEqualTo(1120L);
            assertThat(c.int64(CallField.CACHED_INPUT_TOKENS)).isEqualTo(1000L);
            assertThat(c.int64(CallField.OUTPUT_TOKENS)).isEqualTo(5L);
            assertThat(c.string(CallField.PROVIDER_REQUEST_ID)).isEqualTo("req_01");
            assertThat(c.int64(CallField.HTTP_STATUS)).isEqualTo(200L);
            assertThat(c.status()).isEqualTo(CallField.STATUS_OK);
            assertThat(hooks.stats().failures()).isZero();
            tracing.shutdown().join(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void shouldRecordAStreamedCallWithTheTimeToFirstChunkTheSdkMeasured() throws Exception {
        try (PromptLog log = PromptLog.open(home); ProviderServer server = new ProviderServer()) {
            SdkTracerProvider tracing = SdkTracerProvider.builder().addSpanProcessor(PromptLogSpanProcessor.of(log)).build();
            server.enqueue(ProviderServer.sse(Map.of("request-id", "req_02"), ProviderServer.list(
                    event("message_start", "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_s\",\"type\":\"message\","
                            + "\"role\":\"assistant\",\"content\":[],\"model\":\"claude-sonnet-4-5-20250929\",\"stop_reason\":null,"
                            + "\"stop_sequence\":null,\"usage\":{\"input_tokens\":25,\"output_tokens\":1}}}"),
                    event("content_block_start", "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}"),
                    event("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Par\"}}"),
                    event("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"is.\"}}"),
                    event("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}"),
                    event("message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\",\"stop_sequence\":null},"
                            + "\"usage\":{\"output_tokens\":15}}"),
                    event("message_stop", "{\"type\":\"message_stop\"}"))));
            StringBuilder text = new StringBuilder();

            try (StreamResponse<RawMessageStreamEvent> s = tracedClient(server, tracing).messages().createStreaming(
                    MessageCreateParams.builder().model(Model.CLAUDE_SONNET_4_5).maxTokens(256)
                            .addUserMessage("What is the capital of France?").build())) {
                s.stream().forEach(e -> e.contentBlockDelta().flatMap(d -> d.delta().text()).ifPresent(t -> text.append(t.text())));
            }

            assertThat(text).hasToString("Paris.");
            LlmCall c = LoggedCalls.single(home);
            assertThat(c.bool(CallField.STREAM)).isTrue();
            assertThat(c.response()).isEqualTo("Paris.");
            assertThat(c.string(CallField.RESPONSE_ID)).isEqualTo("msg_s");
            assertThat(c.int64(CallField.OUTPUT_TOKENS)).isEqualTo(15L);
            assertThat(c.int64(CallField.TTFT_US)).as("the SDK's gen_ai.response.time_to_first_chunk")
                    .isNotNull().isPositive().isLessThanOrEqualTo(c.int64(CallField.DURATION_US));
            assertThat(c.status()).isEqualTo(CallField.STATUS_OK);
            tracing.shutdown().join(10, TimeUnit.SECONDS);
        }
    }
}
