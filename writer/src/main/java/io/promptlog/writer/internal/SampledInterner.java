package io.promptlog.writer.internal;

import io.promptlog.writer.TextInterner;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * {@link TextInterner} as a direct-mapped cache. The slot is chosen by a fingerprint of the length and
 * up to 16 eight-byte words sampled evenly across the text (constant time whatever the length); a hit is
 * confirmed with {@link Arrays#equals(byte[], int, int, byte[], int, int)}, so a fingerprint collision
 * can only cost a decode, never return the wrong text.
 */
public final class SampledInterner implements TextInterner {
    private static final VarHandle LONG_LE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final int SAMPLES = 16;

    private final byte[][] keys;
    private final String[] values;
    private final int mask;
    private long hits;
    private long misses;

    public SampledInterner(int slots) {
        if (slots < 1 || Integer.bitCount(slots) != 1) {
            throw new IllegalArgumentException("slots must be a power of two >= 1, was " + slots);
        }
        keys = new byte[slots][];
        values = new String[slots];
        mask = slots - 1;
    }

    @Override
    public String text(byte[] utf8, int offset, int length) {
        int slot = (int) (fingerprint(utf8, offset, length) & mask);
        byte[] k = keys[slot];
        if (k != null && k.length == length && Arrays.equals(k, 0, length, utf8, offset, offset + length)) {
            hits++;
            return values[slot];
        }
        misses++;
        String s = new String(utf8, offset, length, StandardCharsets.UTF_8);
        keys[slot] = Arrays.copyOfRange(utf8, offset, offset + length);
        values[slot] = s;
        return s;
    }

    public long hits() {
        return hits;
    }

    public long misses() {
        return misses;
    }

    static long fingerprint(byte[] b, int offset, int length) {
        long h = length * 0x9E3779B97F4A7C15L;
        if (length >= 8) {
            long step = Math.max(1, (length - 8) / (SAMPLES - 1));
            for (long p = 0; p <= length - 8; p += step) {
                h = (h ^ (long) LONG_LE.get(b, offset + (int) p)) * 0xBF58476D1CE4E5B9L;
                h ^= h >>> 31;
            }
        } else {
            for (int i = 0; i < length; i++) {
                h = (h ^ b[offset + i]) * 0xBF58476D1CE4E5B9L;
            }
        }
        return h ^ (h >>> 29);
    }
}
