package io.promptlog.writer.internal;

/**
 * The binary layout of one queue record: the body of one Chronicle Queue document. This class is the
 * only description of the format; the encoder, {@code QueueShards} (which writes text references and the
 * checksum) and {@code io.promptlog.writer.RecordDecoder} all refer to its constants.
 *
 * <h2>Version 2 (written by this version)</h2>
 * All integers are little-endian. A record is an 8-byte header followed by fields until the end of the
 * document:
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-------------------------------+---------------+---------------+
 *  |         MAGIC 0x4C50 ("PL")   | LAYOUT_VERSION|     flags     |
 *  +-------------------------------+---------------+---------------+
 *  |            CRC-32C of bytes [0, 4) then [8, end)              |
 *  +---------------+---------------+-------------------------------+
 *  |  field id     |  wire type    |  value ...                    |
 *  +---------------+---------------+-------------------------------+
 *  |  ... more fields, in any order, until the document ends      |
 * </pre>
 * flags: bit 0 {@link #FLAG_TRUNCATED} (one or more string values were cut to fit the size limit);
 * bits 1-2 the record kind ({@link #KIND_CALL}, {@link #KIND_REQUEST}, {@link #KIND_RESPONSE}); bits 3-7
 * reserved, written as 0 and ignored by readers. A reader verifies the checksum before it trusts any other
 * byte; a mismatch is a corrupt record.
 *
 * <p>A field is a one-byte id, a one-byte wire type, then the value:
 * <pre>
 *  wire type              value
 *  1 WIRE_INT64           8 bytes, signed
 *  2 WIRE_FLOAT64         8 bytes, IEEE 754 bits
 *  3 WIRE_BOOL            1 byte, 0 or 1
 *  4 WIRE_STRING          u32 byte length, then UTF-8 bytes
 *  5 WIRE_GROUP           u32 byte length, then nested fields
 *  6 WIRE_TEXT_REF        u32 byte length (8), then the i64 Chronicle index of an earlier record of the
 *                         same shard and the same queue cycle that carries this field as WIRE_STRING
 *  7..15                  reserved: u32 byte length, then bytes (skipped by this version)
 * </pre>
 * Every wire type from {@link #WIRE_STRING} up is length-prefixed, so a decoder skips a field it does
 * not know (a newer writer's field id, or a newer length-prefixed wire type) without understanding it.
 * A wire type above 15 or a length that runs past the document is a corrupt record.
 *
 * <p>Field ids: 1-63 are {@code CallField} ids (a {@code long} bitmask tracks them, so they stay below
 * {@link #MAX_CALL_FIELD_ID}); 128-255 are record-level fields of this layout:
 * {@link #WRITER_PID}, {@link #WRITER_STARTED_MICROS} and {@link #WRITER_HOST} (INT64, INT64, STRING)
 * name the process that wrote a {@link #KIND_REQUEST} record, so that a reader can tell when its writer
 * is gone; {@link #REQUEST_INDEX} (INT64) in a {@link #KIND_RESPONSE} record is the Chronicle index of
 * its request half, which is always in the same shard.
 *
 * <p><b>Texts by reference.</b> Only {@code system_prompt} and {@code tools} are ever written as
 * WIRE_TEXT_REF. A writer refers only to a record it appended itself, completely, earlier in the same
 * shard and cycle, whose text was not truncated; so every record resolves from its own shard's queue
 * alone, a deleted older cycle never strands a reference, and a kill -9 can leave at most a torn last
 * record, which nothing refers to. The reference is an exact position, not a hash: two texts can never
 * be confused. A reader reads the target record (verifying its checksum) and takes that field's text.
 *
 * <p><b>Record kinds.</b> {@link #KIND_CALL}: one complete call (the one-phase path).
 * {@link #KIND_REQUEST}: the first half of a two-phase call, written when the request is sent (request
 * fields, {@code call_id}, {@code start_time}, writer identity). {@link #KIND_RESPONSE}: the second half,
 * written later in the same shard, with {@link #REQUEST_INDEX} and the response / outcome fields. A
 * reader joins the halves by that exact position (never by a hash or an id); a request half with no
 * response half is an incomplete call.
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
 *
 * <h2>Version 1 (read only)</h2>
 * As version 2 with a 4-byte header (magic, version 1, flags bit 0 only: no checksum, no kind, always a
 * complete call) and no WIRE_TEXT_REF: every record carries its texts.
 */
public final class RecordDescriptor {
    public static final short MAGIC = 0x4C50;
    /** Version of this layout, written by this writer. A decoder refuses a higher layout than it knows. */
    public static final int LAYOUT_VERSION = 2;
    /** The first layout: 4-byte header, no checksum; still read. */
    public static final int LAYOUT_VERSION_1 = 1;
    public static final int HEADER_LENGTH = 8;
    public static final int HEADER_LENGTH_V1 = 4;
    public static final int MAGIC_OFFSET = 0;
    public static final int VERSION_OFFSET = 2;
    public static final int FLAGS_OFFSET = 3;
    public static final int CHECKSUM_OFFSET = 4;

    public static final int FLAG_TRUNCATED = 1;
    public static final int KIND_SHIFT = 1;
    public static final int KIND_MASK = 3 << KIND_SHIFT;
    /** A complete call, written at once. */
    public static final int KIND_CALL = 0;
    /** The request half of a two-phase call. */
    public static final int KIND_REQUEST = 1;
    /** The response half of a two-phase call. */
    public static final int KIND_RESPONSE = 2;

    /** Call field ids stay below this: the recorder tracks them in one {@code long} bitmask. */
    public static final int MAX_CALL_FIELD_ID = 63;
    public static final int WRITER_PID = 128;
    public static final int WRITER_STARTED_MICROS = 129;
    public static final int WRITER_HOST = 130;
    public static final int REQUEST_INDEX = 131;

    public static final int FIELD_HEADER_LENGTH = 2;
    public static final int LENGTH_PREFIX = 4;

    public static final int WIRE_INT64 = 1;
    public static final int WIRE_FLOAT64 = 2;
    public static final int WIRE_BOOL = 3;
    public static final int WIRE_STRING = 4;
    public static final int WIRE_GROUP = 5;
    public static final int WIRE_TEXT_REF = 6;
    public static final int TEXT_REF_LENGTH = 8;
    public static final int WIRE_MAX = 15;

    public static final int MSG_ROLE = 1;
    public static final int MSG_CONTENT = 2;
    public static final int MSG_NAME = 3;
    public static final int MSG_TOOL_CALL_ID = 4;

    public static final int ATTR_KEY = 1;
    public static final int ATTR_VALUE = 2;

    private RecordDescriptor() {
    }

    /** The header length of a record of this layout version (1 or 2). */
    public static int headerLength(int version) {
        return version == LAYOUT_VERSION_1 ? HEADER_LENGTH_V1 : HEADER_LENGTH;
    }

    /** Whether a wire type carries a u32 length prefix (and so can be skipped when unknown). */
    public static boolean isLengthPrefixed(int wireType) {
        return wireType >= WIRE_STRING && wireType <= WIRE_MAX;
    }
}
