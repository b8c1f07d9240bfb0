package io.promptlog.compactor;

import io.promptlog.writer.CallField;
import io.promptlog.writer.LlmCall;
import io.promptlog.writer.Message;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/** Test helper: hand-built calls and an independent implementation of the documented hashes. */
final class TestCalls {
    static final long BASE_MICROS = 1_795_132_800_000_000L; // 2026-11-20T00:00:00Z

    private TestCalls() {
    }

    /** A call with every field of the schema set, distinct per seq. */
    static LlmCall everyField(long seq) {
        return LlmCall.builder()
                .callId("call-" + seq).traceId("0123456789abcdef0123456789abcdef").spanId("0123456789abcdef")
                .parentSpanId("fedcba9876543210").sessionId("s-" + seq).userId("u-1").service("svc")
                .environment("test").host("h1").responseId("resp-" + seq).providerRequestId("req-" + seq)
                .replayOf("call-0").startTimeMicros(BASE_MICROS + seq * 1_000_003L).durationMicros(1234 + seq)
                .ttftMicros(99).provider("openai").operation("chat").requestModel("gpt-4o").responseModel("gpt-4o-2024")
                .temperature(0.25).topP(0.5).topK(40).maxTokens(512).frequencyPenalty(0.1).presencePenalty(-0.2)
                .seed(7).stopSequences(List.of("\n\nUser:", "END")).stream(true).params("{\"n\":1}")
                .systemPrompt("You are helpful. Variant " + (seq % 3)).tools("[{\"name\":\"lookup\"}]")
                .promptName("p").promptVersion("v2")
                .messages(List.of(new Message("user", "héllo 世界 🎉 #" + seq, "alice", null),
                        new Message("assistant", null, null, null),
                        new Message("tool", "{\"ok\":true}", "lookup", "tc-1")))
                .response("answer " + seq).responseToolCalls("[{\"id\":\"tc-2\"}]").finishReason("stop")
                .inputTokens(10).outputTokens(20).cachedInputTokens(3).reasoningTokens(4).costUsd(0.0012)
                .status("ok").errorType("none").errorMessage("-").httpStatus(200).flagged(false).flagReason("")
                .attributes(Map.of("seq", Long.toString(seq), "k", "v"))
                .build();
    }

    static String sha256(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static String textHash(String s) {
        return sha256(s.getBytes(StandardCharsets.UTF_8));
    }

    /** output_hash as documented in the README: HMAC-SHA256 keyed with the home's text hash key, first 16 bytes in hex. */
    static String outputHash(java.nio.file.Path home, String text) {
        return hmac(home, text.getBytes(StandardCharsets.UTF_8));
    }

    /** input_hash as documented in the README: HMAC-SHA256 (home's key) of presence byte, u32 BE length, UTF-8, per part. */
    static String messagesHash(java.nio.file.Path home, List<Message> messages) {
        return hmac(home, messagesBytes(messages));
    }

    static String hmac(java.nio.file.Path home, byte[] b) {
        try {
            byte[] key = java.nio.file.Files.readAllBytes(home.resolve("queue").resolve("text-hash.key"));
            javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
            mac.init(new javax.crypto.spec.SecretKeySpec(key, "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(b), 0, 16);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static byte[] messagesBytes(List<Message> messages) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (Message m : messages) {
            for (String part : new String[] {m.role(), m.content(), m.name(), m.toolCallId()}) {
                if (part == null) {
                    out.write(0);
                } else {
                    byte[] b = part.getBytes(StandardCharsets.UTF_8);
                    out.write(1);
                    out.write(b.length >>> 24);
                    out.write(b.length >>> 16);
                    out.write(b.length >>> 8);
                    out.write(b.length);
                    out.writeBytes(b);
                }
            }
        }
        return out.toByteArray();
    }

    static boolean isTextField(CallField f) {
        return f == CallField.MESSAGES || f == CallField.RESPONSE || f == CallField.RESPONSE_TOOL_CALLS;
    }
}
