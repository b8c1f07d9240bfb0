package io.promptlog.writer;

import io.promptlog.writer.internal.CycleFile;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Reads the valid records of one queue shard in append order, for the compactor, the reader's live view
 * and tools. Not thread-safe. After {@link #next()} returns true, {@link #index()}, {@link #buffer()},
 * {@link #length()} describe the record until the next call; {@link #decode()} turns it into an
 * {@link LlmCall}.
 *
 * <p><b>Damage never hides what follows it.</b> Records are read with Chronicle's tailer while it works,
 * and only where the chain of headers it would follow has been checked first ({@link ChainGuard}): a length
 * that runs past the end of the file would send it beyond the file in its mapping, a memory fault the JVM
 * reports late, where it cannot be contained. Such a header, a record that does not decode, a tailer that throws (including the {@link InternalError} a memory
 * fault on a damaged mapped file raises) or stops short of what the writer says it wrote, switches the
 * cursor to walking that cycle file by hand with positional reads ({@link RawWalk}): it skips the damaged
 * record, or scans to the next record that decodes, and goes on to the end of the file and to the next
 * cycle with the tailer again. Every stretch skipped is counted ({@link #skippedCount()}) and named
 * ({@link #skipped()}: file, byte range, indexes); nothing is thrown for it.
 * <p>Texts by reference: a record may carry its system prompt or tools as the index of an earlier record
 * of this shard and cycle (see {@code RecordDescriptor}). {@link #decode()} resolves it ({@link ReferencedTexts})
 * from the texts this cursor has read, or else reads that record (with a second tailer), so a cursor started at
 * any index decodes every record. A reference that leaves the record's cycle, points forward, or to a record that
 * is missing or does not carry that text is an {@link RecordDecoder#UNRESOLVED_REFERENCE}.
 */
public final class ShardCursor implements AutoCloseable {
    private final Path dir;
    private final int shard;
    private final SingleChronicleQueue queue;
    private final RollCycle rollCycle;
    private ExcerptTailer tailer;
    private byte[] buffer = new byte[64 * 1024];
    private int length;
    private long index = -1;
    private long position = -1;
    /** Cycle and end position of the last record read through the tailer or the raw walk (-1: none). */
    private int lastCycle = -1;
    private long lastEnd = -1;
    private RawWalk raw;
    private CycleFile probe;
    private final SkippedStretches skipped = new SkippedStretches();
    private final ShardFiles files;
    /** Chains checked ahead of the tailer; the cycles with damage. */
    private final ChainGuards guards;
    private final ReferencedTexts texts;
    /**
     * Cycle and document boundary the tailer reads from next: tailerCycle {@value #TAILER_AT_START} at the
     * start of the queue, -1 not known (the walk by hand has taken over, or the tailer was moved by index).
     */
    private int tailerCycle = -1;
    private static final int TAILER_AT_START = -2;
    private long tailerPos;
    private ShardCursor(Path dir, SingleChronicleQueue queue) {
        this.dir = dir;
        this.shard = PromptLogHome.shardNumber(dir);
        this.queue = queue;
        this.rollCycle = queue.rollCycle();
        this.files = new ShardFiles(queue);
        this.guards = new ChainGuards(files);
        this.texts = new ReferencedTexts(queue, shard, guards);
        this.tailer = queue.createTailer();
        tailerAtStart();
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

    /** Chronicle index of the last record now in the shard's files, or -1 when it is empty. */
    public long lastIndex() {
        try {
            int c = queue.lastCycle();
            if (c >= 0 && c != Integer.MAX_VALUE && !guards.soundToEnd(c)) {
                return -1; // Chronicle's scan for the end would follow a length past the end of the file
            }
            long i = queue.lastIndex();
            return i < 0 || i == Long.MAX_VALUE ? -1 : i;
        } catch (InternalError | RuntimeException e) {
            return -1; // damage where Chronicle looks for the end: callers read from the start instead
        }
    }

    /**
     * Positions the cursor near the end of the shard without reading what comes before: {@link #next()} then
     * returns the last {@code records} records now in the shard's last cycle (all of that cycle's records when
     * it holds fewer), then whatever is appended later; {@code toEnd(0)}: only what is appended from now on.
     * Only the record in front of that position is read (and checked). With an end Chronicle cannot find, the
     * cursor is at the start.
     */
    public void toEnd(int records) {
        long last = lastIndex();
        if (last < 0) {
            toStart();
            return;
        }
        if (records <= 0) {
            moveAfter(last);
            return;
        }
        if (rollCycle.toSequenceNumber(last) >= records) {
            moveAfter(last - records);
            return;
        }
        long first = rollCycle.toIndex(rollCycle.toCycle(last), 0);
        moveAfter(first);
        if (index == first) {
            pendingRepeat = true; // the cycle's first record is one of those asked for
        }
    }

    /** Positions the cursor so that the next record read is the one after {@code index}. */
    public void moveAfter(long index) {
        position(index);
        handedIsCurrent();
    }

    private void position(long index) {
        closeRaw();
        pendingRepeat = false; // a record an earlier move left for next() is not the one after index
        if (index < 0) {
            toStart();
            return;
        }
        int cycle = rollCycle.toCycle(index);
        File cycleFile = cycleFile(cycle);
        if (cycleFile == null) {
            skipToFirstAfter(index); // that cycle is gone (deleted after compaction): oldest record after it
            return;
        }
        try {
            // Chronicle's index scan walks the cycle's headers: only where none claims bytes past the file's end
            if (guards.soundToEnd(cycle) && tailer.moveToIndex(index)) {
                tailerCycle = -1;
                try (DocumentContext dc = tailer.readingDocument()) {
                    if (dc.isPresent() && dc.index() == index && take(dc)) {
                        return; // consumed the record at index itself
                    }
                }
            }
        } catch (InternalError | RuntimeException e) {
            freshTailer();
        }
        // the tailer cannot find it (damage before it in its cycle, or not written yet): walk the cycle by hand
        walksByHand++;
        startRaw(cycle, cycleFile, 0, 0, -1);
        this.index = -1;
        while (raw != null && nextRaw(true)) {
            if (this.index > index) {
                pendingRepeat = true; // the first record after index: next() hands it out
                return;
            }
            if (this.index == index) {
                return;
            }
        }
    }

    /**
     * Reads the record at {@code index}: true when it is there and valid, and then {@link #decode()},
     * {@link #kind()} and the other accessors apply to it and the next {@link #next()} reads the record
     * after it; false when it is not (its cycle deleted, damaged, not written yet), and then the next
     * {@link #next()} reads the first record after {@code index}.
     */
    public boolean readAt(long index) {
        moveAfter(index);
        return index >= 0 && this.index == index && !pendingRepeat;
    }

    /** Set when the record under the cursor is the one the next {@link #next()} must return. */
    private boolean pendingRepeat;

    private void skipToFirstAfter(long index) {
        toStart();
        while (true) {
            if (!next()) {
                return;
            }
            if (this.index > index) {
                pendingRepeat = true;
                return;
            }
        }
    }

    public void toStart() {
        closeRaw();
        pendingRepeat = false;
        lastCycle = -1;
        lastEnd = -1;
        index = -1;
        handedIsCurrent();
        int first = firstCycle();
        if (first >= 0 && !guards.safeFrom(first, 0)) {
            startRaw(first, cycleFile(first), 0, 0, -1); // the first record's header claims bytes past the end
            if (raw != null) {
                return;
            }
        }
        try {
            tailer.toStart();
            tailerAtStart();
        } catch (InternalError | RuntimeException e) {
            freshTailer();
        }
    }

    /** Reads the next valid record; false when none is there (yet). Damage on the way is skipped and reported. */
    public boolean next() {
        for (int attempt = 0; ; attempt++) {
            try {
                boolean found = nextOrFault();
                if (found) {
                    handedCycle = lastCycle;
                    handedEnd = lastEnd;
                    handedIndex = index;
                }
                return found;
            } catch (InternalError e) {
                // a memory fault from an earlier read of a mapping, delivered late (at a safepoint, in any
                // code, possibly after the walk had moved past a record it had not handed out yet): the
                // tailer is suspect, so go on by hand from the last record this method returned
                freshTailer();
                if (attempt >= 3) {
                    return false;
                }
                pendingRepeat = false;
                lastCycle = handedCycle;
                lastEnd = handedEnd;
                index = handedIndex;
                int c = lastCycle >= 0 ? lastCycle : firstCycle();
                boolean same = c == lastCycle;
                startRaw(c, c < 0 ? null : cycleFile(c), same ? lastEnd : 0,
                        same ? rollCycle.toSequenceNumber(index) + 1 : 0, same ? index : -1);
            }
        }
    }

    /** The record {@link #next()} last returned (cycle, end position, index; -1: none), where a retry resumes. */
    private int handedCycle = -1;
    private long handedEnd = -1;
    private long handedIndex = -1;

    /** A new position: a retry after a fault resumes here, and the stretches met from here on count anew. */
    private void handedIsCurrent() {
        skipped.moved();
        handedCycle = lastCycle;
        handedEnd = lastEnd;
        handedIndex = index;
    }

    private boolean nextOrFault() {
        if (pendingRepeat) {
            pendingRepeat = false;
            return true;
        }
        while (true) {
            if (raw != null) {
                return nextRaw(false);
            }
            if (!tailerMayRead()) {
                continue; // walking by hand from where the tailer would have read
            }
            int cycle = -1;
            boolean taken = false;
            try {
                try (DocumentContext dc = tailer.readingDocument()) {
                    if (!dc.isPresent()) {
                        return resumeMissed();
                    }
                    long idx = dc.index();
                    cycle = rollCycle.toCycle(idx);
                    if (lastCycle >= 0 && cycle != lastCycle && unreadIn(lastCycle, lastEnd)) {
                        dc.rollbackOnClose();
                        startRaw(lastCycle, cycleFile(lastCycle), lastEnd, rollCycle.toSequenceNumber(index) + 1, index);
                        continue;
                    }
                    if (take(dc)) {
                        taken = true;
                        return true;
                    }
                }
            } catch (InternalError | RuntimeException e) {
                // a memory fault is reported late (at the next safepoint): possibly only when the document
                // is closed, after a good record was taken; that record stands, the rest of its cycle is
                // read by hand
                freshTailer();
                if (taken) {
                    startRaw(lastCycle, cycleFile(lastCycle), lastEnd, rollCycle.toSequenceNumber(index) + 1, index);
                    return true;
                }
            }
            // a record the tailer handed over does not decode, or the tailer failed: walk this cycle by hand
            int c = lastCycle >= 0 ? lastCycle : cycle >= 0 ? cycle : firstCycle();
            if (c < 0) {
                return false;
            }
            boolean sameCycle = c == lastCycle;
            startRaw(c, cycleFile(c), sameCycle ? lastEnd : 0, sameCycle ? rollCycle.toSequenceNumber(index) + 1 : 0,
                    sameCycle ? index : -1);
            if (raw == null) {
                return false;
            }
        }
    }

    /** Copies and validates the tailer's document; false (nothing changed) when it does not decode. */
    private boolean take(DocumentContext dc) {
        Bytes<?> bytes = dc.wire().bytes();
        long start = bytes.readPosition();
        long n = bytes.readRemaining();
        tailerCycle = -1; // unless the record is taken: then the tailer is after it
        if (n <= 0 || n > Integer.MAX_VALUE - 16 || !files.withinCycleFile(rollCycle.toCycle(dc.index()), start + n)) {
            return false; // a length past the end of the file: reading it would fault the mapping (SIGBUS)
        }
        ensureBuffer((int) n);
        bytes.read(buffer, 0, (int) n);
        if (check((int) n) != null) {
            return false;
        }
        length = (int) n;
        position = start - 4;
        index = dc.index();
        lastCycle = rollCycle.toCycle(index);
        guards.readIn(lastCycle);
        lastEnd = CycleFile.next(start - 4, (int) n);
        tailerCycle = lastCycle;
        tailerPos = lastEnd;
        return true;
    }

    /** Null when the first {@code n} bytes of the buffer are a record as the writer wrote it (header, CRC-32C), else why not. */
    private String check(int n) {
        int c = RecordDecoder.check(buffer, 0, n);
        return switch (c) {
            case RecordDecoder.VALID -> null;
            case RecordDecoder.TOO_SHORT -> "shorter than a record header";
            case RecordDecoder.BAD_MAGIC -> "bad magic (not a promptlog record)";
            case RecordDecoder.NEWER_VERSION -> "a newer record layout than this reader knows";
            case RecordDecoder.BAD_CHECKSUM -> "checksum mismatch (CRC-32C): the bytes are not what the writer wrote";
            default -> "invalid record (check " + c + ")";
        };
    }

    private void ensureBuffer(int n) {
        if (n > buffer.length) {
            buffer = new byte[Math.max(n, buffer.length * 2)];
        }
    }

    /**
     * The tailer has nothing: true (after walking there by hand) when the writer's own note says there is
     * a record the tailer did not reach, in the last cycle read or a later one.
     */
    private boolean resumeMissed() {
        int from = lastCycle >= 0 ? lastCycle : firstCycle();
        if (from < 0) {
            return false;
        }
        int last = queue.lastCycle();
        for (int c = from; c >= 0 && c <= last; c = nextCycle(c)) {
            long start = c == lastCycle ? lastEnd : 0;
            if (unreadIn(c, start)) {
                boolean same = c == lastCycle;
                startRaw(c, cycleFile(c), start, same ? rollCycle.toSequenceNumber(index) + 1 : 0, same ? index : -1);
                return raw != null && nextRaw(false);
            }
        }
        return false;
    }

    /** Whether the writer's note in cycle {@code c} names a complete record at or after {@code from}. */
    private boolean unreadIn(int c, long from) {
        File f = cycleFile(c);
        if (f == null) {
            return false;
        }
        try {
            if (probe == null || !probe.path().equals(f.toPath())) {
                closeProbe();
                probe = new CycleFile(f.toPath());
            }
            probe.refresh();
            long[] last = probe.lastWritten();
            if (last == null || last[0] < Math.max(from, 0)) {
                return false;
            }
            int h = probe.header(last[0]);
            return h != 0 && (h & (CycleFile.NOT_COMPLETE | CycleFile.META_DATA)) == 0;
        } catch (IOException e) {
            return false;
        }
    }

    private boolean nextRaw(boolean quietBeforeTarget) {
        while (raw != null) {
            int r;
            try {
                r = raw.next(this::load, this::check, this::skip);
            } catch (IOException e) {
                skip(new CorruptStretch(raw.file.path(), raw.position(), raw.position(), index, -1,
                        "cannot read the cycle file: " + e));
                r = RawWalk.END;
            }
            if (r == RawWalk.RECORD) {
                length = raw.recordLength;
                position = raw.recordPos;
                index = raw.recordIndex;
                lastCycle = raw.cycle;
                guards.readIn(lastCycle);
                lastEnd = CycleFile.next(raw.recordPos, raw.recordLength);
                return true;
            }
            int c = raw.cycle;
            int next = nextCycle(c);
            if (r == RawWalk.WAIT && next < 0) {
                return false; // the writer may still append here
            }
            lastCycle = c;
            lastEnd = raw.position();
            closeRaw();
            if (next < 0) {
                return false;
            }
            freshTailer();
            try {
                if (!guards.safeFrom(next, 0) || !tailer.moveToCycle(next)) {
                    startRaw(next, cycleFile(next), 0, 0, -1);
                    continue;
                }
                tailerCycle = next;
                tailerPos = 0;
            } catch (InternalError | RuntimeException e) {
                freshTailer();
                startRaw(next, cycleFile(next), 0, 0, -1);
                continue;
            }
            return quietBeforeTarget ? false : next();
        }
        return false;
    }

    private boolean load(long position, int n) {
        ensureBuffer(n);
        try {
            return raw.file.read(position, buffer, n);
        } catch (IOException e) {
            return false;
        }
    }

    private void skip(CorruptStretch s) {
        guards.damaged(raw != null ? raw.cycle : lastCycle);
        skipped.add(s);
    }

    private void startRaw(int cycle, File file, long pos, long seq, long lastGoodIndex) {
        closeRaw();
        tailerCycle = -1; // the tailer is left where it was: moved again before it reads
        if (file == null) {
            return;
        }
        try {
            raw = new RawWalk(new CycleFile(file.toPath()), cycle, rollCycle, Math.max(pos, 0), seq, lastGoodIndex);
        } catch (IOException e) {
            skip(new CorruptStretch(file.toPath(), 0, 0, lastGoodIndex, -1, "cannot open the cycle file: " + e));
        }
    }

    private long walksByHand;

    /** Moves that walked a cycle from its start by hand because the tailer could not find the index (for tests). */
    long walksByHand() {
        return walksByHand;
    }

    private File cycleFile(int cycle) {
        return files.cycleFile(cycle);
    }

    private int firstCycle() {
        return files.firstCycle();
    }

    private int nextCycle(int c) {
        return files.nextCycle(c);
    }

    private void freshTailer() {
        try {
            tailer.close();
        } catch (RuntimeException | InternalError ignored) {
            // a tailer that met a memory fault may not close cleanly; a new one replaces it
        }
        for (int attempt = 0; ; attempt++) {
            try {
                tailer = queue.createTailer(); // reads the first cycle's header: where a late fault may surface
                tailerAtStart();
                return;
            } catch (InternalError | RuntimeException e) {
                if (!ShardFiles.memoryFault(e) || attempt >= 3) {
                    throw e;
                }
            }
        }
    }

    /** A new or rewound tailer reads from the start of the first cycle (whichever it is when it reads). */
    private void tailerAtStart() {
        tailerCycle = TAILER_AT_START;
        tailerPos = 0;
    }

    /**
     * Whether the tailer may read on from where it is: the chain of headers it would follow is checked first
     * ({@link ChainGuard}); when it would follow a length past the end of the file, the walk by hand is
     * started there instead and this returns false.
     */
    private boolean tailerMayRead() {
        int c = tailerCycle == TAILER_AT_START ? firstCycle() : tailerCycle;
        if (tailerCycle == TAILER_AT_START && c < 0) {
            return true; // nothing written yet
        }
        if (tailerCycle == -1) {
            // not known where the tailer is: go on by hand from the last record read, else the shard's start
            c = lastCycle >= 0 ? lastCycle : firstCycle();
            return c < 0 || !startRawFrom(c, c == lastCycle);
        }
        if (!guards.safeFrom(c, tailerPos)) {
            return !startRawFrom(c, c == lastCycle && tailerPos == lastEnd);
        }
        if (guards.exhausted(c, tailerPos)) {
            int n = nextCycle(c); // the tailer goes on at the start of the next cycle
            if (n >= 0 && !guards.safeFrom(n, 0)) {
                return !startRawFrom(n, false);
            }
        }
        return true;
    }

    /** Starts the walk by hand in cycle {@code c}: after the last record read when {@code after}, else at its start. */
    private boolean startRawFrom(int c, boolean after) {
        startRaw(c, cycleFile(c), after ? lastEnd : 0, after ? rollCycle.toSequenceNumber(index) + 1 : 0,
                after ? index : -1);
        return raw != null;
    }

    /**
     * Lets the calling thread use this cursor from now on. Chronicle tailers belong to one thread; call
     * this only once the thread that used the cursor has stopped using it (for example a final pass run
     * by a different thread than the passes before it).
     */
    public void handOver() {
        tailer.singleThreadedCheckReset();
    }

    /** Chronicle index of the record last read. */
    public long index() {
        return index;
    }

    /** Byte offset, in its cycle file, of the header of the record last read. */
    public long position() {
        return position;
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
        texts.decoding(index, interner);
        return RecordDecoder.decode(buffer, 0, length, interner, texts);
    }

    /**
     * Decodes the record last read as {@link #decode(TextInterner)} does, except that a system prompt or tools
     * reference whose text cannot be had (its defining record was lost to damage in the queue file) leaves that
     * field unset instead of failing the whole record: the call's own metadata, messages and response are kept.
     * {@code lost} receives the column names of the fields left unset, and the call carries them, comma-separated,
     * in the attribute {@value #LOST_TEXT_ATTRIBUTE}. Any other damage still throws.
     */
    public LlmCall decodeKeepingMetadata(TextInterner interner, List<String> lost) throws CorruptRecordException {
        texts.decoding(index, interner);
        texts.keepingMetadata(lost);
        LlmCall call;
        try {
            call = RecordDecoder.decode(buffer, 0, length, interner, texts);
        } finally {
            texts.keepingMetadata(null);
        }
        return lost.isEmpty() ? call : call.toBuilder().attribute(LOST_TEXT_ATTRIBUTE, String.join(",", lost)).build();
    }

    /** Attribute of a call decoded without a text that queue damage destroyed (value: the column names). */
    public static final String LOST_TEXT_ATTRIBUTE = "promptlog.lost_text";

    /** The kind of the record last read (RecordDescriptor's KIND_CALL, KIND_REQUEST or KIND_RESPONSE). */
    public int kind() throws CorruptRecordException {
        return RecordDecoder.kind(buffer, 0, length);
    }

    /** The process that wrote the record last read, when it names one (request halves do), else null. */
    public WriterProcess writerProcess() throws CorruptRecordException {
        return RecordDecoder.writerProcess(buffer, 0, length);
    }

    /** Stretches skipped so far (the first hundred). */
    public List<CorruptStretch> skipped() {
        return skipped.kept();
    }

    /** Number of stretches skipped so far. */
    public long skippedCount() {
        return skipped.count();
    }

    /** Bytes in the stretches skipped so far. */
    public long skippedBytes() {
        return skipped.bytes();
    }

    private void closeRaw() {
        if (raw != null) {
            try {
                raw.close();
            } catch (IOException ignored) {
                // read-only channel
            }
            raw = null;
        }
    }

    private void closeProbe() {
        if (probe != null) {
            try {
                probe.close();
            } catch (IOException ignored) {
                // read-only channel
            }
            probe = null;
        }
    }

    @Override
    public void close() {
        texts.close();
        closeRaw();
        closeProbe();
        guards.close();
        tailer.close();
        queue.close();
    }
}
