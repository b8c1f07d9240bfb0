package io.promptlog.writer.internal;

/**
 * The binary layout of one call record: the body of one Chronicle Queue document. This class is the
 * only description of the format; the encoder and {@code io.promptlog.writer.RecordDecoder} both refer
 * to its constants.
 *
 * <p>All integers are little-endian. A record is a 4-byte header followed by fields until the end of the
 * document:
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-------------------------------+---------------+---------------+
 *  |         MAGIC 0x4C50 ("PL")   | LAYOUT_VERSION|     flags     |
 *  +-------------------------------+---------------+---------------+
 *  |  field id     |  wire type    |  value ...                    |
 *  +---------------+---------------+-------------------------------+
 *  |  ... more fields, in any order, until the document ends      |
 * </pre>
 * flags: bit 0 {@link #FLAG_TRUNCATED} (one or more string values were cut to fit
 * the size limit); other bits reserved, written as 0 and ignored by readers.
 *
 * <p>A field is a one-byte id (the {@code CallField} id, or a nested id inside a group), a one-byte
 * wire type, then the value:
 * <pre>
 *  wire type              value
 *  1 WIRE_INT64           8 bytes, signed
 *  2 WIRE_FLOAT64         8 bytes, IEEE 754 bits
 *  3 WIRE_BOOL            1 byte, 0 or 1
 *  4 WIRE_STRING          u32 byte length, then UTF-8 bytes
 *  5 WIRE_GROUP           u32 byte length, then nested fields
 *  6..15                  reserved: u32 byte length, then bytes (skipped by this version)
 * </pre>
 * Every wire type from {@link #WIRE_STRING} up is length-prefixed, so a decoder skips a field it does
 * not know (a newer writer's field id, or a newer length-prefixed wire type) without understanding it.
 * A wire type above 15 or a length that runs past the document is a corrupt record.
 *
 * <p>Repeated fields repeat the field: {@code stop_sequences} is one WIRE_STRING per element;
 * {@code messages} is one WIRE_GROUP per message with nested ids {@link #MSG_ROLE},
 * {@link #MSG_CONTENT}, {@link #MSG_NAME}, {@link #MSG_TOOL_CALL_ID}; {@code attributes} is one
 * WIRE_GROUP per entry with {@link #ATTR_KEY} and {@link #ATTR_VALUE}. Order of repeated fields is
 * the append order. For scalar fields the last occurrence wins. An absent field is null; an empty string
 * is a WIRE_STRING of length 0.
 *
 * <p>Text: Java strings are encoded as standard UTF-8. A lone (unpaired) surrogate cannot be encoded
 * and is replaced by U+FFFD; U+0000 is kept as a 0x00 byte (the length prefix, not a terminator, ends a
 * string). Everything else round-trips exactly.
 */
public final class RecordDescriptor {
    public static final short MAGIC = 0x4C50;
    /** Version of this layout. A decoder refuses a higher major layout than it knows. */
    public static final int LAYOUT_VERSION = 1;
    public static final int HEADER_LENGTH = 4;
    public static final int MAGIC_OFFSET = 0;
    public static final int VERSION_OFFSET = 2;
    public static final int FLAGS_OFFSET = 3;

    public static final int FLAG_TRUNCATED = 1;

    public static final int FIELD_HEADER_LENGTH = 2;
    public static final int LENGTH_PREFIX = 4;

    public static final int WIRE_INT64 = 1;
    public static final int WIRE_FLOAT64 = 2;
    public static final int WIRE_BOOL = 3;
    public static final int WIRE_STRING = 4;
    public static final int WIRE_GROUP = 5;
    public static final int WIRE_MAX = 15;

    public static final int MSG_ROLE = 1;
    public static final int MSG_CONTENT = 2;
    public static final int MSG_NAME = 3;
    public static final int MSG_TOOL_CALL_ID = 4;

    public static final int ATTR_KEY = 1;
    public static final int ATTR_VALUE = 2;

    private RecordDescriptor() {
    }

    /** Whether a wire type carries a u32 length prefix (and so can be skipped when unknown). */
    public static boolean isLengthPrefixed(int wireType) {
        return wireType >= WIRE_STRING && wireType <= WIRE_MAX;
    }
}
