package io.promptlog.writer.internal;

import java.util.Arrays;

/**
 * The texts of one field (system prompt or tools) that this process has written in full into one shard,
 * and where: the Chronicle index of the record that carries each, in the cycle it was written. A record
 * in the same shard and cycle may then carry a reference to that index instead of the text (see
 * {@link RecordDescriptor}).
 *
 * <p>A direct-mapped table of {@link #SLOTS} entries chosen by the text's fingerprint. A match needs the
 * same cycle, length, fingerprint and bytes (array identity, or else a full comparison), so a fingerprint
 * collision can only cost a repeated definition, never a wrong reference. Entries of an older cycle are
 * simply not matched: each new cycle of each shard defines its texts again. Used only by the thread
 * holding the shard's flag. Memory: at most {@link #SLOTS} texts per field and shard, each shared with the
 * recorder that wrote it.
 */
final class ShardTexts {
    static final int SLOTS = 32;

    private final byte[][] keys = new byte[SLOTS][];
    private final int[] lengths = new int[SLOTS];
    private final long[] fingerprints = new long[SLOTS];
    private final int[] cycles = new int[SLOTS];
    private final long[] indexes = new long[SLOTS];

    private static int slot(long fingerprint) {
        return (int) (fingerprint ^ (fingerprint >>> 32)) & (SLOTS - 1);
    }

    /** The index of the record of {@code cycle} that carries the slot's text, or -1. */
    long find(TextSlot t, int cycle) {
        int i = slot(t.fingerprint);
        byte[] k = keys[i];
        if (k == null || cycles[i] != cycle || lengths[i] != t.length || fingerprints[i] != t.fingerprint) {
            return -1;
        }
        if (k != t.bytes) {
            if (!Arrays.equals(k, 0, t.length, t.bytes, 0, t.length)) {
                return -1;
            }
            t.adopt(k); // equal content from another thread's slot: identity next time
        }
        return indexes[i];
    }

    /** Records that the record at {@code index} of {@code cycle} carries the slot's text; freezes the slot's bytes. */
    void define(TextSlot t, int cycle, long index) {
        int i = slot(t.fingerprint);
        t.freeze();
        keys[i] = t.bytes;
        lengths[i] = t.length;
        fingerprints[i] = t.fingerprint;
        cycles[i] = cycle;
        indexes[i] = index;
    }
}
