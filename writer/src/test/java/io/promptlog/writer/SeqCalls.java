package io.promptlog.writer;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Test helper: call number {@code seq} as a deterministic function of seq, so a test can check that a
 * record read back (by a different process, after a crash) is exactly what was written for that seq.
 * Sizes vary from ~100 bytes to ~1.2 MB (about 1 in 200 calls carries a large message) so a kill often
 * lands in the middle of writing a record.
 */
final class SeqCalls {
    private static final long BASE_MICROS = 1_764_000_000_000_000L;
    private static final String TEXT;
    private static final String[] SYSTEM = new String[3];

    static {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; sb.length() < 1_300_000; i++) {
            sb.append("segment ").append(i).append(i % 7 == 0 ? " naïve café 😀 日本語 " : " plain text ");
        }
        TEXT = sb.toString();
        for (int i = 0; i < SYSTEM.length; i++) {
            SYSTEM[i] = "system prompt " + i + ": " + TEXT.substring(0, 1000 << (2 * i)); // 1, 4, 16 KB
        }
    }

    private SeqCalls() {
    }

    private static String text(int from, int length) {
        // never split a surrogate pair: start and end on a char that is not a low surrogate
        int start = from;
        while (Character.isLowSurrogate(TEXT.charAt(start))) {
            start++;
        }
        int end = Math.min(TEXT.length() - 1, start + length);
        while (Character.isLowSurrogate(TEXT.charAt(end))) {
            end++;
        }
        return TEXT.substring(start, end);
    }

    static LlmCall call(long seq) {
        SplittableRandom rnd = new SplittableRandom(seq * 0x9E3779B97F4A7C15L);
        int messageLength = rnd.nextInt(200) == 0 ? 200_000 + rnd.nextInt(1_000_000) : 10 + rnd.nextInt(2_000);
        return LlmCall.builder()
                .callId("call-" + seq)
                .startTimeMicros(BASE_MICROS + seq)
                .requestModel(seq % 2 == 0 ? "gpt-4o" : "claude-sonnet")
                .systemPrompt(seq % 4 == 3 ? rotating(seq / 64) : SYSTEM[(int) (seq % SYSTEM.length)])
                .messages(List.of(Message.of("user", text(rnd.nextInt(1000), messageLength))))
                .response(text(rnd.nextInt(1000), rnd.nextInt(3_000)))
                .inputTokens(seq)
                .outputTokens(rnd.nextInt(5_000))
                .attributes(Map.of("seq", Long.toString(seq)))
                .build();
    }

    /**
     * A prompt that changes every 64 seqs, as a new String each time (recognised by content): the shards
     * keep defining new texts all along a run, so a kill often lands in the middle of a definition.
     */
    static String rotating(long k) {
        return "rotating prompt " + k + ": " + text((int) (k % 1000), 6000);
    }

    /** The fields in which two calls differ, values cut to 120 chars: a readable failure message. */
    static String diff(LlmCall expected, LlmCall actual) {
        StringBuilder sb = new StringBuilder();
        for (CallField f : CallField.all()) {
            Object e = expected.get(f);
            Object a = actual.get(f);
            if (!java.util.Objects.equals(e, a)) {
                sb.append(f.column()).append(": expected ").append(cut(e)).append(" but was ").append(cut(a)).append("; ");
            }
        }
        if (expected.truncated() != actual.truncated()) {
            sb.append("truncated: ").append(expected.truncated()).append(" vs ").append(actual.truncated());
        }
        return sb.toString();
    }

    private static String cut(Object o) {
        String s = String.valueOf(o);
        String head = (s.length() <= 120 ? s : s.substring(0, 120)).replaceAll("[^\\x20-\\x7e]", "?");
        return s.length() <= 120 ? head : head + "...(" + s.length() + " chars)";
    }

    static long seqOf(LlmCall call) {
        return Long.parseLong(call.attributes().get("seq"));
    }
}
