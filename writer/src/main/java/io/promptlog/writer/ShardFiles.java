package io.promptlog.writer;

import net.openhft.chronicle.queue.TailerDirection;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueStore;

import java.io.File;

/**
 * The cycle files of one shard's queue, as {@link ShardCursor} looks them up: which cycles exist, the file of
 * each, its size. A lookup hit by a late memory fault (see {@link #memoryFault}) is tried again, never taken
 * for "no such cycle".
 */
final class ShardFiles {
    private final SingleChronicleQueue queue;
    private int sizedCycle = -1;
    private long sizedBytes;

    ShardFiles(SingleChronicleQueue queue) {
        this.queue = queue;
    }

    /** The file of {@code cycle}, or null when there is none (deleted after compaction, not created yet). */
    File cycleFile(int cycle) {
        for (int attempt = 0; ; attempt++) {
            try {
                SingleChronicleQueueStore store = queue.storeForCycle(cycle, queue.epoch(), false, null);
                if (store == null) {
                    return null;
                }
                try {
                    return store.file();
                } finally {
                    queue.closeStore(store);
                }
            } catch (InternalError | RuntimeException e) {
                // an InternalError (alone, or wrapped by Chronicle) is most likely the memory fault of an earlier
                // read through a damaged mapping, delivered late (here, while Chronicle maps this file's header):
                // it says nothing about this file, so look again; taking it for "no such cycle" would end the
                // shard early and hide every record after the damage
                if (!memoryFault(e) || attempt >= 3) {
                    return null;
                }
            }
        }
    }

    /**
     * Whether a record ending at byte {@code end} lies inside its cycle file. The size is cached, and the file
     * grows while the writer fills it: past the cached size, the file is sized again before the record is
     * refused (a cursor kept open across compaction passes sized the file when it was smaller, refused every
     * later record its tailer found by index, and so walked the cycle by hand from its start on every move).
     */
    boolean withinCycleFile(int cycle, long end) {
        if (end <= cycleFileSize(cycle)) {
            return true;
        }
        sizedCycle = -1;
        return end <= cycleFileSize(cycle);
    }

    /** Size of a cycle file (Chronicle grows them in whole blocks, so it only changes at a new block). */
    private long cycleFileSize(int cycle) {
        if (cycle != sizedCycle) {
            File f = cycleFile(cycle);
            sizedBytes = f == null ? Long.MAX_VALUE : f.length();
            sizedCycle = cycle;
        }
        if (sizedBytes == 0) {
            sizedCycle = -1;
            return Long.MAX_VALUE;
        }
        return sizedBytes;
    }

    /** The first cycle with a file, -1: none. */
    int firstCycle() {
        int c = queue.firstCycle();
        return c == Integer.MAX_VALUE ? -1 : c;
    }

    /** The cycle with a file after {@code c}, -1: none. */
    int nextCycle(int c) {
        try {
            return queue.nextCycle(c, TailerDirection.FORWARD);
        } catch (java.text.ParseException | RuntimeException e) {
            return -1;
        }
    }

    /** Whether {@code t} is, or wraps, the {@link InternalError} of a memory fault on a mapped file. */
    static boolean memoryFault(Throwable t) {
        for (int depth = 0; t != null && depth < 8; t = t.getCause(), depth++) {
            if (t instanceof InternalError) {
                return true;
            }
        }
        return false;
    }
}
