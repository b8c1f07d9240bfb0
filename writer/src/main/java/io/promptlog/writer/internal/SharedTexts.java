package io.promptlog.writer.internal;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The texts of one field (system prompt or tools) that some shard of this {@code PromptLog} has defined
 * (written in full to be referred to), each with the {@code String} it came from and its encoded bytes,
 * shared by every logging thread. A thread whose own small cache ({@link TextSlot}) misses a prompt finds
 * it here without encoding or hashing it: by identity of the {@code String} (a template's constant), else
 * by length and {@code String.equals} (one vectorised comparison). Without it, a service whose threads
 * rotate through more prompts than a thread caches encoded each such prompt again on every call.
 *
 * <p>Entries are immutable and their byte arrays are never written after publication (the shard
 * dictionaries hold the same arrays), so readers take no lock: one volatile load per probe. Writers (a
 * thread holding a shard's flag, defining a text: once per text, shard and cycle) take none either: a
 * compare-and-set per slot. Bounded: {@link #SLOTS} entries and {@link #MAX_BYTES} of text; past that a text is not shared
 * (the thread then encodes it, as before). Only {@code String}s are keyed: a {@code StringBuilder} may
 * change after it was logged.
 *
 * <p>It also remembers which texts were encoded recently ({@link #seenBefore}), by any thread, so that a
 * shard defines a text the second time the log sees it even when the thread that logs it again no longer
 * caches it: one thread running an agent's six steps in turn (each prompt leaves a four-entry cache just
 * before it comes back), or a prompt whose calls land on a different pool thread each time. Before, such
 * prompts were written in full into every record.
 */
public final class SharedTexts {
    static final int SLOTS = 256;
    /** Entries a text may occupy, from its length's home slot on. */
    private static final int PROBES = 4;
    static final long MAX_BYTES = 4L << 20;

    /** One text: immutable. */
    static final class Entry {
        final String source;
        final byte[] utf8;
        final int length;
        final long sampled;
        final long hash;

        Entry(String source, byte[] utf8, int length, long sampled, long hash) {
            this.source = source;
            this.utf8 = utf8;
            this.length = length;
            this.sampled = sampled;
            this.hash = hash;
        }
    }

    /** Slots of {@link #seenBefore}'s table (8 KB): direct-mapped by a text's full hash. */
    static final int SEEN_SLOTS = 1024;

    private final AtomicReferenceArray<Entry> entries = new AtomicReferenceArray<>(SLOTS);
    private final AtomicLongArray seen = new AtomicLongArray(SEEN_SLOTS);
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicInteger nextVictim = new AtomicInteger();

    /**
     * The first slot a text may occupy: a hash of its length and {@link #SAMPLES} chars spread evenly over
     * it, constant time whatever its length (hashing every char of a prompt would cost what encoding it
     * does; {@code String.hashCode} too, for each new instance).
     */
    private static int home(String s) {
        int n = s.length();
        int h = n * 0x9E3779B9;
        if (n > 0) {
            int step = Math.max(1, n / SAMPLES);
            for (int i = n - 1; i >= 0; i -= step) {
                h = (h ^ s.charAt(i)) * 0x01000193;
            }
        }
        return (h ^ (h >>> 16)) & (SLOTS - 1);
    }

    private static final int SAMPLES = 16;

    /** The entry holding {@code s}'s text, or null. Allocates nothing. */
    Entry find(String s) {
        int n = s.length();
        int home = home(s);
        for (int k = 0; k < PROBES; k++) {
            Entry e = entries.get((home + k) & (SLOTS - 1));
            if (e != null && (e.source == s || (e.source.length() == n && e.source.equals(s)))) {
                return e;
            }
        }
        return null;
    }

    /**
     * Whether a text with this full hash (the shard dictionary's key) was encoded before, by any thread,
     * since another text took its slot; remembers it when not. Called for a text a thread had to encode
     * (not cached, not shared): true means it repeats, so the shard it goes to defines it. Lock-free, no
     * allocation. A race, or two texts alternating on one slot, only delays a definition (the text goes
     * inline a while longer); two texts with one hash only cause a definition that was not needed (a
     * dictionary compares bytes before it refers).
     */
    boolean seenBefore(long hash) {
        int slot = (int) (hash ^ (hash >>> 32)) & (SEEN_SLOTS - 1);
        if (seen.get(slot) == hash) {
            return true;
        }
        seen.lazySet(slot, hash);
        return false;
    }

    /**
     * Shares a defined text: {@code utf8[0, length)} is {@code source} encoded, and is never written again.
     * Does nothing when it is known already or the table is at its byte budget. Lock-free (a thread holding
     * a shard's flag calls it): two threads sharing the same text at once may both store it, which costs a
     * slot, never a wrong answer; the byte budget may be passed by the texts of threads racing for it.
     */
    void publish(String source, byte[] utf8, int length, long sampled, long hash) {
        if (find(source) != null) {
            return;
        }
        Entry fresh = new Entry(source, utf8, length, sampled, hash);
        int home = home(source);
        for (int k = 0; k < PROBES; k++) {
            int slot = (home + k) & (SLOTS - 1);
            if (entries.get(slot) == null) {
                if (bytes.get() + length > MAX_BYTES) {
                    return;
                }
                if (entries.compareAndSet(slot, null, fresh)) {
                    bytes.addAndGet(length);
                    return;
                }
            }
        }
        int slot = (home + (nextVictim.getAndIncrement() & (PROBES - 1))) & (SLOTS - 1);
        Entry old = entries.get(slot);
        long change = length - (old == null ? 0 : old.length);
        if (bytes.get() + change <= MAX_BYTES && entries.compareAndSet(slot, old, fresh)) {
            bytes.addAndGet(change);
        }
    }
}
