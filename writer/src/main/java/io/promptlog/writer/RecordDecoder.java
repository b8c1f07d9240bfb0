package io.promptlog.writer;

import io.promptlog.writer.internal.RecordDescriptor;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.promptlog.writer.internal.RecordDescriptor.*;

/**
 * Decodes a queue record (layout: {@link RecordDescriptor}, versions 1 and 2) into an {@link LlmCall}.
 * Used by the compactor, the reader's live view and tests. Fields this version does not know are skipped;
 * a record that breaks the layout is rejected with a {@link CorruptRecordException} saying what and where.
 *
 * <p>Every version-2 record's CRC-32C is verified before anything else is read. {@link #check} classifies
 * a record without decoding it (for readers that resync after damage); a failed check is also what
 * {@link CorruptRecordException#reason()} reports. A record that carries a text by reference resolves it
 * only through a {@link ShardCursor} (which reads the shard); decoded alone, such a record is reported as
 * unresolvable.
 */
public final class RecordDecoder {
    /** {@link #kind}: a complete call, written at once (every version-1 record). */
    public static final int KIND_CALL = RecordDescriptor.KIND_CALL;
    /** {@link #kind}: the request half of a two-phase call ({@link CallRecorder#send()}). */
    public static final int KIND_REQUEST = RecordDescriptor.KIND_REQUEST;
    /** {@link #kind}: the response half of a two-phase call, in the shard of its request half. */
    public static final int KIND_RESPONSE = RecordDescriptor.KIND_RESPONSE;

    /** {@link #check}: the header and checksum are valid (the fields may still be malformed). */
    public static final int VALID = 0;
    /** {@link #check}: shorter than its header. */
    public static final int TOO_SHORT = 1;
    /** {@link #check}: the first two bytes are not the magic: not a promptlog record. */
    public static final int BAD_MAGIC = 2;
    /** {@link #check}: written by a newer promptlog (a layout version this reader does not know). */
    public static final int NEWER_VERSION = 3;
    /** {@link #check}: the bytes are not what the writer wrote (CRC-32C mismatch). */
    public static final int BAD_CHECKSUM = 4;
    /** A field or length inside a record whose checksum is valid (or a version-1 record) is malformed. */
    public static final int MALFORMED = 5;
    /** A text reference points to no record of the shard carrying that text. */
    public static final int UNRESOLVED_REFERENCE = 6;

    private static final VarHandle LONG_LE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT_LE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle SHORT_LE = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);

    private RecordDecoder() {
    }

    public static LlmCall decode(byte[] buf, int offset, int length) throws CorruptRecordException {
        return decode(buf, offset, length, null);
    }

    /**
     * Decodes, taking the system prompt and tool definitions through {@code interner} (may be null), so
     * texts that repeat from record to record come back as one shared instance.
     */
    public static LlmCall decode(byte[] buf, int offset, int length, TextInterner interner)
            throws CorruptRecordException {
        return decode(buf, offset, length, interner, null);
    }

    /**
     * Classifies a record without decoding its fields: {@link #VALID}, {@link #TOO_SHORT},
     * {@link #BAD_MAGIC}, {@link #NEWER_VERSION} or {@link #BAD_CHECKSUM}. Allocates nothing.
     */
    public static int check(byte[] buf, int offset, int length) {
        if (offset < 0 || length < 0 || (long) offset + length > buf.length || length < HEADER_LENGTH_V1) {
            return TOO_SHORT;
        }
        if ((short) SHORT_LE.get(buf, offset + MAGIC_OFFSET) != MAGIC) {
            return BAD_MAGIC;
        }
        int version = buf[offset + VERSION_OFFSET] & 0xFF;
        if (version > LAYOUT_VERSION || version < LAYOUT_VERSION_1) {
            return NEWER_VERSION;
        }
        if (version == LAYOUT_VERSION_1) {
            return VALID;
        }
        if (length < HEADER_LENGTH) {
            return TOO_SHORT;
        }
        return checksum(buf, offset, length) == (int) INT_LE.get(buf, offset + CHECKSUM_OFFSET) ? VALID : BAD_CHECKSUM;
    }

    /** The CRC-32C a version-2 record must carry: of bytes [0, 4) then [8, length). */
    static int checksum(byte[] buf, int offset, int length) {
        CRC32C crc = new CRC32C();
        crc.update(buf, offset + MAGIC_OFFSET, CHECKSUM_OFFSET);
        crc.update(buf, offset + HEADER_LENGTH, length - HEADER_LENGTH);
        return (int) crc.getValue();
    }

    /**
     * The record's kind: {@link RecordDescriptor#KIND_CALL} (always, for version 1),
     * {@link RecordDescriptor#KIND_REQUEST} or {@link RecordDescriptor#KIND_RESPONSE}.
     */
    public static int kind(byte[] buf, int offset, int length) throws CorruptRecordException {
        int version = verify(buf, offset, length);
        return version == LAYOUT_VERSION_1 ? KIND_CALL : (buf[offset + FLAGS_OFFSET] & KIND_MASK) >>> KIND_SHIFT;
    }

    /**
     * The one call a two-phase call stands for: its request half with the response half's fields laid
     * over it (the response's {@code call_id} and {@code start_time} aside; the request's are the call's).
     * The compactor stores this; the live view shows it.
     */
    public static LlmCall joinHalves(LlmCall request, LlmCall response) {
        LlmCall.Builder b = request.toBuilder();
        for (CallField f : CallField.all()) {
            if (f == CallField.CALL_ID || f == CallField.START_TIME) {
                continue;
            }
            Object v = response.get(f);
            if (v != null) {
                b.set(f, v);
            }
        }
        if (response.truncated()) {
            b.truncated(true);
        }
        return b.build();
    }

    /** The index of a response half's request half ({@link RecordDescriptor#REQUEST_INDEX}), or -1. */
    public static long requestIndex(byte[] buf, int offset, int length) throws CorruptRecordException {
        long[] index = {-1};
        forEachField(buf, offset, length, (id, wire, at, n) -> {
            if (id == REQUEST_INDEX && wire == WIRE_INT64) {
                index[0] = (long) LONG_LE.get(buf, at);
            }
        });
        return index[0];
    }

    /** The process that wrote a request half (see {@link RecordDescriptor#WRITER_PID}), or null when not named. */
    public static WriterProcess writerProcess(byte[] buf, int offset, int length) throws CorruptRecordException {
        long[] pidAndStart = {-1, -1};
        String[] host = {""};
        forEachField(buf, offset, length, (id, wire, at, n) -> {
            if (id == WRITER_PID && wire == WIRE_INT64) {
                pidAndStart[0] = (long) LONG_LE.get(buf, at);
            } else if (id == WRITER_STARTED_MICROS && wire == WIRE_INT64) {
                pidAndStart[1] = (long) LONG_LE.get(buf, at);
            } else if (id == WRITER_HOST && wire == WIRE_STRING) {
                host[0] = utf8(buf, at + LENGTH_PREFIX, n - LENGTH_PREFIX);
            }
        });
        return pidAndStart[0] < 0 ? null : new WriterProcess(host[0], pidAndStart[0], pidAndStart[1]);
    }

    /** Sees one top-level field: its id, wire type, where its value starts and how long it is (prefix included). */
    private interface FieldVisitor {
        void field(int id, int wire, int valueAt, int valueLength) throws CorruptRecordException;
    }

    /** Verifies the record, then walks its top-level fields in order. */
    private static void forEachField(byte[] buf, int offset, int length, FieldVisitor visitor) throws CorruptRecordException {
        int version = verify(buf, offset, length);
        int end = offset + length;
        for (int p = offset + RecordDescriptor.headerLength(version); p < end; ) {
            if (p + FIELD_HEADER_LENGTH > end) {
                throw corrupt("field header", p - offset, length);
            }
            int id = buf[p] & 0xFF;
            int wire = buf[p + 1] & 0xFF;
            p += FIELD_HEADER_LENGTH;
            int n = valueLength(buf, p, end, wire, offset, length);
            visitor.field(id, wire, p, n);
            p += n;
        }
    }

    /** Checks header and checksum; returns the layout version. */
    private static int verify(byte[] buf, int offset, int length) throws CorruptRecordException {
        int c = check(buf, offset, length);
        switch (c) {
            case VALID -> {
                return buf[offset + VERSION_OFFSET] & 0xFF;
            }
            case TOO_SHORT -> throw new CorruptRecordException(c, (long) offset + length > buf.length || offset < 0
                    ? "record bounds " + offset + "+" + length + " outside buffer of " + buf.length
                    : "record of " + length + " bytes is shorter than its header");
            case BAD_MAGIC -> throw new CorruptRecordException(c, String.format("bad magic 0x%04x (expected 0x%04x)",
                    (short) SHORT_LE.get(buf, offset + MAGIC_OFFSET) & 0xFFFF, MAGIC));
            case NEWER_VERSION -> throw new CorruptRecordException(c, "record layout version "
                    + (buf[offset + VERSION_OFFSET] & 0xFF) + " is not one this reader knows (1.." + LAYOUT_VERSION
                    + "); upgrade promptlog");
            default -> throw new CorruptRecordException(c, String.format(
                    "checksum mismatch: record of %d bytes carries CRC-32C 0x%08x, its bytes give 0x%08x",
                    length, (int) INT_LE.get(buf, offset + CHECKSUM_OFFSET), checksum(buf, offset, length)));
        }
    }

    /**
     * Decodes a record; {@code refs} (may be null) resolves texts carried by reference and learns the texts
     * this record carries itself.
     */
    static LlmCall decode(byte[] buf, int offset, int length, TextInterner interner, TextRefs refs)
            throws CorruptRecordException {
        int end = offset + length;
        int version = verify(buf, offset, length);
        int flags = buf[offset + FLAGS_OFFSET] & 0xFF;
        LlmCall.Builder b = LlmCall.builder().truncated((flags & FLAG_TRUNCATED) != 0);
        List<Message> messages = null;
        List<String> stops = null;
        Map<String, String> attributes = null;
        int p = offset + RecordDescriptor.headerLength(version);
        while (p < end) {
            if (p + FIELD_HEADER_LENGTH > end) {
                throw corrupt("field header", p - offset, length);
            }
            int id = buf[p] & 0xFF;
            int wire = buf[p + 1] & 0xFF;
            p += FIELD_HEADER_LENGTH;
            int valueLength = valueLength(buf, p, end, wire, offset, length);
            CallField f = CallField.byId(id);
            if (f != null && wire == WIRE_TEXT_REF && version > LAYOUT_VERSION_1
                    && (f == CallField.SYSTEM_PROMPT || f == CallField.TOOLS)) {
                if (valueLength != LENGTH_PREFIX + TEXT_REF_LENGTH) {
                    throw new CorruptRecordException(MALFORMED, f.column() + " reference of " + (valueLength - LENGTH_PREFIX)
                            + " bytes (expected " + TEXT_REF_LENGTH + ") at byte " + (p - offset));
                }
                long target = (long) LONG_LE.get(buf, p + LENGTH_PREFIX);
                if (refs == null) {
                    throw new CorruptRecordException(UNRESOLVED_REFERENCE, f.column() + " is a reference to the record at index "
                            + target + " of its shard; decode it through a ShardCursor of that shard");
                }
                b.set(f, refs.text(id, target));
            } else if (f != null) {
                int v = p + (RecordDescriptor.isLengthPrefixed(wire) ? LENGTH_PREFIX : 0);
                int n = RecordDescriptor.isLengthPrefixed(wire) ? valueLength - LENGTH_PREFIX : valueLength;
                expectWire(f, wire, p - offset);
                switch (f.type()) {
                    case STRING -> {
                        if (f == CallField.SYSTEM_PROMPT || f == CallField.TOOLS) {
                            String text = interner != null ? interner.text(buf, v, n) : utf8(buf, v, n);
                            b.set(f, text);
                            if (refs != null) {
                                refs.carried(id, text);
                            }
                        } else {
                            b.set(f, utf8(buf, v, n));
                        }
                    }
                    case INT64, TIMESTAMP_MICROS -> b.set(f, (long) LONG_LE.get(buf, v));
                    case FLOAT64 -> b.set(f, Double.longBitsToDouble((long) LONG_LE.get(buf, v)));
                    case BOOL -> b.set(f, buf[v] != 0);
                    case STRING_LIST -> {
                        if (stops == null) {
                            stops = new ArrayList<>();
                        }
                        stops.add(utf8(buf, v, n));
                    }
                    case MESSAGES -> {
                        if (messages == null) {
                            messages = new ArrayList<>();
                        }
                        messages.add(message(buf, v, v + n, offset, length));
                    }
                    case ATTRIBUTES -> {
                        if (attributes == null) {
                            attributes = new LinkedHashMap<>();
                        }
                        attribute(buf, v, v + n, offset, length, attributes);
                    }
                }
            }
            p += valueLength;
        }
        if (messages != null) {
            b.set(CallField.MESSAGES, Collections.unmodifiableList(messages));
        }
        if (stops != null) {
            b.set(CallField.STOP_SEQUENCES, stops);
        }
        if (attributes != null) {
            b.set(CallField.ATTRIBUTES, attributes);
        }
        return b.build();
    }

    /**
     * The text a (verified) record carries itself as field {@code fieldId} (the last occurrence), or null
     * when it carries none: the target of a text reference.
     */
    static String carriedText(byte[] buf, int offset, int length, int fieldId, TextInterner interner)
            throws CorruptRecordException {
        int[] text = {-1, 0};
        forEachField(buf, offset, length, (id, wire, at, n) -> {
            if (id == fieldId) {
                // a later reference or other value would replace it: then it is not a definition
                text[0] = wire == WIRE_STRING ? at + LENGTH_PREFIX : -1;
                text[1] = n - LENGTH_PREFIX;
            }
        });
        if (text[0] < 0) {
            return null;
        }
        return interner != null ? interner.text(buf, text[0], text[1]) : utf8(buf, text[0], text[1]);
    }

    /** Bytes taken by a value of this wire type at p (length prefix included), checked against end. */
    private static int valueLength(byte[] buf, int p, int end, int wire, int offset, int length)
            throws CorruptRecordException {
        int n;
        switch (wire) {
            case WIRE_INT64, WIRE_FLOAT64 -> n = 8;
            case WIRE_BOOL -> n = 1;
            default -> {
                if (!RecordDescriptor.isLengthPrefixed(wire)) {
                    throw new CorruptRecordException(MALFORMED, "unknown wire type " + wire + " at byte " + (p - offset - 1));
                }
                if (p + LENGTH_PREFIX > end) {
                    throw corrupt("length prefix", p - offset, length);
                }
                int len = (int) INT_LE.get(buf, p);
                if (len < 0) {
                    throw new CorruptRecordException(MALFORMED, "negative length " + len + " at byte " + (p - offset));
                }
                n = LENGTH_PREFIX + len;
            }
        }
        if ((long) p + n > end) {
            throw corrupt("value of " + n + " bytes", p - offset, length);
        }
        return n;
    }

    private static void expectWire(CallField f, int wire, int at) throws CorruptRecordException {
        int expected = switch (f.type()) {
            case STRING, STRING_LIST -> WIRE_STRING;
            case INT64, TIMESTAMP_MICROS -> WIRE_INT64;
            case FLOAT64 -> WIRE_FLOAT64;
            case BOOL -> WIRE_BOOL;
            case MESSAGES, ATTRIBUTES -> WIRE_GROUP;
        };
        if (wire != expected) {
            throw new CorruptRecordException(MALFORMED, f.column() + " has wire type " + wire + " (expected " + expected
                    + ") at byte " + at);
        }
    }

    private static Message message(byte[] buf, int p, int end, int offset, int length) throws CorruptRecordException {
        String[] parts = groupStrings(buf, p, end, offset, length, "message", MSG_TOOL_CALL_ID);
        String role = parts[MSG_ROLE];
        return new Message(role == null ? "" : role, parts[MSG_CONTENT], parts[MSG_NAME], parts[MSG_TOOL_CALL_ID]);
    }

    private static void attribute(byte[] buf, int p, int end, int offset, int length, Map<String, String> out)
            throws CorruptRecordException {
        String[] parts = groupStrings(buf, p, end, offset, length, "attribute", ATTR_VALUE);
        String key = parts[ATTR_KEY];
        String value = parts[ATTR_VALUE];
        if (key == null || value == null) {
            throw new CorruptRecordException(MALFORMED, "attribute entry without " + (key == null ? "key" : "value"));
        }
        out.put(key, value);
    }

    /**
     * The string parts of one group (a message or an attribute entry), indexed by nested id; ids above
     * {@code maxId} (a newer writer's parts) and non-string parts are skipped.
     */
    private static String[] groupStrings(byte[] buf, int p, int end, int offset, int length, String what, int maxId)
            throws CorruptRecordException {
        String[] parts = new String[maxId + 1];
        while (p < end) {
            if (p + FIELD_HEADER_LENGTH > end) {
                throw corrupt(what + " field header", p - offset, length);
            }
            int id = buf[p] & 0xFF;
            int wire = buf[p + 1] & 0xFF;
            p += FIELD_HEADER_LENGTH;
            int n = valueLength(buf, p, end, wire, offset, length);
            if (wire == WIRE_STRING && id <= maxId) {
                parts[id] = utf8(buf, p + LENGTH_PREFIX, n - LENGTH_PREFIX);
            }
            p += n;
        }
        return parts;
    }

    private static String utf8(byte[] buf, int p, int n) {
        return new String(buf, p, n, StandardCharsets.UTF_8);
    }

    private static CorruptRecordException corrupt(String what, int at, int length) {
        return new CorruptRecordException(MALFORMED, what + " at byte " + at + " runs past the end of the " + length
                + "-byte record (truncated record?)");
    }
}
