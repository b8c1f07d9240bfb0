package io.promptlog.compactor.internal;

import io.promptlog.writer.LlmCall;

/**
 * One row of the calls table: the call as it will be stored (system prompt and tools removed, texts
 * redacted or dropped by the retention policy) plus the derived columns.
 *
 * <p>{@code text}: the retained text as stored, already UTF-8 ({@link StoredText}), or null when the call's
 * text is not kept. Then the message contents, {@code response} and {@code response_tool_calls} of
 * {@code call} are null and the Parquet values come from these bytes: a batch holds its rows until it is
 * written, and bytes take half the heap of the UTF-16 strings they were decoded to (less for the young
 * collections to copy), and are encoded once, for the keyed hashes and the file alike.
 */
public record CompactedCall(LlmCall call, String systemPromptHash, String toolsHash, boolean textRetained,
                            String retentionReason, String inputHash, String outputHash, long inputChars,
                            long outputChars, long redactions, StoredText text) {

    /** start_time, or Long.MIN_VALUE when absent (sorts first). */
    public long startMicros() {
        Long t = call.startTimeMicros();
        return t == null ? Long.MIN_VALUE : t;
    }

    /**
     * The stored (redacted) text of a retained call as UTF-8: one entry per message of the call's
     * {@code messages} (null: no content), the response and the response tool calls (null: none).
     */
    public record StoredText(byte[][] contents, byte[] response, byte[] responseToolCalls) {
    }
}
