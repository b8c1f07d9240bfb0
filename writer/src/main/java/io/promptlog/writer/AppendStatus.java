package io.promptlog.writer;

/**
 * Return codes of {@link CallRecorder#commit()} and {@link PromptLog#append(LlmCall)}, in the Aeron
 * style: an int, never an exception. Codes {@code >= 0} mean the record is in the queue (and survives a
 * kill -9 of the process from the moment the call returns); negative codes mean it was dropped, and the
 * matching counter in {@link PromptLogStats} went up by one.
 */
public final class AppendStatus {
    /** Appended in full. */
    public static final int OK = 0;
    /** Appended, with the largest text fields cut to fit {@code maxRecordBytes}; counted as truncated. */
    public static final int OK_TRUNCATED = 1;
    /** Dropped: the log is closed. */
    public static final int DROPPED_CLOSED = -1;
    /** Dropped: the queue could not be opened (see {@link PromptLogStats#lastError()}). */
    public static final int DROPPED_UNAVAILABLE = -2;
    /** Dropped: the write failed (disk full, file could not be mapped or extended). */
    public static final int DROPPED_IO_ERROR = -3;
    /** Dropped: even with every text field emptied, the record is over {@code maxRecordBytes}. */
    public static final int DROPPED_TOO_LARGE = -4;
    /** Dropped: an unexpected error (a bug); the message is in {@link PromptLogStats#lastError()}. */
    public static final int DROPPED_ERROR = -5;
    /** Nothing to publish: {@code commit()} without {@code begin()}, or a second {@code commit()}. */
    public static final int NOT_STARTED = -6;
    /**
     * Dropped: the call was taken up by {@link PromptLog#resume(long)} with a handle that names no request
     * half in the queue (forged, corrupted, or from another log); counted in
     * {@link PromptLogStats#rejectedHandles()}.
     */
    public static final int REJECTED_HANDLE = -7;

    private AppendStatus() {
    }

    public static boolean isAppended(int status) {
        return status >= 0;
    }

    /** A short name for the code, for logs and the CLI. */
    public static String describe(int status) {
        return switch (status) {
            case OK -> "ok";
            case OK_TRUNCATED -> "ok (truncated)";
            case DROPPED_CLOSED -> "dropped: log closed";
            case DROPPED_UNAVAILABLE -> "dropped: queue unavailable";
            case DROPPED_IO_ERROR -> "dropped: I/O error";
            case DROPPED_TOO_LARGE -> "dropped: record too large";
            case DROPPED_ERROR -> "dropped: unexpected error";
            case NOT_STARTED -> "not started";
            case REJECTED_HANDLE -> "rejected: handle names no call in flight";
            default -> "unknown status " + status;
        };
    }
}
