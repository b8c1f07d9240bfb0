package io.promptlog.writer;

import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Resolves the texts a record carries by reference (its system prompt or tools, as the index of an earlier
 * record of the same shard and cycle: see {@code RecordDescriptor}) for one {@link ShardCursor}: from the texts
 * the cursor has decoded (the most recent per field), or else by reading that record with a second tailer. A
 * reference that leaves the record's cycle, points forward, into a cycle with damage, or to a record that is
 * missing or does not carry that text is an {@link RecordDecoder#UNRESOLVED_REFERENCE}; while
 * {@link #keepingMetadata} collects them, such a field is left unset and named instead.
 */
final class ReferencedTexts implements TextRefs, AutoCloseable {
    /** Texts remembered per field, by the index of the record that carries them. */
    private static final int REMEMBERED_TEXTS = 64;

    private final SingleChronicleQueue queue;
    private final RollCycle rollCycle;
    private final int shard;
    private final ChainGuards guards;
    private final Map<Long, String> prompts = lru();
    private final Map<Long, String> tools = lru();
    private ExcerptTailer lookup;
    private byte[] lookupBuffer;
    private TextInterner interner;
    /** Index of the record being decoded. */
    private long index;
    /** Fields whose referred text was lost, while decoding keeping metadata; else null. */
    private List<String> lost;

    ReferencedTexts(SingleChronicleQueue queue, int shard, ChainGuards guards) {
        this.queue = queue;
        this.rollCycle = queue.rollCycle();
        this.shard = shard;
        this.guards = guards;
    }

    /** The record at {@code index} is decoded next, its texts shared through {@code interner} (may be null). */
    void decoding(long index, TextInterner interner) {
        this.index = index;
        this.interner = interner;
    }

    /** Until {@code lost} is null again: an unresolved reference adds its column to {@code lost} instead of failing. */
    void keepingMetadata(List<String> lost) {
        this.lost = lost;
    }

    @Override
    public String text(int fieldId, long target) throws CorruptRecordException {
        if (lost == null) {
            return resolve(fieldId, target);
        }
        try {
            return resolve(fieldId, target);
        } catch (CorruptRecordException e) {
            if (e.reason() != RecordDecoder.UNRESOLVED_REFERENCE) {
                throw e;
            }
            lost.add(CallField.byId(fieldId).column());
            return null;
        }
    }

    @Override
    public void carried(int fieldId, String text) {
        texts(fieldId).put(index, text);
    }

    private Map<Long, String> texts(int fieldId) {
        return fieldId == CallField.SYSTEM_PROMPT.id() ? prompts : tools;
    }

    private String resolve(int fieldId, long target) throws CorruptRecordException {
        Map<Long, String> known = texts(fieldId);
        String text = known.get(target);
        if (text != null) {
            return text;
        }
        String field = CallField.byId(fieldId).column();
        if (target >= index || rollCycle.toCycle(target) != rollCycle.toCycle(index)) {
            throw unresolved(field + " refers to index " + target + ", which is not an earlier record of the same cycle");
        }
        if (guards.isDamaged(rollCycle.toCycle(target))) {
            // Chronicle's lookup would walk its mapping through the damage (a memory fault, raised later)
            throw unresolved(field + " refers to index " + target + ", in a cycle file with damage that this "
                    + "cursor has not read the text from");
        }
        if (lookup == null) {
            lookup = queue.createTailer();
        }
        int n;
        try {
            if (!lookup.moveToIndex(target)) {
                throw unresolved(field + " refers to index " + target + ", which is not in the shard");
            }
            try (DocumentContext dc = lookup.readingDocument()) {
                if (!dc.isPresent() || dc.index() != target) {
                    throw unresolved(field + " refers to index " + target + ", which cannot be read");
                }
                Bytes<?> bytes = dc.wire().bytes();
                n = (int) bytes.readRemaining();
                if (lookupBuffer == null || n > lookupBuffer.length) {
                    lookupBuffer = new byte[Math.max(n, 64 * 1024)];
                }
                bytes.read(lookupBuffer, 0, n);
            }
        } catch (InternalError | RuntimeException e) {
            // damage on the way to it in its cycle file (see ShardCursor's class comment): a new tailer next time,
            // and this one closed so that it lets go of its cycle file
            ExcerptTailer broken = lookup;
            lookup = null;
            try {
                broken.close();
            } catch (InternalError | RuntimeException ignored) {
                // its store is released when the queue closes
            }
            throw unresolved(field + " refers to index " + target + ", which cannot be read past damage: " + e);
        }
        try {
            text = RecordDecoder.carriedText(lookupBuffer, 0, n, fieldId, interner);
        } catch (CorruptRecordException e) {
            throw unresolved(field + " refers to index " + target + ", which is damaged: " + e.getMessage());
        }
        if (text == null) {
            throw unresolved(field + " refers to index " + target + ", which does not carry that text");
        }
        known.put(target, text);
        return text;
    }

    private CorruptRecordException unresolved(String message) {
        return new CorruptRecordException(RecordDecoder.UNRESOLVED_REFERENCE, "shard " + shard + " index " + index
                + ": " + message);
    }

    private static Map<Long, String> lru() {
        return new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Long, String> eldest) {
                return size() > REMEMBERED_TEXTS;
            }
        };
    }

    @Override
    public void close() {
        if (lookup != null) {
            lookup.close();
        }
    }
}
