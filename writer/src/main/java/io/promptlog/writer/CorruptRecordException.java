package io.promptlog.writer;

/** A queue record that does not follow the record layout: bad magic, a length past its end, ... */
public final class CorruptRecordException extends Exception {
    private static final long serialVersionUID = 1L;

    public CorruptRecordException(String message) {
        super(message);
    }
}
