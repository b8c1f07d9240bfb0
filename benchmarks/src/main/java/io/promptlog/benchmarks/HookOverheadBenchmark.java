package io.promptlog.benchmarks;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.models.ChatModel;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.sun.net.httpserver.HttpServer;
import io.promptlog.integrations.jdkhttp.PromptLogHttpClient;
import io.promptlog.integrations.openai.PromptLogOpenAi;
import io.promptlog.writer.PromptLog;
import io.promptlog.writer.PromptLogStats;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * What a hook adds to an LLM call as the app sees it: one Chat Completions call made through a real client
 * (openai-java, or the JDK HttpClient) to a local server that answers at once, with the promptlog hook
 * ({@code hook=on}) and without ({@code hook=off}). The server answers in microseconds, so the call is
 * almost all client work and the hook's share is as large as it can ever be; against a real model the
 * same cost sits under hundreds of milliseconds. {@code response=sse} streams 40 chunks.
 *
 * <p>The hook's cost includes parsing the request and response JSON and the writer's append (records go
 * to a fresh log in a temporary directory). Calls/appends are checked at the end of each trial.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 4, time = 2)
@Fork(1)
@State(Scope.Benchmark)
public class HookOverheadBenchmark {
    @Param({"openai-java", "jdk-http"})
    public String client;

    @Param({"off", "on"})
    public String hook;

    @Param({"json", "sse"})
    public String response;

    static final String REQUEST = "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"system\",\"content\":"
            + "\"You are a helpful assistant for an online bookshop. Answer briefly.\"},{\"role\":\"user\",\"content\":"
            + "\"Do you ship to Norway, and how long does it take?\"}],\"temperature\":0.2,\"max_tokens\":200%s}";
    static final String COMPLETION = "{\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion\",\"created\":1741569952,"
            + "\"model\":\"gpt-4o-mini-2024-07-18\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":"
            + "\"Yes, we ship to Norway. Standard delivery takes 5 to 8 working days; express delivery takes 2 to 3.\","
            + "\"refusal\":null},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":41,\"completion_tokens\":27,"
            + "\"total_tokens\":68,\"prompt_tokens_details\":{\"cached_tokens\":0},\"completion_tokens_details\":"
            + "{\"reasoning_tokens\":0}}}";
    static final int CHUNKS = 40;

    private HttpServer server;
    private ExecutorService serverThreads;
    private Path home;
    private PromptLog log;
    private PromptLogOpenAi interceptor;
    private OpenAIClient openai;
    private ChatCompletionCreateParams params;
    private HttpClient http;
    private HttpRequest httpRequest;
    private long calls;
    private final java.util.Set<Integer> connections = java.util.concurrent.ConcurrentHashMap.newKeySet();

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        byte[] json = COMPLETION.getBytes(StandardCharsets.UTF_8);
        byte[] sse = sse().getBytes(StandardCharsets.UTF_8);
        // without TCP_NODELAY the JDK server's separate header and body writes meet the client's delayed ACK
        // (~40 ms a call): set before the server's configuration is first read in this fork
        System.setProperty("sun.net.httpserver.nodelay", "true");
        serverThreads = Executors.newFixedThreadPool(2);
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        server.setExecutor(serverThreads);
        server.createContext("/", ex -> {
            try (ex) {
                connections.add(ex.getRemoteAddress().getPort());
                ex.getRequestBody().readAllBytes();
                boolean stream = response.equals("sse");
                byte[] body = stream ? sse : json;
                ex.getResponseHeaders().set("Content-Type", stream ? "text/event-stream" : "application/json");
                ex.getResponseHeaders().set("x-request-id", "req_bench");
                ex.sendResponseHeaders(200, body.length);
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(body);
                }
            }
        });
        server.start();
        String base = "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";

        home = Files.createTempDirectory("promptlog-hook-bench-");
        log = PromptLog.open(home);
        boolean on = hook.equals("on");
        OpenAIOkHttpClient.Builder b = OpenAIOkHttpClient.builder().baseUrl(base).apiKey("sk-bench").maxRetries(0);
        if (on) {
            interceptor = PromptLogOpenAi.interceptor(log);
            b.addInterceptor(interceptor);
        }
        openai = b.build();
        params = ChatCompletionCreateParams.builder().model(ChatModel.GPT_4O_MINI)
                .addSystemMessage("You are a helpful assistant for an online bookshop. Answer briefly.")
                .addUserMessage("Do you ship to Norway, and how long does it take?")
                .temperature(0.2).maxCompletionTokens(200).build();

        HttpClient plain = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        http = on ? PromptLogHttpClient.wrap(plain, log) : plain;
        httpRequest = HttpRequest.newBuilder(URI.create(base + "/chat/completions"))
                .header("Authorization", "Bearer sk-bench").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(String.format(REQUEST,
                        response.equals("sse") ? ",\"stream\":true" : ""))).build();
    }

    static String sse() {
        StringBuilder sb = new StringBuilder();
        String head = "data: {\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion.chunk\",\"created\":1741569952,"
                + "\"model\":\"gpt-4o-mini-2024-07-18\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"";
        for (int i = 0; i < CHUNKS; i++) {
            sb.append(head).append("word").append(i).append(" \"},\"finish_reason\":null}]}\n\n");
        }
        sb.append("data: {\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion.chunk\",\"created\":1741569952,")
                .append("\"model\":\"gpt-4o-mini-2024-07-18\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n")
                .append("data: [DONE]\n\n");
        return sb.toString();
    }

    @Benchmark
    public Object call() throws Exception {
        calls++;
        if (client.equals("openai-java")) {
            if (response.equals("json")) {
                return openai.chat().completions().create(params).id();
            }
            try (StreamResponse<ChatCompletionChunk> s = openai.chat().completions().createStreaming(params)) {
                return s.stream().count();
            }
        }
        if (response.equals("json")) {
            return http.send(httpRequest, HttpResponse.BodyHandlers.ofString()).body().length();
        }
        try (Stream<String> lines = http.send(httpRequest, HttpResponse.BodyHandlers.ofLines()).body()) {
            return lines.count();
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        server.stop(0);
        serverThreads.shutdownNow();
        PromptLogStats stats = log.stats();
        log.close();
        long expected = hook.equals("on") ? calls : 0;
        // the interceptor only sees the openai-java calls, the wrapper only the jdk-http ones: each trial uses one
        System.out.println("\n[hook=" + hook + " client=" + client + "] calls " + calls + " over "
                + connections.size() + " connection(s), records appended "
                + stats.appended() + ", dropped " + stats.dropped()
                + (interceptor != null ? ", hook " + interceptor.hook().hooks().stats() : ""));
        if (stats.appended() != expected) {
            throw new IllegalStateException("expected " + expected + " records for " + calls + " calls, got " + stats.appended());
        }
        try (Stream<Path> files = Files.walk(home)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
