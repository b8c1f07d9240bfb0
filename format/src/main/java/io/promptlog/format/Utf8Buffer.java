package io.promptlog.format;

/**
 * A reusable UTF-8 encoding of one string at a time: the bytes {@code String.getBytes(UTF_8)} returns (an
 * unpaired surrogate becomes {@code '?'}), written into arrays this buffer keeps and grows, so hashing a
 * text or handing it to a Parquet column allocates nothing per text.
 *
 * <p>Why: the compactor encodes every stored text twice (its keyed hash, then its Parquet value).
 * {@code getBytes} allocates a zeroed array three times the text's length, encodes into it and copies the
 * result into a second array; for a 20k-call batch of 1-60 KB texts that garbage paced the young
 * collections that copy the batch held in memory. The bytes are valid until the next {@link #encode};
 * not thread-safe.
 */
public final class Utf8Buffer {
    private char[] chars = new char[256];
    private byte[] bytes = new byte[768];
    private int length;

    /** Encodes {@code text}; {@link #bytes()} holds the result in its first {@link #length()} bytes. */
    public Utf8Buffer encode(String text) {
        int n = text.length();
        if (chars.length < n) {
            chars = new char[Math.max(n, chars.length * 2)];
        }
        if (bytes.length < 3 * n) {
            bytes = new byte[Math.max(3 * n, bytes.length * 2)];
        }
        text.getChars(0, n, chars, 0);
        char[] c = chars;
        byte[] b = bytes;
        int dp = 0;
        int i = 0;
        while (i < n) {
            // ASCII, eight chars a step (prose is mostly ASCII even in a string Java holds as UTF-16)
            while (i + 8 <= n && (c[i] | c[i + 1] | c[i + 2] | c[i + 3] | c[i + 4] | c[i + 5] | c[i + 6] | c[i + 7]) < 0x80) {
                b[dp] = (byte) c[i];
                b[dp + 1] = (byte) c[i + 1];
                b[dp + 2] = (byte) c[i + 2];
                b[dp + 3] = (byte) c[i + 3];
                b[dp + 4] = (byte) c[i + 4];
                b[dp + 5] = (byte) c[i + 5];
                b[dp + 6] = (byte) c[i + 6];
                b[dp + 7] = (byte) c[i + 7];
                dp += 8;
                i += 8;
            }
            if (i == n) {
                break;
            }
            char ch = c[i];
            if (ch < 0x80) {
                b[dp++] = (byte) ch;
            } else if (ch < 0x800) {
                b[dp++] = (byte) (0xC0 | (ch >> 6));
                b[dp++] = (byte) (0x80 | (ch & 0x3F));
            } else if (Character.isSurrogate(ch)) {
                if (Character.isHighSurrogate(ch) && i + 1 < n && Character.isLowSurrogate(c[i + 1])) {
                    int cp = Character.toCodePoint(ch, c[++i]);
                    b[dp++] = (byte) (0xF0 | (cp >> 18));
                    b[dp++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
                    b[dp++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
                    b[dp++] = (byte) (0x80 | (cp & 0x3F));
                } else {
                    b[dp++] = '?';
                }
            } else {
                b[dp++] = (byte) (0xE0 | (ch >> 12));
                b[dp++] = (byte) (0x80 | ((ch >> 6) & 0x3F));
                b[dp++] = (byte) (0x80 | (ch & 0x3F));
            }
            i++;
        }
        length = dp;
        return this;
    }

    /** The array holding the last encoding (longer than it: read {@link #length()} bytes). */
    public byte[] bytes() {
        return bytes;
    }

    /** A copy of the last encoding, exactly {@link #length()} bytes. */
    public byte[] copy() {
        return java.util.Arrays.copyOf(bytes, length);
    }

    /** Byte length of the last encoding. */
    public int length() {
        return length;
    }
}
