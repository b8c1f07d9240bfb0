package io.promptlog.writer;

import io.promptlog.writer.internal.CycleFile;
import io.promptlog.writer.internal.RecordDescriptor;
import net.openhft.chronicle.queue.RollCycle;

import java.io.IOException;
import java.util.function.Consumer;

import static io.promptlog.writer.internal.CycleFile.END_OF_FILE;
import static io.promptlog.writer.internal.CycleFile.LENGTH_MASK;
import static io.promptlog.writer.internal.CycleFile.META_DATA;
import static io.promptlog.writer.internal.CycleFile.NOT_COMPLETE;

/**
 * Walks one cycle file by hand (see {@link CycleFile}) from a known document boundary, for
 * {@link ShardCursor} once Chronicle's tailer has met damage there. Follows the header chain while it
 * holds; a document whose bytes do not decode is skipped alone when the chain continues after it;
 * otherwise it scans forward four bytes at a time to the next document that decodes, and reports the
 * stretch in between. After such a scan the sequence numbers are re-anchored on the writer's own note
 * of its last document (its position and sequence, in the file header), counting documents back from
 * there, so indexes stay Chronicle's; only when that chain is broken too are they counted on from the
 * last known one (and the stretch says so).
 */
final class RawWalk implements AutoCloseable {
    static final int RECORD = 0;
    /** Nothing more yet: the writer may still append to this cycle. */
    static final int WAIT = 1;
    /** The cycle is closed (end-of-file marker): go on with the next one. */
    static final int END = 2;

    interface Validator {
        /** Null when {@code length} bytes at the start of the cursor buffer hold a valid record, else why not. */
        String check(int length);
    }

    final CycleFile file;
    final int cycle;
    private final RollCycle rollCycle;
    private long pos;
    private long seq;
    private long lastGoodIndex;
    private long badFrom = -1;
    private String badReason;
    private boolean approximate;
    private boolean needAnchor;

    /** Position and length of the record last found. */
    long recordPos;
    int recordLength;
    long recordIndex;

    RawWalk(CycleFile file, int cycle, RollCycle rollCycle, long pos, long seq, long lastGoodIndex) {
        this.file = file;
        this.cycle = cycle;
        this.rollCycle = rollCycle;
        this.pos = pos;
        this.seq = seq;
        this.lastGoodIndex = lastGoodIndex;
    }

    long position() {
        return pos;
    }

    /**
     * Finds the next valid record, loading it through {@code load} (which copies {@code length} bytes at
     * {@code position} into the cursor's buffer) and {@code validator}; skipped stretches go to {@code skipped}.
     */
    int next(Loader load, Validator validator, Consumer<CorruptStretch> skipped) throws IOException {
        file.refresh(); // see what the writer appended since the last call
        long[] last = file.lastWritten();
        long lastPos = last == null ? -1 : last[0];
        long size = file.size(); // once a step: what the writer adds meanwhile is seen at the next one
        long writtenEnd = writtenEnd(lastPos, size);
        while (true) {
            if (badFrom < 0) {
                if (pos + 4 > size) {
                    return WAIT;
                }
                int h = file.header(pos);
                int len = h & LENGTH_MASK;
                if (h == END_OF_FILE) {
                    return END;
                }
                if (h == 0 || (h & NOT_COMPLETE) != 0) {
                    if (pos < lastPos) {
                        startBad(h == 0 ? "no header inside the written data" : "an unfinished header before the writer's last record");
                        continue;
                    }
                    return WAIT;
                }
                if (pos + 4 + len > size) {
                    startBad("a header claims " + len + " bytes, past the end of the " + size + "-byte file");
                    continue;
                }
                if ((h & META_DATA) != 0) {
                    if (!startsLikeChronicleMetadata(file.header(pos + 4))) {
                        startBad("a metadata header over bytes that are not Chronicle metadata");
                        continue;
                    }
                    pos = CycleFile.next(pos, len);
                    continue;
                }
                String why = !startsLikeRecord(file.header(pos + 4)) ? "bad magic (not a promptlog record)"
                        : load.load(pos + 4, len) ? validator.check(len) : "cannot read " + len + " bytes";
                long after = CycleFile.next(pos, len);
                if (why == null) {
                    return found(len);
                }
                // a real document that starts before the writer's last one ends at or before it: a length that
                // reaches past it is damage, however plausible the bytes at its far end (often zeros)
                boolean overrunsLast = pos < lastPos && after > lastPos;
                if (!overrunsLast && chainHolds(after, lastPos, writtenEnd)) {
                    long idx = rollCycle.toIndex(cycle, seq);
                    skipped.accept(new CorruptStretch(file.path(), pos, after, lastGoodIndex, idx, why));
                    seq++;
                    pos = after;
                    continue;
                }
                startBad(why);
                continue;
            }
            // scanning for the next document that decodes
            pos += 4;
            if (pos + 4 > size || (pos >= writtenEnd && file.header(pos) == 0)) {
                endBad(skipped);
                needAnchor = true; // the sequence of whatever the writer appends here is not known yet
                return WAIT;
            }
            int h = file.header(pos);
            int len = h & LENGTH_MASK;
            if (h == 0 || (h & (NOT_COMPLETE | META_DATA)) != 0 || len < RecordDescriptor.HEADER_LENGTH
                    || pos + 4 + len > size || !startsLikeRecord(file.header(pos + 4))) {
                continue;
            }
            if (load.load(pos + 4, len) && validator.check(len) == null) {
                anchor();
                endBad(skipped);
                return found(len);
            }
        }
    }

    /** Whether the first four bytes of a document are a record header (magic, a known layout version). */
    private static boolean startsLikeRecord(int first) {
        return (short) first == RecordDescriptor.MAGIC
                && ((first >>> 16) & 0xFF) >= 1 && ((first >>> 16) & 0xFF) <= RecordDescriptor.LAYOUT_VERSION;
    }

    interface Loader {
        boolean load(long position, int length);
    }

    private int found(int len) throws IOException {
        if (needAnchor) {
            anchor();
        }
        recordPos = pos;
        recordLength = len;
        recordIndex = rollCycle.toIndex(cycle, seq);
        lastGoodIndex = recordIndex;
        seq++;
        pos = CycleFile.next(pos, len);
        return RECORD;
    }

    private void startBad(String why) {
        badFrom = pos;
        badReason = why;
    }

    private void endBad(Consumer<CorruptStretch> skipped) {
        String reason = badReason + (approximate ? "; indexes after it are counted on, not Chronicle's" : "");
        skipped.accept(new CorruptStretch(file.path(), badFrom, pos, lastGoodIndex, -1, reason));
        badFrom = -1;
        badReason = null;
    }

    /**
     * End of the writer's last document, or its position when that header is unreadable or claims bytes past
     * the end of the file (a scan for the next record stops at the first empty header after it).
     */
    private long writtenEnd(long lastPos, long size) throws IOException {
        if (lastPos < 0) {
            return 0;
        }
        int h = file.header(lastPos);
        long end = CycleFile.next(lastPos, h & LENGTH_MASK);
        return h == 0 || end > size ? lastPos : end;
    }

    /** Whether the document chain is sound at {@code p}: a plausible header there, or the end of the data. */
    private boolean chainHolds(long p, long lastPos, long writtenEnd) throws IOException {
        int h = file.header(p);
        if (h == 0) {
            return p >= writtenEnd || lastPos < 0;
        }
        if (h == END_OF_FILE) {
            return true;
        }
        int len = h & LENGTH_MASK;
        if ((h & NOT_COMPLETE) != 0 || len < 4 || p + 4 + len > file.size()) {
            return false;
        }
        int first = file.header(p + 4);
        return (h & META_DATA) != 0 ? startsLikeChronicleMetadata(first) : startsLikeRecord(first);
    }

    /**
     * Whether a metadata document starts as Chronicle writes them (the file header, index arrays): a
     * binary-wire field name, type byte 0xB9 followed by a short name length.
     */
    private static boolean startsLikeChronicleMetadata(int first) {
        return (first & 0xFF) == 0xB9 && ((first >>> 8) & 0xFF) > 0 && ((first >>> 8) & 0xFF) < 32;
    }

    /**
     * Sets {@link #seq} for the document at {@link #pos} by counting documents from there to the writer's
     * last one, whose sequence the file header records; else counts on from the last known sequence.
     */
    private void anchor() throws IOException {
        needAnchor = false;
        long[] last = file.lastWritten();
        long lastPos = last == null ? -1 : last[0];
        long lastSeq = last == null ? -1 : last[1];
        if (lastPos >= pos && lastSeq >= 0) {
            long p = pos;
            long n = 0;
            long size = file.size();
            while (p < lastPos) {
                int h = file.header(p);
                int len = h & LENGTH_MASK;
                if (h == 0 || (h & NOT_COMPLETE) != 0 || len == 0 || p + 4 + len > size) {
                    break;
                }
                if ((h & META_DATA) == 0) {
                    n++;
                }
                p = CycleFile.next(p, len);
            }
            if (p == lastPos && lastSeq - n >= seq) {
                seq = lastSeq - n;
                approximate = false;
                return;
            }
        }
        approximate = true; // seq counts on from the last record before the stretch
    }

    @Override
    public void close() throws IOException {
        file.close();
    }
}
