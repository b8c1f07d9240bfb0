package io.promptlog.reader;

/**
 * A reader problem with a message meant for the user: missing or empty dataset, a query DuckDB rejected
 * (its message included), an unknown call id, a call whose text was not retained.
 */
public class PromptLogReaderException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public PromptLogReaderException(String message) {
        super(message);
    }

    public PromptLogReaderException(String message, Throwable cause) {
        super(message, cause);
    }
}
