package io.promptlog.compactor.internal;

import io.promptlog.writer.LlmCall;

/**
 * One row of the calls table: the call as it will be stored (system prompt and tools removed, texts
 * redacted or dropped by the retention policy) plus the derived columns.
 */
public record CompactedCall(LlmCall call, String systemPromptHash, String toolsHash, boolean textRetained,
                            String retentionReason, String inputHash, String outputHash, long inputChars,
                            long outputChars, long redactions) {

    /** start_time, or Long.MIN_VALUE when absent (sorts first). */
    public long startMicros() {
        Long t = call.startTimeMicros();
        return t == null ? Long.MIN_VALUE : t;
    }
}
