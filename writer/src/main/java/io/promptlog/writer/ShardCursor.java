package io.promptlog.writer;

import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;

import java.nio.file.Path;

/**
 * Reads the raw records of one queue shard in append order, for the compactor, the reader's live view
 * and tools. Not thread-safe. After {@link #next()} returns true, {@link #index()}, {@link #buffer()} and
 * {@link #length()} describe the record until the next call; {@link #decode()} turns it into an
 * {@link LlmCall}.
 */
public final class ShardCursor implements AutoCloseable {
    private final Path dir;
    private final int shard;
    private final SingleChronicleQueue queue;
    private final ExcerptTailer tailer;
    private byte[] buffer = new byte[64 * 1024];
    private int length;
    private long index = -1;

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
        return RecordDecoder.decode(buffer, 0, length);
    }

    /** Decodes the record last read, sharing repeated prompt texts through {@code interner}. */
    public LlmCall decode(TextInterner interner) throws CorruptRecordException {
        return RecordDecoder.decode(buffer, 0, length, interner);
    }

    @Override
    public void close() {
        tailer.close();
        queue.close();
    }
}
