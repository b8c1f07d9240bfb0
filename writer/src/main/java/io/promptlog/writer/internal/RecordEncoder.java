package io.promptlog.writer.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

import static io.promptlog.writer.internal.RecordDescriptor.*;

/**
 * Encodes one record (see {@link RecordDescriptor}) into a reusable heap buffer. One instance per thread;
 * not thread-safe. After warm-up (the buffer has grown to the largest record seen) encoding allocates
 * nothing. Strings are encoded from their own arrays (see {@link JavaStrings}): eight ASCII chars at a time
 * (one 8-byte store), other chars one by one, with one capacity check per string; without access to
 * those arrays, char by char.
 *
 * <p>Size limit: a record may be at most {@code maxRecordBytes}. While staging, one string value is cut at
 * {@code maxRecordBytes} and all text together at four times that (later strings are then written
 * empty, but present); {@link #finish()} then shrinks the largest string values, all to the same byte
 * cap, until the record fits, and sets {@link RecordDescriptor#FLAG_TRUNCATED}. So an oversized call
 * keeps every field and loses only the tail of its largest texts.
 */
public final class RecordEncoder {
    private static final VarHandle LONG_LE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT_LE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle SHORT_LE = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long HIGH_BITS = 0x8080808080808080L;
    private static final boolean LITTLE_ENDIAN = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;
    private static final int INITIAL_CAPACITY = 16 * 1024;
    /** Buffers grown past this are released after the record, so one huge call does not pin memory. */
    private static final int RETAIN_CAPACITY = 1024 * 1024;

    private final int maxRecordBytes;
    /** Where text stops while staging; field headers may go {@link #HEADER_RESERVE} beyond. */
    private final int hardCapBytes;
    private static final int HEADER_RESERVE = 1024 * 1024;
    private int stringLimit;
    private byte[] buf = new byte[INITIAL_CAPACITY];
    private byte[] spare;
    private int position;
    private int flags;
    private int groupStart = -1;
    private int[] spanOffsets = new int[64];
    private int[] spanLengths = new int[64];
    private int spanCount;

    public RecordEncoder(int maxRecordBytes) {
        this.maxRecordBytes = maxRecordBytes;
        this.hardCapBytes = (int) Math.min(Integer.MAX_VALUE - 2L * HEADER_RESERVE, 4L * maxRecordBytes);
    }

    /** Starts a new record, discarding anything staged. */
    public void reset() {
        if (buf.length > RETAIN_CAPACITY) {
            buf = new byte[INITIAL_CAPACITY];
            spare = null;
        }
        position = HEADER_LENGTH;
        flags = 0;
        groupStart = -1;
    }

    public byte[] buffer() {
        return buf;
    }

    /** Bytes staged so far, header included. */
    public int length() {
        return position;
    }

    public boolean truncated() {
        return (flags & FLAG_TRUNCATED) != 0;
    }

    public void putInt64(int id, long value) {
        if (!ensure(FIELD_HEADER_LENGTH + 8)) {
            return;
        }
        fieldHeader(id, WIRE_INT64);
        LONG_LE.set(buf, position, value);
        position += 8;
    }

    public void putFloat64(int id, double value) {
        if (!ensure(FIELD_HEADER_LENGTH + 8)) {
            return;
        }
        fieldHeader(id, WIRE_FLOAT64);
        LONG_LE.set(buf, position, Double.doubleToRawLongBits(value));
        position += 8;
    }

    public void putBool(int id, boolean value) {
        if (!ensure(FIELD_HEADER_LENGTH + 1)) {
            return;
        }
        fieldHeader(id, WIRE_BOOL);
        buf[position++] = (byte) (value ? 1 : 0);
    }

    /** Opens a group (a message or an attribute entry); groups do not nest. */
    public void beginGroup(int id) {
        if (groupStart >= 0) {
            endGroup();
        }
        if (!ensure(FIELD_HEADER_LENGTH + LENGTH_PREFIX)) {
            return;
        }
        fieldHeader(id, WIRE_GROUP);
        groupStart = position;
        position += LENGTH_PREFIX;
    }

    public void endGroup() {
        if (groupStart >= 0) {
            INT_LE.set(buf, groupStart, position - groupStart - LENGTH_PREFIX);
            groupStart = -1;
        }
    }

    /** Writes a text field; null writes nothing (absent). */
    public void putString(int id, CharSequence value) {
        if (value == null) {
            return;
        }
        if (!ensure(FIELD_HEADER_LENGTH + LENGTH_PREFIX)) {
            return;
        }
        fieldHeader(id, WIRE_STRING);
        int lengthAt = position;
        position += LENGTH_PREFIX;
        int start = position;
        stringLimit = (int) Math.min((long) position + maxRecordBytes, hardCapBytes);
        if (JavaStrings.AVAILABLE && value instanceof String str) {
            byte[] own = JavaStrings.value(str);
            if (JavaStrings.coder(str) == JavaStrings.LATIN1) {
                encodeLatin1(own, own.length);
            } else {
                encodeUtf16(own, own.length >> 1, str);
            }
        } else if (JavaStrings.AVAILABLE && value instanceof StringBuilder sb) {
            // coder, array and length read apart: a builder another thread mutates meanwhile (the app's
            // bug) must still not make us read past the array
            byte coder = JavaStrings.coder(sb);
            byte[] own = JavaStrings.value(sb);
            int n = sb.length();
            if (coder == JavaStrings.LATIN1 && n <= own.length) {
                encodeLatin1(own, n);
            } else if (coder != JavaStrings.LATIN1 && n <= own.length >> 1) {
                encodeUtf16(own, n, sb);
            } else {
                encodeChars(sb, 0);
            }
        } else {
            encodeChars(value, 0);
        }
        INT_LE.set(buf, lengthAt, position - start);
    }

    /**
     * Drops everything staged after {@code mark} (a {@link #length()} taken before), e.g. a text field that
     * {@code TextSlot} keeps apart from the record. Only valid outside a group.
     */
    public void rewind(int mark) {
        position = mark;
    }

    /**
     * Writes a text field from bytes that are already UTF-8 (or ASCII: a long's decimal digits etc.); the
     * caller guarantees they are valid UTF-8.
     */
    public void putAscii(int id, byte[] ascii, int offset, int length) {
        if (!ensure(FIELD_HEADER_LENGTH + LENGTH_PREFIX + length)) {
            return;
        }
        fieldHeader(id, WIRE_STRING);
        INT_LE.set(buf, position, length);
        position += LENGTH_PREFIX;
        System.arraycopy(ascii, offset, buf, position, length);
        position += length;
    }

    /**
     * UTF-8 encodes the first n chars of a Latin-1 coded string's own bytes. When the worst case (two bytes
     * a char) fits under the string limit, one pass with one capacity check for the whole string: eight
     * ASCII chars are one 8-byte load, test and store; a word holding a char from 0x80 up takes the
     * per-char path for its eight chars, then the word loop resumes.
     */
    private void encodeLatin1(byte[] latin1, int n) {
        long worst = position + 2L * n;
        if (worst > stringLimit) {
            encodeLatin1Checked(latin1, n);
            return;
        }
        grow((int) worst);
        byte[] b = buf;
        int p = position;
        int i = 0;
        while (i + 16 <= n) {
            long w0 = (long) LONG_LE.get(latin1, i);
            long w1 = (long) LONG_LE.get(latin1, i + 8);
            if (((w0 | w1) & HIGH_BITS) == 0) {
                LONG_LE.set(b, p, w0);
                LONG_LE.set(b, p + 8, w1);
                p += 16;
                i += 16;
            } else {
                p = latin1ToUtf8(latin1, i, i + 16, b, p);
                i += 16;
            }
        }
        position = latin1ToUtf8(latin1, i, n, b, p);
    }

    /** Latin-1 bytes [from, to) as UTF-8 at p, unchecked; returns the new position. */
    private static int latin1ToUtf8(byte[] latin1, int from, int to, byte[] b, int p) {
        for (int i = from; i < to; i++) {
            byte c = latin1[i];
            if (c >= 0) {
                b[p++] = c;
            } else {
                b[p++] = (byte) (0xC0 | ((c & 0xFF) >> 6));
                b[p++] = (byte) (0x80 | (c & 0x3F));
            }
        }
        return p;
    }

    /** As {@link #encodeLatin1}, for a string that may pass the string limit: cut there (rare path). */
    private void encodeLatin1Checked(byte[] latin1, int n) {
        int room = Math.max(0, stringLimit - position);
        int copy = Math.min(n, room);
        grow(position + copy);
        System.arraycopy(latin1, 0, buf, position, copy);
        int firstHigh = firstNonAscii(buf, position, copy);
        if (firstHigh < 0) {
            position += copy;
            if (copy < n) {
                flags |= FLAG_TRUNCATED;
            }
            return;
        }
        position += firstHigh; // the ASCII prefix is in place; grow() keeps bytes up to position
        grow((int) Math.min(position + 2L * (n - firstHigh), stringLimit));
        int p = position;
        byte[] b = buf;
        int limit = stringLimit;
        int i = firstHigh;
        for (; i < n; i++) {
            byte c = latin1[i];
            if (c >= 0) {
                if (p + 1 > limit) {
                    break;
                }
                b[p++] = c;
            } else {
                if (p + 2 > limit) {
                    break;
                }
                b[p++] = (byte) (0xC0 | ((c & 0xFF) >> 6));
                b[p++] = (byte) (0x80 | (c & 0x3F));
            }
        }
        if (i < n) {
            flags |= FLAG_TRUNCATED;
        }
        position = p;
    }

    /** Index (relative to from) of the first byte with its high bit set, or -1. */
    private static int firstNonAscii(byte[] b, int from, int len) {
        int i = 0;
        int end8 = len & ~7;
        for (; i < end8; i += 8) {
            if (((long) LONG_LE.get(b, from + i) & HIGH_BITS) != 0) {
                break;
            }
        }
        for (; i < len; i++) {
            if (b[from + i] < 0) {
                return i;
            }
        }
        return -1;
    }

    /**
     * UTF-8 encodes the first n chars of a UTF-16 coded string's own array (two bytes a char, in native
     * order; {@code source} is the same text, for big-endian machines). Real LLM text is mostly ASCII even
     * when one emoji or curly quote makes the whole string UTF-16, so when the worst case (three bytes a
     * char) fits under the string limit: eight ASCII chars are two 8-byte loads, one test, a few shifts
     * and one 8-byte store; a block holding another char takes the per-char path for its eight chars,
     * then the block loop resumes. One capacity check for the whole string.
     */
    private void encodeUtf16(byte[] utf16, int n, CharSequence source) {
        long worst = position + 3L * n;
        if (!LITTLE_ENDIAN || worst > stringLimit) {
            encodeChars(source, 0);
            return;
        }
        grow((int) worst);
        byte[] b = buf;
        int p = position;
        int i = 0;
        while (true) {
            // a counted loop over whole blocks (so the JIT can hoist its bounds checks), left at the first
            // block that holds a char from 0x80 up
            int blocks = (n - i) >> 3;
            int from = i << 1;
            int k = 0;
            for (; k < blocks; k++) {
                long w0 = (long) LONG_LE.get(utf16, from + (k << 4));
                long w1 = (long) LONG_LE.get(utf16, from + (k << 4) + 8);
                if (((w0 | w1) & 0xFF80FF80FF80FF80L) != 0) {
                    break;
                }
                LONG_LE.set(b, p + (k << 3), packAscii(w0) | (packAscii(w1) << 32));
            }
            i += k << 3;
            p += k << 3;
            if (k == blocks) {
                break;
            }
            int end = i + 8;
            while (i < end) {
                char c = (char) (short) SHORT_LE.get(utf16, i << 1);
                if (c < 0x80) {
                    b[p++] = (byte) c;
                    i++;
                } else {
                    int next = Character.isHighSurrogate(c) && i + 1 < n ? (char) (short) SHORT_LE.get(utf16, (i + 1) << 1) : -1;
                    int q = putUtf8(b, p, Integer.MAX_VALUE, c, next);
                    i += q - p == 4 ? 2 : 1; // a surrogate pair: both chars consumed (may end one past the block)
                    p = q;
                }
            }
        }
        while (i < n) {
            char c = (char) (short) SHORT_LE.get(utf16, i << 1);
            int next = Character.isHighSurrogate(c) && i + 1 < n ? (char) (short) SHORT_LE.get(utf16, (i + 1) << 1) : -1;
            int q = putUtf8(b, p, Integer.MAX_VALUE, c, next);
            i += q - p == 4 ? 2 : 1;
            p = q;
        }
        position = p;
    }

    /** Four chars below 0x80, one per 16 bits of w (little-endian), as four bytes in the low 32 bits. */
    private static long packAscii(long w) {
        long x = (w | (w >>> 8)) & 0x0000FFFF0000FFFFL;
        return (x | (x >>> 16)) & 0xFFFFFFFFL;
    }

    /**
     * UTF-8 encodes chars [from, length) of s, cutting at the string limit. When the worst case (3 bytes a
     * char) fits, the loop runs without bounds checks of its own.
     */
    private void encodeChars(CharSequence s, int from) {
        int n = s.length();
        long worst = position + 3L * (n - from);
        grow((int) Math.min(worst, stringLimit));
        byte[] b = buf;
        int p = position;
        int limit = worst <= stringLimit ? Integer.MAX_VALUE : stringLimit;
        int i = from;
        for (; i < n; i++) {
            char c = s.charAt(i);
            int next = Character.isHighSurrogate(c) && i + 1 < n ? s.charAt(i + 1) : -1;
            int q = putUtf8(b, p, limit, c, next);
            if (q < 0) {
                break;
            }
            if (q - p == 4) {
                i++; // a surrogate pair: both chars consumed
            }
            p = q;
        }
        if (i < n) {
            flags |= FLAG_TRUNCATED;
        }
        position = p;
    }

    /**
     * Writes one char as UTF-8 at p, or a supplementary code point when c is a high surrogate and next its
     * low half (-1: no next char). A lone surrogate becomes U+FFFD (see RecordDescriptor). Returns the new
     * position (4 more exactly when a surrogate pair was written), or -1 when the bytes would pass limit.
     */
    private static int putUtf8(byte[] b, int p, int limit, char c, int next) {
        if (c < 0x80) {
            if (p + 1 > limit) {
                return -1;
            }
            b[p] = (byte) c;
            return p + 1;
        }
        if (c < 0x800) {
            if (p + 2 > limit) {
                return -1;
            }
            b[p] = (byte) (0xC0 | (c >> 6));
            b[p + 1] = (byte) (0x80 | (c & 0x3F));
            return p + 2;
        }
        if (Character.isSurrogate(c)) {
            if (Character.isHighSurrogate(c) && next >= 0 && Character.isLowSurrogate((char) next)) {
                if (p + 4 > limit) {
                    return -1;
                }
                int cp = Character.toCodePoint(c, (char) next);
                b[p] = (byte) (0xF0 | (cp >> 18));
                b[p + 1] = (byte) (0x80 | ((cp >> 12) & 0x3F));
                b[p + 2] = (byte) (0x80 | ((cp >> 6) & 0x3F));
                b[p + 3] = (byte) (0x80 | (cp & 0x3F));
                return p + 4;
            }
            if (p + 3 > limit) {
                return -1;
            }
            b[p] = (byte) 0xEF;
            b[p + 1] = (byte) 0xBF;
            b[p + 2] = (byte) 0xBD;
            return p + 3;
        }
        if (p + 3 > limit) {
            return -1;
        }
        b[p] = (byte) (0xE0 | (c >> 12));
        b[p + 1] = (byte) (0x80 | ((c >> 6) & 0x3F));
        b[p + 2] = (byte) (0x80 | (c & 0x3F));
        return p + 3;
    }

    private void fieldHeader(int id, int wireType) {
        buf[position] = (byte) id;
        buf[position + 1] = (byte) wireType;
        position += FIELD_HEADER_LENGTH;
    }

    /** Makes room for n more bytes; false (and the truncated flag) when that would pass the hard cap. */
    private boolean ensure(int n) {
        if (position + n <= buf.length) {
            return true;
        }
        if ((long) position + n > (long) hardCapBytes + HEADER_RESERVE) {
            flags |= FLAG_TRUNCATED;
            return false;
        }
        grow(position + n);
        return true;
    }

    private void grow(int needed) {
        if (needed <= buf.length) {
            return;
        }
        long cap = Math.max(needed, Math.min((long) buf.length * 2, (long) hardCapBytes + HEADER_RESERVE));
        byte[] next = new byte[(int) cap];
        System.arraycopy(buf, 0, next, 0, position);
        buf = next;
    }

    /**
     * Closes any open group, writes the header (with {@code kind}, one of RecordDescriptor's KIND_
     * constants, and a zero checksum) and, if the record is over the limit, shrinks it.
     *
     * @return the record length, or -1 when even with every string emptied it does not fit
     */
    public int finish(int kind) {
        endGroup();
        if (position > maxRecordBytes && !shrinkToLimit()) {
            return -1;
        }
        SHORT_LE.set(buf, MAGIC_OFFSET, MAGIC);
        buf[VERSION_OFFSET] = (byte) LAYOUT_VERSION;
        buf[FLAGS_OFFSET] = (byte) (flags | (kind << KIND_SHIFT));
        INT_LE.set(buf, CHECKSUM_OFFSET, 0); // set by the writer over the record as written (see RecordWriter)
        return position;
    }

    /**
     * Stores the CRC-32C of a finished record of {@code length} bytes whose fields are all in the buffer
     * (no text slots), for tools that write records themselves (the benchmarks' raw-Chronicle floor).
     */
    public void writeChecksum(int length) {
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(buf, MAGIC_OFFSET, CHECKSUM_OFFSET);
        crc.update(buf, HEADER_LENGTH, length - HEADER_LENGTH);
        INT_LE.set(buf, CHECKSUM_OFFSET, (int) crc.getValue());
    }

    /** The most a record may take, in bytes. */
    public int maxRecordBytes() {
        return maxRecordBytes;
    }

    // ---- truncation (rare path) -------------------------------------------------------------------

    private boolean shrinkToLimit() {
        spanCount = 0;
        collectStrings(HEADER_LENGTH, position);
        long stringBytes = 0;
        int longest = 0;
        for (int i = 0; i < spanCount; i++) {
            stringBytes += spanLengths[i];
            longest = Math.max(longest, spanLengths[i]);
        }
        long budget = maxRecordBytes - (position - stringBytes);
        if (budget < 0) {
            return false;
        }
        // largest cap such that sum(min(len, cap)) <= budget
        int lo = 0;
        int hi = longest;
        while (lo < hi) {
            int mid = (int) (((long) lo + hi + 1) >>> 1);
            long sum = 0;
            for (int i = 0; i < spanCount; i++) {
                sum += Math.min(spanLengths[i], mid);
            }
            if (sum <= budget) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        int cap = lo;
        if (spare == null || spare.length < maxRecordBytes + 16) {
            spare = new byte[maxRecordBytes + 16];
        }
        int out = rewrite(HEADER_LENGTH, position, spare, HEADER_LENGTH, cap);
        byte[] t = buf;
        buf = spare;
        spare = t;
        position = out;
        flags |= FLAG_TRUNCATED;
        return true;
    }

    private void collectStrings(int from, int end) {
        int p = from;
        while (p + FIELD_HEADER_LENGTH <= end) {
            int wire = buf[p + 1];
            p += FIELD_HEADER_LENGTH;
            switch (wire) {
                case WIRE_INT64, WIRE_FLOAT64 -> p += 8;
                case WIRE_BOOL -> p += 1;
                case WIRE_GROUP -> {
                    int len = (int) INT_LE.get(buf, p);
                    collectStrings(p + LENGTH_PREFIX, p + LENGTH_PREFIX + len);
                    p += LENGTH_PREFIX + len;
                }
                default -> {
                    int len = (int) INT_LE.get(buf, p);
                    if (spanCount == spanOffsets.length) {
                        spanOffsets = java.util.Arrays.copyOf(spanOffsets, spanCount * 2);
                        spanLengths = java.util.Arrays.copyOf(spanLengths, spanCount * 2);
                    }
                    spanOffsets[spanCount] = p + LENGTH_PREFIX;
                    spanLengths[spanCount++] = len;
                    p += LENGTH_PREFIX + len;
                }
            }
        }
    }

    private int rewrite(int from, int end, byte[] dst, int out, int cap) {
        int p = from;
        while (p + FIELD_HEADER_LENGTH <= end) {
            int wire = buf[p + 1];
            dst[out] = buf[p];
            dst[out + 1] = buf[p + 1];
            p += FIELD_HEADER_LENGTH;
            out += FIELD_HEADER_LENGTH;
            switch (wire) {
                case WIRE_INT64, WIRE_FLOAT64 -> {
                    System.arraycopy(buf, p, dst, out, 8);
                    p += 8;
                    out += 8;
                }
                case WIRE_BOOL -> dst[out++] = buf[p++];
                case WIRE_GROUP -> {
                    int len = (int) INT_LE.get(buf, p);
                    int lenAt = out;
                    out = rewrite(p + LENGTH_PREFIX, p + LENGTH_PREFIX + len, dst, out + LENGTH_PREFIX, cap);
                    INT_LE.set(dst, lenAt, out - lenAt - LENGTH_PREFIX);
                    p += LENGTH_PREFIX + len;
                }
                default -> {
                    int len = (int) INT_LE.get(buf, p);
                    int keep = len;
                    if (len > cap) {
                        keep = cap;
                        // never cut inside a UTF-8 sequence: back off continuation bytes
                        while (keep > 0 && (buf[p + LENGTH_PREFIX + keep] & 0xC0) == 0x80) {
                            keep--;
                        }
                    }
                    INT_LE.set(dst, out, keep);
                    System.arraycopy(buf, p + LENGTH_PREFIX, dst, out + LENGTH_PREFIX, keep);
                    p += LENGTH_PREFIX + len;
                    out += LENGTH_PREFIX + keep;
                }
            }
        }
        return out;
    }
}
