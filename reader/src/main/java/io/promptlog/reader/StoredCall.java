package io.promptlog.reader;

import io.promptlog.writer.LlmCall;

import java.time.LocalDate;

/**
 * One call as the dataset holds it: every retained field ({@link #call()}, system prompt and tool
 * definitions text included) plus what the compactor derived.
 *
 * @param call             the call's fields; messages/response are absent when the text was not retained
 * @param live             true when the call is still in the queue (not compacted yet)
 * @param textRetained     whether messages, response and tool calls were kept
 * @param retentionReason  why they were kept ({@code error}, {@code flagged}, {@code rule:<name>}, {@code sample},
 *                         {@code all}, {@code live}), or null
 * @param systemPromptHash SHA-256 of the stored system prompt, or null
 * @param toolsHash        SHA-256 of the stored tool definitions, or null
 * @param inputHash        SHA-256 of the messages as logged, or null
 * @param outputHash       SHA-256 of the response as logged, or null
 * @param inputChars       chars of all message contents as logged
 * @param outputChars      chars of the response as logged
 * @param redactions       replacements made in this call's texts
 * @param date             UTC date of start_time (the partition)
 */
public record StoredCall(LlmCall call, boolean live, boolean textRetained, String retentionReason,
                         String systemPromptHash, String toolsHash, String inputHash, String outputHash,
                         Long inputChars, Long outputChars, Long redactions, LocalDate date) {
}
