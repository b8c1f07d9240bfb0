package io.promptlog.writer.internal;

import java.util.Arrays;

/**
 * The texts of one field (system prompt or tools) that this process has written in full into one shard,
 * and where: the Chronicle index of the record that carries each, in the cycle it was written. A record
 * in the same shard and cycle may then carry a reference to that index instead of the text (see
 * {@link RecordDescriptor}).
 *
 * <p>An {@link #WAYS}-way set-associative table of {@link #SLOTS} entries chosen by the text's full hash
 * (texts whose hashes share a set all stay up to {@link #WAYS}; one more replaces the least recently used:
 * with two ways, three of a service's two dozen prompts sharing a set evicted each other on every call).
 * A match needs the same cycle, length, hash and bytes (array identity, or else a full comparison), so a
 * hash collision can only cost a repeated definition, never a wrong reference. Entries of an older cycle are
 * simply not matched: each new cycle of each shard defines its texts again. Used only by the thread
 * holding the shard's flag. Memory: at most {@link #SLOTS} texts and {@link #MAX_BYTES} per field and
 * shard (its own copies, or the bytes shared through {@link SharedTexts}).
 */
final class ShardTexts {
    static final int SLOTS = 256;
    static final int WAYS = 16;
    /** Most text bytes one dictionary keeps: past this, a new text is written in full instead of defined. */
    static final long MAX_BYTES = 2L << 20;

    private final byte[][] keys = new byte[SLOTS][];
    private final int[] lengths = new int[SLOTS];
    private final long[] fingerprints = new long[SLOTS];
    private final int[] cycles = new int[SLOTS];
    private final long[] indexes = new long[SLOTS];
    private long bytes;

    private final long[] used = new long[SLOTS];
    private long clock;

    /** First of the {@link #WAYS} slots a text may occupy. */
    private static int set(long fingerprint) {
        return ((int) (fingerprint ^ (fingerprint >>> 32)) & (SLOTS / WAYS - 1)) * WAYS;
    }

    /** The index of the record of {@code cycle} that carries the slot's text, or -1. */
    long find(TextSlot t, int cycle) {
        int first = set(t.fingerprint);
        for (int i = first; i < first + WAYS; i++) {
            byte[] k = keys[i];
            if (k == null || cycles[i] != cycle || lengths[i] != t.length || fingerprints[i] != t.fingerprint) {
                continue;
            }
            if (k != t.dictRef) {
                if (!Arrays.equals(k, 0, t.length, t.bytes, 0, t.length)) {
                    continue;
                }
                t.linkDictionary(k); // equal content: identity next time
            }
            used[i] = ++clock;
            return indexes[i];
        }
        return -1;
    }

    /** The slot a new definition of this text takes: a free one of its set, else the least recently used. */
    private int victim(TextSlot t) {
        int first = set(t.fingerprint);
        int v = first;
        for (int i = first; i < first + WAYS; i++) {
            if (keys[i] == null) {
                return i;
            }
            if (used[i] < used[v]) {
                v = i;
            }
        }
        return v;
    }

    /** True when a text of this length may be defined (the dictionary stays within {@link #MAX_BYTES}). */
    boolean hasRoomFor(TextSlot t) {
        int i = victim(t);
        return bytes - (keys[i] == null ? 0 : lengths[i]) + t.length <= MAX_BYTES;
    }

    /**
     * Records that the record at {@code index} of {@code cycle} carries the slot's text, keeping a copy of
     * it (one allocation per text, shard and cycle).
     */
    void define(TextSlot t, int cycle, long index) {
        int i = victim(t);
        bytes += t.length - (keys[i] == null ? 0 : lengths[i]);
        byte[] copy = t.immutable && t.bytes.length == t.length ? t.bytes : Arrays.copyOf(t.bytes, t.length);
        t.defined(copy);
        keys[i] = copy;
        lengths[i] = t.length;
        fingerprints[i] = t.fingerprint;
        cycles[i] = cycle;
        indexes[i] = index;
        used[i] = ++clock;
    }
}
