package io.promptlog.writer.internal;

import java.util.Arrays;

/**
 * One long, repeating text field of one thread's recorder ({@code system_prompt} or {@code tools}), held
 * apart from the record buffer so that the shard it is written to can carry it as a reference (see
 * {@link RecordDescriptor}, "Texts by reference"), with a cache of the last {@link #ENTRIES} texts this
 * thread logged in that field (a thread serving several endpoints alternates between a few prompts).
 *
 * <p>Cost model. A {@code String} instance seen recently is recognised by identity: nothing is encoded,
 * hashed or compared. A new {@code String} with the content of a cached one costs one
 * {@code String.equals}. Other text (a {@code StringBuilder}, a new text) is encoded as usual and compared with the cached texts of the same length and sampled fingerprint (one
 * vectorised byte comparison). A text that is not cached is copied into the buffer of the least recently
 * used entry, which is reused, so a thread whose every prompt is different allocates nothing either, and
 * hashed in full once (the shard dictionary's key, so texts that differ in a single byte land apart).
 *
 * <p>A {@code String} this thread has not cached (it rotates through more prompts than {@link #ENTRIES})
 * is looked up in the {@link SharedTexts} of its {@code PromptLog} before anything is encoded: a text any
 * shard has defined is found there by identity or one {@code String.equals}, and its shared bytes are
 * used as they are.
 *
 * <p>Sharing. A text goes into a shard's {@link ShardTexts} (as the dictionary's own copy, made once per
 * text, shard and cycle, or the shared bytes themselves) only when it comes back: while still cached, or
 * encoded again after the log's {@link SharedTexts#seenBefore} saw its hash (before that it is written
 * inline, like any field, so a text logged once costs no copy); the entry remembers that copy, so later
 * publishes match it by array identity. The entries' own buffers are never shared, so they are reused: nothing is
 * allocated per call. Not thread-safe: it belongs to one recorder, used under the shard's flag by
 * {@link ShardTexts}.
 *
 * <p>Memory per thread: {@link #ENTRIES} buffers as large as the texts encoded, released with the thread.
 */
public final class TextSlot {
    static final int ENTRIES = 4;

    final int fieldId;
    private final SharedTexts shared;
    /** Each entry's text: its own buffer, or shared bytes (never written). */
    private final byte[][] entryBytes = new byte[ENTRIES][];
    /** Each entry's own buffer, reused for the next text encoded into that entry. */
    private final byte[][] entryOwn = new byte[ENTRIES][];
    private final int[] entryLengths = new int[ENTRIES];
    /** Sampled fingerprint (constant time): finds a cached entry to compare with. */
    private final long[] entrySampled = new long[ENTRIES];
    /** Hash of every byte (CRC-32C): the shard dictionary's key (texts that differ anywhere land apart). */
    private final long[] entryHashes = new long[ENTRIES];
    /** The String an entry's bytes came from (identity cache); null after a CharSequence that may change. */
    private final String[] entrySources = new String[ENTRIES];
    /** A shard dictionary's own copy of an entry's text, once matched or defined: found by identity next time. */
    private final byte[][] entryDictRefs = new byte[ENTRIES][];
    private final long[] entryUsed = new long[ENTRIES];
    private long clock;
    private int current = -1;

    /** The staged text: the current entry's bytes, [0, length). */
    byte[] bytes;
    /** {@link #bytes} are shared (never written again): a dictionary may keep them without a copy. */
    boolean immutable;
    /** The dictionary copy known to equal {@link #bytes}, or null. */
    byte[] dictRef;
    int length;
    /** The staged text's full hash: its key in a shard dictionary. */
    long fingerprint;
    /** The text was cached already: worth a reference. */
    boolean repeated;
    /** A text is staged for the current record. */
    boolean staged;

    public TextSlot(int fieldId) {
        this(fieldId, null);
    }

    /** @param shared the texts every thread of the log shares for this field (null: none) */
    public TextSlot(int fieldId, SharedTexts shared) {
        this.fieldId = fieldId;
        this.shared = shared;
        for (int i = 0; i < ENTRIES; i++) {
            entryBytes[i] = new byte[0];
            entryOwn[i] = entryBytes[i];
        }
    }

    public int fieldId() {
        return fieldId;
    }

    public boolean staged() {
        return staged;
    }

    /** Forgets what is staged for the current record (the cache stays). */
    public void clear() {
        staged = false;
    }

    /** Bytes the field takes written inline: field header, length prefix, text. */
    public int inlineBytes() {
        return staged ? RecordDescriptor.FIELD_HEADER_LENGTH + RecordDescriptor.LENGTH_PREFIX + length : 0;
    }

    /**
     * Stages {@code value} for the current record. Uses {@code encoder} to encode it (then rewinds the
     * encoder). Returns false when the value alone was cut to fit the record size limit: it then stays
     * inline in the encoder, as any other field, and nothing is staged here.
     */
    public boolean stage(CharSequence value, RecordEncoder encoder) {
        for (int i = 0; i < ENTRIES; i++) {
            if (entrySources[i] == value) {
                select(i, true); // identity: an immutable String seen recently
                return true;
            }
        }
        if (value instanceof String str) {
            for (int i = 0; i < ENTRIES; i++) {
                String cached = entrySources[i];
                if (cached != null && cached.length() == str.length() && cached.equals(str)) {
                    entrySources[i] = str; // a new String with the same content: one comparison, no encoding
                    select(i, true);
                    return true;
                }
            }
            SharedTexts.Entry e = shared == null ? null : shared.find(str);
            if (e != null) {
                int v = leastRecentlyUsed();
                entryBytes[v] = e.utf8;
                entryDictRefs[v] = e.utf8; // a dictionary that took the shared bytes matches by identity
                entryLengths[v] = e.length;
                entrySampled[v] = e.sampled;
                entryHashes[v] = e.hash;
                entrySources[v] = str;
                select(v, true);
                return true;
            }
        }
        boolean wasTruncated = encoder.truncated();
        int mark = encoder.length();
        encoder.putString(fieldId, value);
        if (encoder.truncated() && !wasTruncated) {
            staged = false;
            return false;
        }
        byte[] buf = encoder.buffer();
        int from = mark + RecordDescriptor.FIELD_HEADER_LENGTH + RecordDescriptor.LENGTH_PREFIX;
        int n = encoder.length() - from;
        long fp = SampledInterner.fingerprint(buf, from, n);
        String source = value instanceof String s ? s : null;
        int hit = -1;
        for (int i = 0; i < ENTRIES; i++) {
            if (entryLengths[i] == n && entrySampled[i] == fp && entryBytes[i].length >= n
                    && Arrays.equals(entryBytes[i], 0, n, buf, from, from + n)) {
                hit = i;
                break;
            }
        }
        if (hit >= 0) {
            entrySources[hit] = source;
            select(hit, true);
        } else {
            int v = leastRecentlyUsed();
            if (entryOwn[v].length < n) {
                entryOwn[v] = new byte[Math.max(n, 64)]; // grows to the largest text: then reused
            }
            entryBytes[v] = entryOwn[v];
            entryDictRefs[v] = null;
            System.arraycopy(buf, from, entryBytes[v], 0, n);
            entryLengths[v] = n;
            entrySampled[v] = fp;
            entryHashes[v] = hash(entryBytes[v], n, fp);
            entrySources[v] = source;
            select(v, shared != null && shared.seenBefore(entryHashes[v]));
        }
        encoder.rewind(mark);
        return true;
    }

    private int leastRecentlyUsed() {
        int v = 0;
        for (int i = 1; i < ENTRIES; i++) {
            if (entryUsed[i] < entryUsed[v]) {
                v = i;
            }
        }
        return v;
    }

    private void select(int i, boolean wasCached) {
        current = i;
        entryUsed[i] = ++clock;
        bytes = entryBytes[i];
        immutable = entryBytes[i] != entryOwn[i];
        dictRef = entryDictRefs[i];
        length = entryLengths[i];
        fingerprint = entryHashes[i];
        repeated = wasCached;
        staged = true;
    }

    private final java.util.zip.CRC32C crc = new java.util.zip.CRC32C();

    /**
     * A 64-bit key of b[0, n): the CRC-32C of every byte (a CPU instruction on x86 and ARM) next to the
     * sampled fingerprint; paid once per text that enters the cache.
     */
    private long hash(byte[] b, int n, long sampled) {
        crc.reset();
        crc.update(b, 0, n);
        return (crc.getValue() << 32) ^ (sampled & 0xFFFFFFFFL) ^ ((long) n << 16);
    }

    /** Writes the staged text into the record itself, as an ordinary string field. */
    public void putInline(RecordEncoder encoder) {
        encoder.putAscii(fieldId, bytes, 0, length);
    }

    /** Remembers that a shard dictionary holds {@code copy}, equal to the staged text. */
    void linkDictionary(byte[] copy) {
        entryDictRefs[current] = copy;
        dictRef = copy;
    }

    /**
     * A shard dictionary defined the staged text with {@code copy} (never written again): shares it with
     * the log's other threads when it came from a {@code String}, and uses it from now on (identity with
     * the dictionary; the entry's own buffer stays free for the next text).
     */
    void defined(byte[] copy) {
        linkDictionary(copy);
        String source = entrySources[current];
        if (shared != null && source != null) {
            shared.publish(source, copy, length, entrySampled[current], fingerprint);
        }
        entryBytes[current] = copy;
        bytes = copy;
        immutable = true;
    }
}
