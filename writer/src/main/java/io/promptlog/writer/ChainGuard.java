package io.promptlog.writer;

import io.promptlog.writer.internal.CycleFile;

import java.io.IOException;
import java.nio.file.Path;

import static io.promptlog.writer.internal.CycleFile.END_OF_FILE;
import static io.promptlog.writer.internal.CycleFile.LENGTH_MASK;
import static io.promptlog.writer.internal.CycleFile.NOT_COMPLETE;

/**
 * Checks, with positional reads ({@link CycleFile}), the document chain of one cycle file ahead of Chronicle's
 * tailer, so that the tailer is never asked to read a document whose header claims bytes past the end of the
 * file. Chronicle follows the lengths in the headers through its memory mapping: a forged length sends it to a
 * page beyond the file, and the SIGBUS that raises is reported by the JVM late, as an {@code InternalError}
 * thrown at some later safepoint poll or runtime call, possibly in the caller's code after the cursor has
 * returned, where nothing can contain it. Checking first means that fault never happens.
 *
 * <p>The chain is walked from the start of the file as Chronicle walks it (4-byte headers, 4-byte aligned
 * documents), as far as it is sound: every complete header's length fits in the file. The walk stops where
 * nothing is written yet (a zero or unfinished header; resumed from there later), at the end-of-file marker,
 * or at the first header whose length runs past the end of the file ({@link #badAt()}): Chronicle must not
 * read from a position whose walk to the next record reaches that header.
 */
final class ChainGuard implements AutoCloseable {
    /** How far past the tailer's position one check walks ahead, so most reads find it walked already. */
    private static final long AHEAD_BYTES = 256 * 1024;

    final int cycle;
    private final CycleFile file;
    private long size;
    /** Where the walk goes on: the first header not yet found sound. */
    private long walked;
    /** Start of the last record (not metadata) document the walk found sound, -1: none yet. */
    private long lastRecord = -1;
    /** Position of a header whose length runs past the end of the file, -1: none found. */
    private long badAt = -1;
    private boolean closed;

    ChainGuard(int cycle, Path path) throws IOException {
        this.cycle = cycle;
        this.file = new CycleFile(path);
        this.size = file.size();
    }

    /**
     * Whether Chronicle may read on from the document boundary {@code from} of this file: true when the walk
     * from there reaches a record document or the end of what is written before it reaches a header whose
     * length runs past the end of the file.
     */
    boolean safeFrom(long from) throws IOException {
        if (lastRecord >= from) {
            return true;
        }
        walk(from + AHEAD_BYTES, from);
        return lastRecord >= from || badAt < 0;
    }

    /** Whether the whole chain written so far is sound (what Chronicle's index scans may walk). */
    boolean soundToEnd() throws IOException {
        walk(Long.MAX_VALUE, 0);
        return badAt < 0;
    }

    /** Whether the walk met the end-of-file marker: Chronicle goes on in the next cycle after the last record. */
    boolean closed() {
        return closed;
    }

    /** Whether no record document starts at or after {@code from} in what has been walked. */
    boolean noRecordFrom(long from) {
        return lastRecord < from;
    }

    long badAt() {
        return badAt;
    }

    /** Walks on to {@code until}, and further while no record document is found at or after {@code from}. */
    private void walk(long until, long from) throws IOException {
        if (badAt >= 0 || closed) {
            return;
        }
        file.refresh(); // see what the writer appended since the walk last stopped
        long p = walked;
        while (p < until || lastRecord < from) {
            int h = file.header(p);
            if (h == END_OF_FILE) {
                closed = true;
                break;
            }
            if (h == 0 || (h & NOT_COMPLETE) != 0) {
                break; // nothing written here yet: Chronicle stops here too
            }
            int len = h & LENGTH_MASK;
            if (p + 4 + len > size && p + 4 + len > (size = file.size())) {
                badAt = p;
                break;
            }
            if ((h & CycleFile.META_DATA) == 0) {
                lastRecord = p;
            }
            p = CycleFile.next(p, len);
        }
        walked = p;
    }

    @Override
    public void close() throws IOException {
        file.close();
    }
}
