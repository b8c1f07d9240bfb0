package io.promptlog.writer;

import java.nio.file.Path;

/**
 * Child JVM of {@link FullDiskTest}, run under {@code ulimit -f}: appends {@link SeqCalls} calls 0, 1, 2,
 * ... on one thread until 10 appends in a row were dropped, catching anything an append throws (a bug).
 * Prints {@code dropped <seq> <status>} per drop, then {@code done <calls> <droppedIoError> <lastError>},
 * or {@code threw <seq> <throwable>}.
 *
 * <p>Args: home
 */
public final class FileSizeLimitChild {
    private FileSizeLimitChild() {
    }

    public static void main(String[] args) {
        PromptLog log = PromptLog.open(PromptLogConfig.builder(Path.of(args[0])).shardCount(1).build());
        long seq = 0;
        for (int inARow = 0; inARow < 10 && seq < 200_000; seq++) {
            LlmCall call = SeqCalls.call(seq);
            int status;
            try {
                status = log.append(call);
            } catch (Throwable t) {
                System.out.println("threw " + seq + " " + t);
                System.exit(3);
                return;
            }
            if (AppendStatus.isAppended(status)) {
                inARow = 0;
            } else {
                inARow++;
                System.out.println("dropped " + seq + " " + status);
            }
        }
        PromptLogStats stats = log.stats();
        log.close();
        System.out.println("done " + seq + " " + stats.droppedIoError() + " " + stats.lastError());
    }
}
