package io.promptlog.writer;

/**
 * A queue record that does not follow the record layout: bad magic, a checksum mismatch, a length past
 * its end, a text reference to nothing, ... {@link #reason()} says which, as one of
 * {@link RecordDecoder}'s codes, so a reader can tell damaged bytes ({@link RecordDecoder#BAD_CHECKSUM},
 * {@link RecordDecoder#BAD_MAGIC}) from a record of a newer writer ({@link RecordDecoder#NEWER_VERSION}).
 */
public final class CorruptRecordException extends Exception {
    private static final long serialVersionUID = 1L;
    private final int reason;

    public CorruptRecordException(String message) {
        this(RecordDecoder.MALFORMED, message);
    }

    public CorruptRecordException(int reason, String message) {
        super(message);
        this.reason = reason;
    }

    /** One of {@link RecordDecoder}'s codes: BAD_CHECKSUM, BAD_MAGIC, TOO_SHORT, NEWER_VERSION, MALFORMED, UNRESOLVED_REFERENCE. */
    public int reason() {
        return reason;
    }
}
