package io.promptlog.writer;

import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads the raw records of one queue shard in append order, for the compactor, the reader's live view
 * and tools. Not thread-safe. After {@link #next()} returns true, {@link #index()}, {@link #buffer()} and
 * {@link #length()} describe the record until the next call; {@link #decode()} turns it into an
 * {@link LlmCall}.
 *
 * <p>Texts by reference: a record may carry its system prompt or tools as the index of an earlier record
 * of this shard and cycle (see {@code RecordDescriptor}). {@link #decode()} resolves it from the texts
 * this cursor has read, or else reads that record (with a second tailer), so a cursor started at any index
 * decodes every record. A reference that leaves the record's cycle, points forward, or to a record that
 * is missing or does not carry that text is an {@link RecordDecoder#UNRESOLVED_REFERENCE}.
 */
public final class ShardCursor implements AutoCloseable {
    /** Texts remembered per field, by the index of the record that carries them. */
    private static final int REMEMBERED_TEXTS = 64;
    private final Path dir;
    private final int shard;
    private final SingleChronicleQueue queue;
    private final ExcerptTailer tailer;
    private byte[] buffer = new byte[64 * 1024];
    private int length;
    private long index = -1;
    private ExcerptTailer lookup;
    private byte[] lookupBuffer;
    private TextInterner lookupInterner;
    private final Map<Long, String> prompts = lru();
    private final Map<Long, String> tools = lru();
    private final TextRefs refs = new TextRefs() {
        @Override
        public String text(int fieldId, long target) throws CorruptRecordException {
            return resolve(fieldId, target);
        }

        @Override
        public void carried(int fieldId, String text) {
            texts(fieldId).put(index, text);
        }
    };

    private ShardCursor(Path dir, SingleChronicleQueue queue) {
        this.dir = dir;
        this.shard = PromptLogHome.shardNumber(dir);
        this.queue = queue;
        this.tailer = queue.createTailer();
    }

    /** Opens a cursor at the start of the shard in {@code shardDir} (read-only). */
    public static ShardCursor open(Path shardDir) {
        return new ShardCursor(shardDir, PromptLogHome.openShardForReading(shardDir));
    }

    public Path dir() {
        return dir;
    }

    public int shard() {
        return shard;
    }

    /** Chronicle index of the first record still in the shard's files, or -1 when it is empty. */
    public long firstIndex() {
        long i = queue.firstIndex();
        return i == Long.MAX_VALUE ? -1 : i;
    }

    /** Positions the cursor so that the next record read is the one after {@code index}. */
    public void moveAfter(long index) {
        if (index < 0) {
            tailer.toStart();
            return;
        }
        if (tailer.moveToIndex(index)) {
            try (DocumentContext dc = tailer.readingDocument()) {
                // consume the record at index itself
                if (!dc.isPresent()) {
                    return;
                }
            }
        } else {
            // that index is gone (cycle deleted) or not yet written: read from the oldest record after it
            tailer.toStart();
            while (true) {
                long before = tailer.index();
                try (DocumentContext dc = tailer.readingDocument()) {
                    if (!dc.isPresent()) {
                        return;
                    }
                    if (dc.index() > index) {
                        dc.rollbackOnClose();
                        return;
                    }
                }
                if (tailer.index() == before) {
                    return;
                }
            }
        }
    }

    public void toStart() {
        tailer.toStart();
    }

    /** Reads the next record; false when none is there (yet). */
    public boolean next() {
        try (DocumentContext dc = tailer.readingDocument()) {
            if (!dc.isPresent()) {
                return false;
            }
            Bytes<?> bytes = dc.wire().bytes();
            int n = (int) bytes.readRemaining();
            if (n > buffer.length) {
                buffer = new byte[Math.max(n, buffer.length * 2)];
            }
            bytes.read(buffer, 0, n);
            length = n;
            index = dc.index();
            return true;
        }
    }

    /** Chronicle index of the record last read. */
    public long index() {
        return index;
    }

    public byte[] buffer() {
        return buffer;
    }

    public int length() {
        return length;
    }

    public LlmCall decode() throws CorruptRecordException {
        return decode(null);
    }

    /** Decodes the record last read, sharing repeated prompt texts through {@code interner} (may be null). */
    public LlmCall decode(TextInterner interner) throws CorruptRecordException {
        lookupInterner = interner;
        return RecordDecoder.decode(buffer, 0, length, interner, refs);
    }

    /** The kind of the record last read (RecordDescriptor's KIND_CALL, KIND_REQUEST or KIND_RESPONSE). */
    public int kind() throws CorruptRecordException {
        return RecordDecoder.kind(buffer, 0, length);
    }

    /** The process that wrote the record last read, when it names one (request halves do), else null. */
    public WriterProcess writerProcess() throws CorruptRecordException {
        return RecordDecoder.writerProcess(buffer, 0, length);
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
        if (target >= index || queue.rollCycle().toCycle(target) != queue.rollCycle().toCycle(index)) {
            throw unresolved(field + " refers to index " + target + ", which is not an earlier record of the same cycle");
        }
        if (lookup == null) {
            lookup = queue.createTailer();
        }
        int n;
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
        try {
            text = RecordDecoder.carriedText(lookupBuffer, 0, n, fieldId, lookupInterner);
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
        tailer.close();
        queue.close();
    }
}
