package io.promptlog.writer;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(120)
class RecordRoundTripTest {
    @TempDir
    Path home;
    PromptLog log;

    @BeforeEach
    void open() {
        log = PromptLog.open(PromptLogConfig.builder(home).shardCount(1).build());
        assertThat(log.isAvailable()).as(String.valueOf(log.stats().lastError())).isTrue();
    }

    @AfterEach
    void close() {
        log.close();
    }

    static LlmCall everyField(String text) {
        Map<String, String> attrs = new LinkedHashMap<>();
        attrs.put("tenant", "acme");
        attrs.put("seq", "42");
        attrs.put("ünïcode-key", text);
        return LlmCall.builder()
                .callId("0192f0c1-7a2b-7cde-8f01-23456789abcd").traceId("4bf92f3577b34da6a3ce929d0e0e4736")
                .spanId("00f067aa0ba902b7").parentSpanId("a3ce929d0e0e4736").sessionId("sess-1").userId("user-9")
                .service("checkout").environment("prod").host("host-1").responseId("chatcmpl-123")
                .providerRequestId("req_abc").replayOf("0192f0c1-0000-7000-8000-000000000000")
                .startTimeMicros(1_764_259_445_123_456L).durationMicros(1_234_567).ttftMicros(234_567)
                .provider("openai").operation("chat").requestModel("gpt-4o").responseModel("gpt-4o-2024-08-06")
                .temperature(0.7).topP(0.95).topK(40).maxTokens(1024).frequencyPenalty(0.1).presencePenalty(-0.2)
                .seed(-7).stopSequences(List.of("\n\n", "END", "")).stream(true).params("{\"logprobs\":true}")
                .systemPrompt("You are helpful. " + text).tools("[{\"type\":\"function\"}]")
                .promptName("support").promptVersion("v3")
                .messages(List.of(Message.of("user", "hi " + text), new Message("assistant", "", null, null),
                        new Message("tool", "{\"ok\":1}", "lookup", "call_1")))
                .response("answer " + text).responseToolCalls("[]").finishReason("stop")
                .inputTokens(812).outputTokens(95).cachedInputTokens(512).reasoningTokens(0).costUsd(0.00123)
                .status("error").errorType("RateLimit").errorMessage("429 " + text).httpStatus(429)
                .flagged(true).flagReason("jailbreak?").attributes(attrs).noText()
                .build();
    }

    private LlmCall roundTrip(LlmCall call) throws Exception {
        int status = log.append(call);
        assertThat(AppendStatus.isAppended(status)).as(AppendStatus.describe(status)).isTrue();
        List<LlmCall> all = QueueContents.readAll(home);
        return all.get(all.size() - 1);
    }

    @Test
    void shouldRoundTripEveryFieldOfTheSchema() throws Exception {
        LlmCall call = everyField("plain");
        for (CallField f : CallField.all()) {
            assertThat(call.get(f)).as("test covers " + f.column()).isNotNull();
        }
        assertThat(roundTrip(call)).isEqualTo(call);
    }

    @Test
    void shouldRoundTripEmojiCjkRtlAndNulCharacters() throws Exception {
        String text = "emoji 😀👩‍👩‍👧 CJK 漢字かなカナ 한국어 RTL שלום مرحبا NUL[\u0000] tab\t nl\n é ß ℃ \uFFFF";
        LlmCall call = everyField(text);
        assertThat(roundTrip(call)).isEqualTo(call);
    }

    @Test
    void shouldDecodeTheRecordOfToQueueRecordAsTheSameCallWithAValidChecksum() throws Exception {
        LlmCall call = everyField("emoji 😀 CJK 漢字 é ß " + "long text ".repeat(300));
        byte[] record = call.toQueueRecord();
        assertThat(RecordDecoder.check(record, 0, record.length)).isEqualTo(RecordDecoder.VALID);
        assertThat(RecordDecoder.kind(record, 0, record.length)).isEqualTo(RecordDecoder.KIND_CALL);
        assertThat(RecordDecoder.decode(record, 0, record.length)).isEqualTo(call);
        record[record.length / 2] ^= 1;
        assertThat(RecordDecoder.check(record, 0, record.length)).isEqualTo(RecordDecoder.BAD_CHECKSUM);
    }

    @Test
    void shouldRoundTripEmptyStringsAndKeepAbsentFieldsNull() throws Exception {
        LlmCall call = LlmCall.builder().callId("").systemPrompt("").response("").startTimeMicros(5)
                .messages(List.of(Message.of("user", ""))).build();
        LlmCall back = roundTrip(call);
        assertThat(back).isEqualTo(call);
        assertThat(back.string(CallField.REQUEST_MODEL)).isNull();
        assertThat(back.int64(CallField.INPUT_TOKENS)).isNull();
        assertThat(back.bool(CallField.FLAGGED)).isNull();
    }

    @Test
    void shouldReplaceLoneSurrogatesWithReplacementCharacter() throws Exception {
        LlmCall call = LlmCall.builder().response("a\uD800b\uDC00c\uD83D").startTimeMicros(1).callId("x").build();
        assertThat(roundTrip(call).response()).isEqualTo("a\uFFFDb\uFFFDc\uFFFD");
    }

    @Test
    void shouldFillCallIdAsUuidV7AndStartTimeWhenAbsent() throws Exception {
        long before = System.currentTimeMillis() * 1000;
        LlmCall back = roundTrip(LlmCall.builder().requestModel("m").build());
        assertThat(back.callId()).matches("[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
        assertThat(back.startTimeMicros()).isBetween(before - 1_000_000, before + 60_000_000);
        long millisInId = Long.parseLong(back.callId().replace("-", "").substring(0, 12), 16);
        assertThat(millisInId).isEqualTo(back.startTimeMicros() / 1000);
    }

    @Test
    void shouldRoundTripTenMegabyteMessage() throws Exception {
        String big = "x".repeat(5_000_000) + "é".repeat(2_500_000); // 10 MB of UTF-8
        LlmCall call = LlmCall.builder().callId("big").startTimeMicros(1).messages(List.of(Message.of("user", big))).build();
        LlmCall back = roundTrip(call);
        assertThat(back.truncated()).isFalse();
        assertThat(back.messages().get(0).content()).isEqualTo(big);
    }

    @Test
    void shouldRoundTripTenThousandMessageHistory() throws Exception {
        List<Message> history = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            history.add(Message.of(i % 2 == 0 ? "user" : "assistant", "turn " + i + " ✓"));
        }
        LlmCall call = LlmCall.builder().callId("long").startTimeMicros(1).messages(history).build();
        assertThat(roundTrip(call).messages()).isEqualTo(history);
    }

    @Test
    void shouldTruncateLargestFieldsWhenOverLimitAndFlagRecord() throws Exception {
        log.close();
        log = PromptLog.open(PromptLogConfig.builder(home).shardCount(1).maxRecordBytes(64 * 1024).build());
        String huge = "abc€".repeat(100_000); // ~600 KB
        LlmCall call = LlmCall.builder().callId("t").startTimeMicros(1).systemPrompt("short system")
                .response(huge).messages(List.of(Message.of("user", huge))).build();
        int status = log.append(call);
        assertThat(status).isEqualTo(AppendStatus.OK_TRUNCATED);
        LlmCall back = QueueContents.readAll(home).get(0);
        assertThat(back.truncated()).isTrue();
        assertThat(back.systemPrompt()).isEqualTo("short system");
        assertThat(back.callId()).isEqualTo("t");
        assertThat(huge).startsWith(back.response());
        assertThat(huge).startsWith(back.messages().get(0).content());
        assertThat(back.response().length()).isGreaterThan(15_000);
        assertThat(back.messages().get(0).content().length()).isGreaterThan(15_000);
        assertThat(log.stats().truncated()).isEqualTo(1);
        assertThat(log.stats().appended()).isEqualTo(1);
    }

    @Test
    void shouldCountRejectedFieldInsteadOfThrowing() throws Exception {
        try (CallRecorder r = log.begin()) {
            r.callId("r").int64(CallField.REQUEST_MODEL, 3).string(CallField.INPUT_TOKENS, "3").startTimeMicros(2);
        }
        assertThat(log.stats().rejectedFields()).isEqualTo(2);
        LlmCall back = QueueContents.readAll(home).get(0);
        assertThat(back.requestModel()).isNull();
        assertThat(back.callId()).isEqualTo("r");
    }

    @Test
    void shouldCountAppendsAfterCloseAsDroppedAndCloseIdempotently() {
        log.close();
        log.close();
        int status = log.append(everyField("late"));
        assertThat(status).isEqualTo(AppendStatus.DROPPED_CLOSED);
        assertThat(log.stats().droppedClosed()).isEqualTo(1);
    }

    @Test
    void shouldRoundTripNumericAttributeWithoutAllocatingPath() throws Exception {
        try (CallRecorder r = log.begin()) {
            r.callId("n").startTimeMicros(3).attribute("seq", 1234567890123L).attribute("neg", Long.MIN_VALUE);
        }
        LlmCall back = QueueContents.readAll(home).get(0);
        assertThat(back.attributes()).containsEntry("seq", "1234567890123").containsEntry("neg", String.valueOf(Long.MIN_VALUE));
    }

    @Test
    void shouldRoundTripStringBuilderValuesOfEveryCoderAndReuseTheBuilder() throws Exception {
        StringBuilder sb = new StringBuilder();
        String[] texts = {"plain ascii " + "a".repeat(20_000), "latin-1 é ß ÿ " + "é".repeat(30_000),
            "utf-16 😀 漢字 " + "字".repeat(30_000), ""};
        for (String t : texts) {
            sb.setLength(0);
            sb.append(t);
            try (CallRecorder r = log.begin()) {
                r.callId(sb).startTimeMicros(1).message(sb, sb).response(sb);
                sb.setLength(0); // the recorder copied the value; reusing the builder must not change the record
                sb.append("changed");
            }
        }
        List<LlmCall> back = QueueContents.readAll(home);
        assertThat(back).hasSize(texts.length);
        for (int i = 0; i < texts.length; i++) {
            assertThat(back.get(i).response()).isEqualTo(texts[i]);
            assertThat(back.get(i).callId()).isEqualTo(texts[i]);
            assertThat(back.get(i).messages()).containsExactly(Message.of(texts[i], texts[i]));
        }
    }
}
