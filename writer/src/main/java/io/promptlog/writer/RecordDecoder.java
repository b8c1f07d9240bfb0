package io.promptlog.writer;

import io.promptlog.writer.internal.RecordDescriptor;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.promptlog.writer.internal.RecordDescriptor.*;

/**
 * Decodes a queue record (layout: {@link RecordDescriptor}) into an {@link LlmCall}. Used by the
 * compactor, the reader's live view and tests. Fields this version does not know are skipped; a record
 * that breaks the layout is rejected with a {@link CorruptRecordException} saying what and where.
 */
public final class RecordDecoder {
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
        int end = offset + length;
        if (offset < 0 || length < 0 || end > buf.length) {
            throw new CorruptRecordException("record bounds " + offset + "+" + length + " outside buffer of " + buf.length);
        }
        if (length < HEADER_LENGTH) {
            throw new CorruptRecordException("record of " + length + " bytes is shorter than its header");
        }
        short magic = (short) SHORT_LE.get(buf, offset + MAGIC_OFFSET);
        if (magic != MAGIC) {
            throw new CorruptRecordException(String.format("bad magic 0x%04x (expected 0x%04x)", magic & 0xFFFF, MAGIC));
        }
        int version = buf[offset + VERSION_OFFSET] & 0xFF;
        if (version > LAYOUT_VERSION) {
            throw new CorruptRecordException("record layout version " + version + " is newer than this reader's "
                    + LAYOUT_VERSION + "; upgrade promptlog");
        }
        int flags = buf[offset + FLAGS_OFFSET] & 0xFF;
        LlmCall.Builder b = LlmCall.builder().truncated((flags & FLAG_TRUNCATED) != 0);
        List<Message> messages = null;
        List<String> stops = null;
        Map<String, String> attributes = null;
        int p = offset + HEADER_LENGTH;
        while (p < end) {
            if (p + FIELD_HEADER_LENGTH > end) {
                throw corrupt("field header", p - offset, length);
            }
            int id = buf[p] & 0xFF;
            int wire = buf[p + 1] & 0xFF;
            p += FIELD_HEADER_LENGTH;
            int valueLength = valueLength(buf, p, end, wire, offset, length);
            CallField f = CallField.byId(id);
            if (f != null) {
                int v = p + (RecordDescriptor.isLengthPrefixed(wire) ? LENGTH_PREFIX : 0);
                int n = RecordDescriptor.isLengthPrefixed(wire) ? valueLength - LENGTH_PREFIX : valueLength;
                expectWire(f, wire, p - offset);
                switch (f.type()) {
                    case STRING -> b.set(f, interner != null && (f == CallField.SYSTEM_PROMPT || f == CallField.TOOLS)
                            ? interner.text(buf, v, n) : utf8(buf, v, n));
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

    /** Bytes taken by a value of this wire type at p (length prefix included), checked against end. */
    private static int valueLength(byte[] buf, int p, int end, int wire, int offset, int length)
            throws CorruptRecordException {
        int n;
        switch (wire) {
            case WIRE_INT64, WIRE_FLOAT64 -> n = 8;
            case WIRE_BOOL -> n = 1;
            default -> {
                if (!RecordDescriptor.isLengthPrefixed(wire)) {
                    throw new CorruptRecordException("unknown wire type " + wire + " at byte " + (p - offset - 1));
                }
                if (p + LENGTH_PREFIX > end) {
                    throw corrupt("length prefix", p - offset, length);
                }
                int len = (int) INT_LE.get(buf, p);
                if (len < 0) {
                    throw new CorruptRecordException("negative length " + len + " at byte " + (p - offset));
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
            throw new CorruptRecordException(f.column() + " has wire type " + wire + " (expected " + expected
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
            throw new CorruptRecordException("attribute entry without " + (key == null ? "key" : "value"));
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
        return new CorruptRecordException(what + " at byte " + at + " runs past the end of the " + length
                + "-byte record (truncated record?)");
    }
}
