package io.promptlog.integrations.jdkhttp;

import io.promptlog.integrations.ClientHookTestBase;
import io.promptlog.integrations.LlmHttpHook;
import io.promptlog.integrations.LoggedCalls;
import io.promptlog.integrations.PromptLogHooks;
import io.promptlog.integrations.ProviderServer;
import io.promptlog.writer.CallField;
import io.promptlog.writer.LlmCall;
import io.promptlog.writer.Message;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static io.promptlog.integrations.ProviderServer.data;
import static io.promptlog.integrations.ProviderServer.json;
import static io.promptlog.integrations.ProviderServer.list;
import static io.promptlog.integrations.ProviderServer.sse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The JDK HttpClient wrapped, against a local server speaking the OpenAI (and Anthropic) protocol. */
@Timeout(60)
class PromptLogHttpClientTest extends ClientHookTestBase {
    static final String KEY = "sk-local-0123456789-secret";
    static final Map<String, String> REQUEST_ID = Map.of("x-request-id", "req_vllm_1");
    static final String REQUEST = """
            {"model":"meta-llama/Llama-3.1-8B-Instruct","messages":[{"role":"system","content":"Be brief."},\
            {"role":"user","content":"Capital of France?"},{"role":"assistant","content":"Paris."},\
            {"role":"user","content":"And of Italy?"}],"temperature":0,"max_tokens":20,"stop":["\\n\\n"]}""";
    static final String COMPLETION = """
            {"id":"chatcmpl-vllm-1","object":"chat.completion","created":1741569952,\
            "model":"meta-llama/Llama-3.1-8B-Instruct","choices":[{"index":0,"message":{"role":"assistant",\
            "content":"Rome."},"finish_reason":"stop"}],"usage":{"prompt_tokens":31,"completion_tokens":3,"total_tokens":34}}""";

    HttpClient http;

    @BeforeEach
    void wrap() {
        hook = LlmHttpHook.builder(PromptLogHooks.of(log)).provider("vllm").build();
        http = PromptLogHttpClient.wrap(HttpClient.newHttpClient(), hook);
    }

    HttpRequest.Builder post(String path, String body) {
        return HttpRequest.newBuilder(URI.create(server.url(path))).header("Authorization", "Bearer " + KEY)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
    }

    @Test
    void shouldRecordAnOpenAiCompatibleCallFieldByFieldAndPassTheBytesThrough() throws Exception {
        server.enqueue(json(200, REQUEST_ID, COMPLETION));
        HttpResponse<String> r = inSpan(() -> {
            try {
                return http.send(post("/v1/chat/completions", REQUEST).build(), HttpResponse.BodyHandlers.ofString());
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        assertThat(r.body()).isEqualTo(server.lastSentBody());
        assertThat(server.received().get(0).body()).isEqualTo(REQUEST);

        LlmCall c = LoggedCalls.single(home);
        assertThat(c.string(CallField.PROVIDER)).isEqualTo("vllm");
        assertThat(c.requestModel()).isEqualTo("meta-llama/Llama-3.1-8B-Instruct");
        assertThat(c.systemPrompt()).isEqualTo("Be brief.");
        assertThat(c.messages()).containsExactly(Message.of("user", "Capital of France?"),
                Message.of("assistant", "Paris."), Message.of("user", "And of Italy?"));
        assertThat(c.float64(CallField.TEMPERATURE)).isEqualTo(0.0);
        assertThat(c.int64(CallField.MAX_TOKENS)).isEqualTo(20);
        assertThat(c.stopSequences()).containsExactly("\n\n");
        assertThat(c.response()).isEqualTo("Rome.");
        assertThat(c.string(CallField.FINISH_REASON)).isEqualTo("stop");
        assertThat(c.int64(CallField.INPUT_TOKENS)).isEqualTo(31);
        assertThat(c.int64(CallField.OUTPUT_TOKENS)).isEqualTo(3);
        assertThat(c.float64(CallField.COST_USD)).as("no price for this model").isNull();
        assertThat(c.string(CallField.PROVIDER_REQUEST_ID)).isEqualTo("req_vllm_1");
        assertThat(c.string(CallField.RESPONSE_ID)).isEqualTo("chatcmpl-vllm-1");
        assertThat(c.int64(CallField.HTTP_STATUS)).isEqualTo(200);
        assertThat(c.status()).isEqualTo(CallField.STATUS_OK);
        assertThat(c.string(CallField.TRACE_ID)).isEqualTo(TRACE_ID);
        assertThat(c.toString()).doesNotContain(KEY);
    }

    static List<String> chunks() {
        String head = "{\"id\":\"chatcmpl-s\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4o-mini\",";
        return list(
                data(head + "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"Ro\"},\"finish_reason\":null}]}"),
                data(head + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"me.\"},\"finish_reason\":null}]}"),
                data(head + "\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}"),
                "data: [DONE]\n\n");
    }

    @Test
    void shouldRecordAStreamReadLineByLine() throws Exception {
        server.enqueue(sse(REQUEST_ID, chunks()));
        HttpResponse<java.util.stream.Stream<String>> r = http.send(
                post("/v1/chat/completions", REQUEST.replace("\"temperature\"", "\"stream\":true,\"temperature\"")).build(),
                HttpResponse.BodyHandlers.ofLines());
        String lines;
        try (var s = r.body()) {
            lines = s.collect(Collectors.joining("\n", "", "\n"));
        }
        assertThat(lines).isEqualTo(server.lastSentBody());
        LlmCall c = LoggedCalls.single(home);
        assertThat(c.bool(CallField.STREAM)).isTrue();
        assertThat(c.response()).isEqualTo("Rome.");
        assertThat(c.string(CallField.RESPONSE_MODEL)).isEqualTo("gpt-4o-mini");
        assertThat(c.status()).isEqualTo(CallField.STATUS_OK);
        assertThat(c.int64(CallField.TTFT_US)).isPositive().isLessThanOrEqualTo(c.int64(CallField.DURATION_US));
    }

    @Test
    void shouldRecordAStreamTheAppAbandonsAsIncomplete() throws Exception {
        server.enqueue(sse(REQUEST_ID, chunks(), 1));
        HttpResponse<InputStream> r = http.send(post("/v1/chat/completions", REQUEST).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream in = r.body()) {
            byte[] first = new byte[6];
            assertThat(in.readNBytes(first, 0, 6)).isEqualTo(6);
            assertThat(new String(first, StandardCharsets.UTF_8)).isEqualTo("data: ");
        }
        LlmCall c = LoggedCalls.single(home);
        assertThat(c.status()).isEqualTo(CallField.STATUS_INCOMPLETE);
        assertThat(c.string(CallField.ERROR_TYPE)).isEqualTo("client_closed");
        assertThat(c.response()).isEqualTo("Ro");
    }

    @Test
    void shouldRecordAsyncCallsWithTheCallersTraceIds() throws Exception {
        server.enqueue(json(200, REQUEST_ID, COMPLETION));
        HttpResponse<String> r = inSpan(() -> http.sendAsync(post("/v1/chat/completions", REQUEST).build(),
                HttpResponse.BodyHandlers.ofString())).get();
        assertThat(r.statusCode()).isEqualTo(200);
        LlmCall c = LoggedCalls.single(home);
        assertThat(c.response()).isEqualTo("Rome.");
        assertThat(c.string(CallField.SPAN_ID)).isEqualTo(SPAN_ID);
    }

    @Test
    void shouldRecordEachFailedCallOnceSinceThisClientDoesNotRetry() throws Exception {
        server.enqueue(json(429, REQUEST_ID, "{\"error\":{\"message\":\"Rate limit reached\",\"type\":\"requests\"}}"));
        server.enqueue(json(500, Map.of(), "{\"error\":{\"message\":\"boom\",\"type\":\"server_error\"}}"));
        assertThat(http.send(post("/v1/chat/completions", REQUEST).build(), HttpResponse.BodyHandlers.ofString()).statusCode())
                .isEqualTo(429);
        assertThat(http.send(post("/v1/chat/completions", REQUEST).build(), HttpResponse.BodyHandlers.ofString()).statusCode())
                .isEqualTo(500);
        List<LlmCall> calls = LoggedCalls.readAll(home);
        assertThat(calls).hasSize(2);
        assertThat(calls.get(0).int64(CallField.HTTP_STATUS)).isEqualTo(429);
        assertThat(calls.get(0).string(CallField.ERROR_TYPE)).isEqualTo("requests");
        assertThat(calls.get(0).string(CallField.ERROR_MESSAGE)).isEqualTo("Rate limit reached");
        assertThat(calls.get(1).int64(CallField.HTTP_STATUS)).isEqualTo(500);
        assertThat(calls.get(1).string(CallField.ERROR_TYPE)).isEqualTo("server_error");
        assertThat(calls).allSatisfy(c -> assertThat(c.status()).isEqualTo(CallField.STATUS_ERROR));
    }

    @Test
    void shouldRecordATimeout() {
        server.enqueue(ProviderServer.hang());
        assertThatThrownBy(() -> http.send(post("/v1/chat/completions", REQUEST).timeout(Duration.ofMillis(300)).build(),
                HttpResponse.BodyHandlers.ofString())).isInstanceOf(HttpTimeoutException.class);
        LlmCall c = LoggedCalls.single(home);
        assertThat(c.status()).isEqualTo(CallField.STATUS_ERROR);
        assertThat(c.string(CallField.ERROR_TYPE)).isEqualTo("java.net.http.HttpTimeoutException");
        assertThat(c.string(CallField.ERROR_MESSAGE)).isEqualTo("request timed out");
        assertThat(c.int64(CallField.HTTP_STATUS)).isNull();
    }

    @Test
    void shouldRecordANonJsonResponse() throws Exception {
        server.enqueue(ProviderServer.raw(200, "text/html", Map.of(), "<html>gateway</html>"));
        HttpResponse<byte[]> r = http.send(post("/v1/chat/completions", REQUEST).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(r.body()).isEqualTo(server.sentBodies().get(0));
        LlmCall c = LoggedCalls.single(home);
        assertThat(c.string(CallField.ERROR_TYPE)).isEqualTo("invalid_response");
        assertThat(c.string(CallField.ERROR_MESSAGE)).isEqualTo("response body is not a JSON object: <html>gateway</html>");
    }

    @Test
    void shouldRecordAnthropicShapedCallsToo() throws Exception {
        hook = LlmHttpHook.builder(PromptLogHooks.of(log)).build();
        HttpClient anthropic = PromptLogHttpClient.wrap(HttpClient.newHttpClient(), hook);
        server.enqueue(json(200, Map.of("request-id", "req_ant"), """
                {"id":"msg_1","type":"message","role":"assistant","model":"claude-haiku-4-5-20251001",\
                "content":[{"type":"text","text":"Rome."}],"stop_reason":"end_turn","usage":{"input_tokens":12,"output_tokens":3}}"""));
        anthropic.send(post("/v1/messages", "{\"model\":\"claude-haiku-4-5\",\"max_tokens\":64,\"system\":\"Be brief.\","
                + "\"messages\":[{\"role\":\"user\",\"content\":\"Capital of Italy?\"}]}").build(), HttpResponse.BodyHandlers.ofString());
        LlmCall c = LoggedCalls.single(home);
        assertThat(c.string(CallField.PROVIDER)).isEqualTo("anthropic");
        assertThat(c.systemPrompt()).isEqualTo("Be brief.");
        assertThat(c.response()).isEqualTo("Rome.");
        assertThat(c.string(CallField.PROVIDER_REQUEST_ID)).isEqualTo("req_ant");
        assertThat(c.float64(CallField.COST_USD)).isNotNull();
    }

    @Test
    void shouldLeaveOtherRequestsAndUnknownLengthBodiesAlone() throws Exception {
        server.enqueue(json(200, Map.of(), "{\"object\":\"list\",\"data\":[]}"));
        http.send(HttpRequest.newBuilder(URI.create(server.url("/v1/models"))).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(LoggedCalls.readAll(home)).isEmpty();

        server.enqueue(json(200, REQUEST_ID, COMPLETION));
        byte[] body = REQUEST.getBytes(StandardCharsets.UTF_8);
        http.send(HttpRequest.newBuilder(URI.create(server.url("/v1/chat/completions")))
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(server.received().get(1).body()).as("the app's one-shot body reached the server whole").isEqualTo(REQUEST);
        LlmCall c = LoggedCalls.single(home);
        assertThat(c.response()).isEqualTo("Rome.");
        assertThat(c.requestModel()).isNull();
    }

    @Test
    void shouldDelegateTheJava21LifecycleMethodsOrSayTheyNeedJava21() throws Exception {
        HttpClient inner = HttpClient.newHttpClient();
        PromptLogHttpClient wrapped = (PromptLogHttpClient) PromptLogHttpClient.wrap(inner, hook);
        assertThat(wrapped.version()).isEqualTo(inner.version());
        if (Runtime.version().feature() < 21) {
            assertThatThrownBy(wrapped::shutdown).isInstanceOf(UnsupportedOperationException.class)
                    .hasMessage("HttpClient.shutdown needs Java 21+");
        } else {
            wrapped.shutdownNow();
            assertThat(wrapped.awaitTermination(Duration.ofSeconds(10))).isTrue();
            assertThat((Boolean) HttpClient.class.getMethod("isTerminated").invoke(inner)).isTrue();
        }
    }
}
