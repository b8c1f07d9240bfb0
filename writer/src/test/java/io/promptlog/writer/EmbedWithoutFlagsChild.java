package io.promptlog.writer;

import java.nio.file.Path;

/**
 * Child JVM main for {@link EmbedWithoutFlagsTest}: the README's example as a user's app would run it,
 * started without promptlog's JVM flags. Prints what the app sees, then {@code app still running}.
 */
public final class EmbedWithoutFlagsChild {
    private EmbedWithoutFlagsChild() {
    }

    public static void main(String[] args) {
        try (PromptLog log = PromptLog.open(Path.of(args[0]))) {
            for (int i = 0; i < 3; i++) {
                int status = log.append(LlmCall.builder().callId("c" + i).requestModel("gpt-4o")
                        .message("user", "hello").response("hi").build());
                System.out.println("status " + status);
            }
            PromptLogStats s = log.stats();
            System.out.println("available " + log.isAvailable());
            System.out.println("dropped " + s.droppedUnavailable());
            System.out.println("lastError " + s.lastError());
        }
        System.out.println("app still running");
    }
}
