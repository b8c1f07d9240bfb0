package io.promptlog.writer;

import io.promptlog.writer.internal.SampledInterner;

/**
 * Turns UTF-8 bytes of a record into a {@code String}, returning the same instance for equal bytes when
 * it can. Readers pass one to {@link RecordDecoder#decode(byte[], int, int, TextInterner)} for the texts
 * that repeat from call to call (the system prompt, the tool definitions): a 16 KB prompt is then
 * compared with one vectorised byte comparison instead of being decoded, hashed and stored again for every
 * call, and downstream maps keyed by the text hit the same instance (whose hash code is cached).
 */
public interface TextInterner {

    /** The text of {@code utf8[offset, offset + length)}; never null. */
    String text(byte[] utf8, int offset, int length);

    /**
     * A direct-mapped cache of {@code slots} texts (a power of two), keyed by length and a fingerprint of
     * bytes sampled across the text, confirmed by comparing every byte. Not thread-safe.
     */
    static TextInterner cache(int slots) {
        return new SampledInterner(slots);
    }
}
