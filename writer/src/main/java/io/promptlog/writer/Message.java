package io.promptlog.writer;

import java.util.Objects;

/**
 * One entry of a call's {@link CallField#MESSAGES}: the history plus the new user message (the system
 * prompt is kept apart, in {@link CallField#SYSTEM_PROMPT}). Only {@code role} is required; the other
 * parts are null when absent.
 */
public record Message(String role, String content, String name, String toolCallId) {

    public Message {
        Objects.requireNonNull(role, "message role");
    }

    public static Message of(String role, String content) {
        return new Message(role, content, null, null);
    }
}
