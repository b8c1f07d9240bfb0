package io.promptlog.compactor.internal;

/** One row of {@code system_prompts} or {@code tool_definitions}: a distinct text as stored. */
public record TextEntry(String hash, String text, long firstSeenMicros) {
}
