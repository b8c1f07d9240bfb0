package io.promptlog.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.promptlog.reader.CanonicalJson;
import io.promptlog.reader.PromptLogReader;
import io.promptlog.reader.ReplayRequests;
import io.promptlog.reader.StoredCall;
import io.promptlog.writer.AppendStatus;
import io.promptlog.writer.CallField;
import io.promptlog.writer.LlmCall;
import io.promptlog.writer.PromptLog;
import io.promptlog.writer.PromptLogConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "replay", mixinStandardHelpOptions = true,
        description = {"Prints the exact request body to resend a call (OpenAI Chat Completions JSON; Anthropic "
                + "Messages JSON when the call's provider is anthropic).",
                "With --send URL, POSTs it (as Chat Completions, stream off) to URL/chat/completions of an "
                        + "OpenAI-compatible endpoint, logs the new call with replay_of set, and prints both responses "
                        + "side by side with latency and token deltas. The bearer token comes from $OPENAI_API_KEY if set."})
final class ReplayCommand implements Callable<Integer> {
    @Mixin
    DatasetOptions dataset;

    @Parameters(index = "0", paramLabel = "CALL_ID")
    String callId;

    @Option(names = "--send", paramLabel = "BASE_URL", description = "e.g. http://localhost:8000/v1")
    String sendTo;

    @Option(names = "--timeout-seconds", defaultValue = "120", description = "HTTP timeout (default: ${DEFAULT-VALUE})")
    int timeoutSeconds;

    @CommandLine.ParentCommand
    PromptLogCli parent;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        StoredCall original;
        String body;
        try (PromptLogReader r = dataset.open(spec.commandLine().getErr(), true)) {
            original = r.requireCall(callId);
            body = ReplayRequests.forCall(original);
        }
        if (sendTo == null) {
            out.println(body);
            out.flush();
            return 0;
        }
        if (dataset.data != null) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--send logs the new call into a promptlog home: use --dir, not --data");
        }
        String request = ReplayRequests.openAiToSend(original.call());
        String url = sendTo.endsWith("/chat/completions") ? sendTo
                : sendTo.replaceAll("/+$", "") + "/chat/completions";
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(timeoutSeconds)).build();
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(timeoutSeconds))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(request, StandardCharsets.UTF_8));
        String key = System.getenv("OPENAI_API_KEY");
        if (key != null && !key.isBlank()) {
            req.header("Authorization", "Bearer " + key);
        }
        long startMicros = nowMicros();
        long t0 = System.nanoTime();
        HttpResponse<String> resp;
        try {
            resp = http.send(req.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (java.io.IOException e) {
            throw new PromptLogCli.CliFailure("cannot reach " + url + ": " + e);
        }
        long durationMicros = (System.nanoTime() - t0) / 1_000;
        LlmCall replay = replayCall(original.call(), resp.statusCode(), resp.body(), startMicros, durationMicros);
        Path home = dataset.home();
        try (PromptLog log = PromptLog.open(PromptLogConfig.builder(home).backgroundCompaction(false).build())) {
            int status = log.append(replay);
            if (!AppendStatus.isAppended(status)) {
                parent.err.println("warning: the replay was not logged: " + AppendStatus.describe(status) + " "
                        + log.stats().lastError());
            }
        }
        printSideBySide(out, original.call(), replay);
        return resp.statusCode() / 100 == 2 ? 0 : PromptLogCli.EXIT_FAILURE;
    }

    private static long nowMicros() {
        java.time.Instant i = java.time.Instant.now();
        return i.getEpochSecond() * 1_000_000L + i.getNano() / 1_000;
    }

    /**
     * A fresh UUIDv7 call id (RFC 9562: 48-bit Unix milliseconds, version 7, 74 random bits), so a replay
     * sorts by time like the calls the writer logs.
     */
    static String uuidV7(long startMicros) {
        java.util.concurrent.ThreadLocalRandom r = java.util.concurrent.ThreadLocalRandom.current();
        long msb = (Math.floorDiv(startMicros, 1000L) << 16) | 0x7000L | (r.nextLong() & 0x0FFFL);
        long lsb = (r.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
        return new java.util.UUID(msb, lsb).toString();
    }

    /** The new call: the original request, with this response, timing and replay_of set. */
    static LlmCall replayCall(LlmCall original, int httpStatus, String body, long startMicros, long durationMicros) {
        LlmCall.Builder b = LlmCall.builder();
        for (CallField f : List.of(CallField.TRACE_ID, CallField.SESSION_ID, CallField.USER_ID, CallField.SERVICE,
                CallField.ENVIRONMENT, CallField.PROVIDER, CallField.OPERATION, CallField.REQUEST_MODEL,
                CallField.TEMPERATURE, CallField.TOP_P, CallField.TOP_K, CallField.MAX_TOKENS,
                CallField.FREQUENCY_PENALTY, CallField.PRESENCE_PENALTY, CallField.SEED, CallField.STOP_SEQUENCES,
                CallField.PARAMS, CallField.SYSTEM_PROMPT, CallField.TOOLS, CallField.PROMPT_NAME,
                CallField.PROMPT_VERSION, CallField.MESSAGES, CallField.ATTRIBUTES)) {
            b.set(f, original.get(f));
        }
        b.callId(uuidV7(startMicros));
        b.stream(false).replayOf(original.callId()).startTimeMicros(startMicros).durationMicros(durationMicros)
                .httpStatus(httpStatus);
        JsonNode json = null;
        try {
            json = Json.MAPPER.readTree(body);
        } catch (Exception e) {
            // not JSON: recorded as an error below
        }
        if (httpStatus / 100 != 2 || json == null || !json.has("choices")) {
            b.status(CallField.STATUS_ERROR).errorType(httpStatus / 100 != 2 ? "http_" + httpStatus : "bad_response")
                    .errorMessage(body.length() > 2000 ? body.substring(0, 2000) : body);
            return b.build();
        }
        b.status(CallField.STATUS_OK);
        text(json, "id").ifPresent(b::responseId);
        text(json, "model").ifPresent(b::responseModel);
        JsonNode choice = json.path("choices").path(0);
        JsonNode message = choice.path("message");
        if (message.path("content").isTextual()) {
            b.response(message.path("content").textValue());
        }
        if (message.has("tool_calls")) {
            b.responseToolCalls(message.get("tool_calls").toString());
        }
        text(choice, "finish_reason").ifPresent(b::finishReason);
        JsonNode usage = json.path("usage");
        if (usage.path("prompt_tokens").isIntegralNumber()) {
            b.inputTokens(usage.path("prompt_tokens").longValue());
        }
        if (usage.path("completion_tokens").isIntegralNumber()) {
            b.outputTokens(usage.path("completion_tokens").longValue());
        }
        return b.build();
    }

    private static java.util.Optional<String> text(JsonNode n, String key) {
        JsonNode v = n.path(key);
        return v.isTextual() ? java.util.Optional.of(v.textValue()) : java.util.Optional.empty();
    }

    static void printSideBySide(PrintWriter out, LlmCall a, LlmCall b) {
        int w = 50;
        out.printf("%-22s %-" + w + "s | %s%n", "", "original " + a.callId(), "replay " + b.callId());
        row(out, w, "model", a.string(CallField.RESPONSE_MODEL) != null ? a.string(CallField.RESPONSE_MODEL) : a.requestModel(),
                b.string(CallField.RESPONSE_MODEL) != null ? b.string(CallField.RESPONSE_MODEL) : b.requestModel());
        row(out, w, "status", a.status() + " " + nz(a.int64(CallField.HTTP_STATUS)), b.status() + " " + nz(b.int64(CallField.HTTP_STATUS)));
        row(out, w, "finish_reason", nz(a.string(CallField.FINISH_REASON)), nz(b.string(CallField.FINISH_REASON)));
        row(out, w, "latency", ms(a.int64(CallField.DURATION_US)), ms(b.int64(CallField.DURATION_US))
                + delta(a.int64(CallField.DURATION_US), b.int64(CallField.DURATION_US), 1000.0, " ms"));
        row(out, w, "input_tokens", nz(a.int64(CallField.INPUT_TOKENS)), nz(b.int64(CallField.INPUT_TOKENS))
                + delta(a.int64(CallField.INPUT_TOKENS), b.int64(CallField.INPUT_TOKENS), 1, ""));
        row(out, w, "output_tokens", nz(a.int64(CallField.OUTPUT_TOKENS)), nz(b.int64(CallField.OUTPUT_TOKENS))
                + delta(a.int64(CallField.OUTPUT_TOKENS), b.int64(CallField.OUTPUT_TOKENS), 1, ""));
        row(out, w, "response chars", nz(a.response() == null ? null : (long) a.response().length()),
                nz(b.response() == null ? null : (long) b.response().length()));
        out.println("-".repeat(22 + w + 3 + w));
        List<String> la = wrap(a.response() != null ? a.response() : "(no response" + (a.string(CallField.ERROR_MESSAGE) != null
                ? ": " + a.string(CallField.ERROR_MESSAGE) : "") + ")", w);
        List<String> lb = wrap(b.response() != null ? b.response() : "(no response" + (b.string(CallField.ERROR_MESSAGE) != null
                ? ": " + b.string(CallField.ERROR_MESSAGE) : "") + ")", w);
        for (int i = 0; i < Math.max(la.size(), lb.size()); i++) {
            out.printf("%-22s %-" + w + "s | %s%n", i == 0 ? "response" : "", i < la.size() ? la.get(i) : "",
                    i < lb.size() ? lb.get(i) : "");
        }
        out.flush();
    }

    private static void row(PrintWriter out, int w, String label, String a, String b) {
        out.printf("%-22s %-" + w + "s | %s%n", label, a, b);
    }

    private static String nz(Object o) {
        return o == null ? "-" : o.toString();
    }

    private static String ms(Long us) {
        return us == null ? "-" : String.format("%.1f ms", us / 1000.0);
    }

    private static String delta(Long a, Long b, double unit, String suffix) {
        if (a == null || b == null) {
            return "";
        }
        double d = (b - a) / unit;
        String pct = a == 0 ? "" : String.format(", %+.0f%%", 100.0 * (b - a) / a);
        return unit == 1 ? String.format("  (%+d%s%s)", b - a, suffix, pct) : String.format("  (%+.1f%s%s)", d, suffix, pct);
    }

    static List<String> wrap(String s, int w) {
        List<String> out = new ArrayList<>();
        for (String para : s.split("\n", -1)) {
            String rest = para;
            while (rest.length() > w) {
                int cut = rest.lastIndexOf(' ', w);
                if (cut <= 0) {
                    cut = w;
                }
                out.add(rest.substring(0, cut));
                rest = rest.substring(cut).stripLeading();
            }
            out.add(rest);
        }
        return out;
    }
}
