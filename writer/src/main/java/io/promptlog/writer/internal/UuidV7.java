package io.promptlog.writer.internal;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes RFC 9562 UUIDv7 text (36 ASCII chars) into a caller's array without allocating. The 48-bit
 * Unix-millisecond timestamp leads, so ids sort by time; the 12 {@code rand_a} bits carry the
 * sub-millisecond fraction (so ids from one clock also sort within a millisecond), and 62 bits are random.
 */
public final class UuidV7 {
    public static final int TEXT_LENGTH = 36;
    private static final byte[] HEX = "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private UuidV7() {
    }

    public static void write(long epochMicros, byte[] out) {
        long millis = Math.floorDiv(epochMicros, 1000);
        long subMilli = Math.floorMod(epochMicros, 1000) * 4096 / 1000;
        long msb = (millis << 16) | 0x7000L | (subMilli & 0xFFF);
        long lsb = (ThreadLocalRandom.current().nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        int p = 0;
        p = hex(msb >>> 32, 8, out, p);
        out[p++] = '-';
        p = hex(msb >>> 16, 4, out, p);
        out[p++] = '-';
        p = hex(msb, 4, out, p);
        out[p++] = '-';
        p = hex(lsb >>> 48, 4, out, p);
        out[p++] = '-';
        hex(lsb, 12, out, p);
    }

    private static int hex(long v, int digits, byte[] out, int p) {
        for (int i = digits - 1; i >= 0; i--) {
            out[p + i] = HEX[(int) (v & 0xF)];
            v >>>= 4;
        }
        return p + digits;
    }
}
