package io.promptlog.benchmarks;

import io.promptlog.integrations.LlmHttpExchange;
import io.promptlog.integrations.LlmHttpHook;
import io.promptlog.integrations.PromptLogHooks;
import io.promptlog.writer.PromptLog;
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

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * The hook's own work on the app's thread, without the network: the same request and response as
 * {@link HookOverheadBenchmark}, the response body read from memory in 8 KB reads, either directly
 * ({@code hook=off}) or through {@link LlmHttpHook} ({@code hook=on}: parse the request, tee the body,
 * parse the response at its end, append the record to a real log). The difference is the per-call cost
 * a hook adds, free of the local server's and the loaded machine's noise in a full client call.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class HookCostBenchmark {
    @Param({"off", "on"})
    public String hook;

    @Param({"json", "sse"})
    public String response;

    private Path home;
    private PromptLog log;
    private LlmHttpHook llmHook;
    private byte[] request;
    private byte[] body;
    private final byte[] readBuffer = new byte[8192];
    private static final Function<String, String> JSON = headers("application/json");
    private static final Function<String, String> SSE = headers("text/event-stream");

    private static Function<String, String> headers(String type) {
        Map<String, String> h = Map.of("content-type", type, "x-request-id", "req_bench");
        return name -> h.get(name.toLowerCase(java.util.Locale.ROOT));
    }

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        boolean sse = response.equals("sse");
        request = String.format(HookOverheadBenchmark.REQUEST, sse ? ",\"stream\":true" : "").getBytes(StandardCharsets.UTF_8);
        body = (sse ? HookOverheadBenchmark.sse() : HookOverheadBenchmark.COMPLETION).getBytes(StandardCharsets.UTF_8);
        home = Files.createTempDirectory("promptlog-hook-cost-");
        log = PromptLog.open(home);
        llmHook = LlmHttpHook.builder(PromptLogHooks.of(log)).build();
    }

    @Benchmark
    public int exchange() throws IOException {
        InputStream raw = new ByteArrayInputStream(body);
        if (hook.equals("on")) {
            LlmHttpExchange ex = llmHook.begin("POST", "/v1/chat/completions", request, null);
            ex.response(200, response.equals("sse") ? SSE : JSON);
            raw = ex.responseBody(raw);
        }
        int total = 0;
        try (InputStream in = raw) {
            for (int n; (n = in.read(readBuffer)) > 0; ) {
                total += n;
            }
        }
        return total;
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        var stats = llmHook.hooks().stats();
        log.close();
        System.out.println("\n[hook=" + hook + " response=" + response + "] " + stats);
        if (hook.equals("on") && (stats.failures() != 0 || stats.dropped() != 0)) {
            throw new IllegalStateException("hook failures or drops: " + stats);
        }
        try (Stream<Path> files = Files.walk(home)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
