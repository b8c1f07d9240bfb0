package io.promptlog.reader;

import io.promptlog.compactor.Compactor;
import io.promptlog.compactor.CompactorConfig;
import io.promptlog.compactor.CompactorStats;
import io.promptlog.synthetic.Generate;
import io.promptlog.synthetic.GenerateOptions;
import io.promptlog.writer.LlmCall;
import io.promptlog.writer.Message;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import io.promptlog.writer.PromptLog;
import io.promptlog.writer.PromptLogConfig;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Test fixtures: promptlog homes filled through the real writer and compacted by the real compactor. */
public final class TestHomes {
    private TestHomes() {
    }

    /** A writer on {@code home} that leaves compaction to the test. */
    public static PromptLog openLog(Path home) {
        return PromptLog.open(PromptLogConfig.builder(home).backgroundCompaction(false).build());
    }

    /** Logs {@code count} synthetic calls (seq from {@code seqStart}) into {@code home}'s queue. */
    public static void generate(Path home, long count, long seqStart, long seed) throws InterruptedException {
        GenerateOptions o = GenerateOptions.builder().home(home).count(count).seqStart(seqStart).seed(seed)
                .progress(false).build();
        PrintStream sink = new PrintStream(new ByteArrayOutputStream());
        try (PromptLog log = openLog(home)) {
            Generate.Result r = Generate.run(log, o, sink, sink);
            assertThat(r.dropped()).isZero();
        }
    }

    /** Appends these calls to {@code home}'s queue. */
    public static void append(Path home, LlmCall... calls) {
        try (PromptLog log = openLog(home)) {
            for (LlmCall c : calls) {
                assertThat(log.append(c)).isGreaterThanOrEqualTo(0);
            }
        }
    }

    /** Compacts everything in the queue with this retention (default|all|none) and redaction (default|none). */
    public static CompactorStats compact(Path home, String retain, String redact) throws Exception {
        try (Compactor c = Compactor.open(CompactorConfig.fromOptions(home, null, retain, redact).build())) {
            c.runOnce();
            CompactorStats s = c.stats();
            assertThat(s.errors()).as("compactor errors: %s", s.lastError()).isZero();
            return s;
        }
    }

    /** A call with every field set (and the truncated flag), for round trips. */
    public static LlmCall everyFieldCall() {
        Map<String, String> attrs = new LinkedHashMap<>();
        attrs.put("tenant", "ácme");
        attrs.put("seq", "1");
        return LlmCall.builder().callId("c-1").traceId("0af7651916cd43dd8448eb211c80319c").spanId("b7ad6b7169203331")
                .parentSpanId("00f067aa0ba902b7").sessionId("s").userId("u").service("svc").environment("prod").host("h")
                .responseId("chatcmpl-1").providerRequestId("req-1").replayOf("c-0")
                .startTimeMicros(1_795_132_800_123_456L).durationMicros(812_345).ttftMicros(120_000)
                .provider("openai").operation("chat").requestModel("gpt-4o").responseModel("gpt-4o-2024-08-06")
                .temperature(0.7).topP(0.95).topK(40).maxTokens(1024).frequencyPenalty(0.1).presencePenalty(-0.2)
                .seed(42).stopSequences(List.of("\n\n", "END")).stream(true).params("{\"logprobs\":true}")
                .systemPrompt("You are helpful.\nBe brief. 日本語 😀").tools("[{\"type\":\"function\",\"function\":{\"name\":\"f\"}}]")
                .promptName("support").promptVersion("v3")
                .messages(List.of(Message.of("user", "hi \"there\""), new Message("assistant", null, "bot", null),
                        new Message("tool", "42", null, "call_1")))
                .response("Hello!").responseToolCalls("[]").finishReason("stop").inputTokens(100).outputTokens(20)
                .cachedInputTokens(64).reasoningTokens(5).costUsd(0.000123).status("ok").errorType("none")
                .errorMessage("-").httpStatus(200).flagged(true).flagReason("review").attributes(attrs)
                .truncated(true).build();
    }

}
