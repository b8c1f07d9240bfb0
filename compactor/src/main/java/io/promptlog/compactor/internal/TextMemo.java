package io.promptlog.compactor.internal;

/**
 * A memo from texts to what the compactor derived from them (their redaction, their UTF-8), in a fixed array of
 * slots: a text goes to the slot its fingerprint picks, replacing whatever was there. A hit is confirmed with
 * {@code String.equals}, so a fingerprint collision only costs the work again, never returns another text's
 * value. Not thread-safe.
 *
 * <p>Why not an LRU {@code LinkedHashMap}: the texts it is asked about are mostly new {@code String}s (decoded
 * from the queue) whose hash code is not computed yet, so every lookup hashed each text whole, and every miss
 * (most lookups, outside chat workloads) inserted and evicted a map node, touching cold objects: 9.4% of the
 * compactor's JFR samples on the storage benchmark's calls (30,000, every text kept), 2.1% with this memo. The
 * fingerprint reads at most {@value #SAMPLES} chars of a long text, spread across it; a miss is told from the
 * slot's stored fingerprint without loading its key; a slot store replaces insertion and eviction. A chat's
 * re-sent history still hits: its messages come back a call or a few later, before some other text with the
 * same slot is likely to arrive.
 */
final class TextMemo<V> {
    private static final int SAMPLES = 16;
    private final String[] keys;
    private final Object[] values;
    /** Each slot's key fingerprint: a miss is told without loading the key (a cold object, mostly). */
    private final long[] prints;
    private final int mask;

    /** @param slots a power of two */
    TextMemo(int slots) {
        if (slots < 1 || Integer.bitCount(slots) != 1) {
            throw new IllegalArgumentException("slots must be a power of two >= 1, was " + slots);
        }
        keys = new String[slots];
        values = new Object[slots];
        prints = new long[slots];
        mask = slots - 1;
    }

    /** The value remembered for a text equal to {@code text}, or null. */
    @SuppressWarnings("unchecked")
    V get(String text) {
        long print = fingerprint(text);
        int slot = (int) (print & mask);
        if (prints[slot] != print) {
            return null;
        }
        String k = keys[slot];
        return k != null && (k == text || k.equals(text)) ? (V) values[slot] : null;
    }

    void put(String text, V value) {
        long print = fingerprint(text);
        int slot = (int) (print & mask);
        keys[slot] = text;
        values[slot] = value;
        prints[slot] = print;
    }

    /** Mixes the length and up to {@value #SAMPLES} chars sampled evenly across the text (all of a short one). */
    static long fingerprint(String s) {
        int n = s.length();
        long h = n * 0x9E3779B97F4A7C15L;
        int step = n <= SAMPLES ? 1 : (n - 1) / (SAMPLES - 1);
        for (int i = 0; i < n; i += step) {
            h = (h ^ s.charAt(i)) * 0xBF58476D1CE4E5B9L;
            h ^= h >>> 31;
        }
        return h ^ (h >>> 29);
    }
}
