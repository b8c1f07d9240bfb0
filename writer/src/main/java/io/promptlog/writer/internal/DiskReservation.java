package io.promptlog.writer.internal;

import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.Wire;
import net.openhft.posix.OpenFlag;
import net.openhft.posix.PosixAPI;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;

/**
 * Keeps disk blocks allocated ahead of one shard's write position, so that a full disk shows up as a
 * failed {@code fallocate(2)} here (the append is dropped and counted) and never as a fault in the middle
 * of Chronicle's write into the mapped file.
 *
 * <p>Why: Chronicle grows a cycle file with {@code ftruncate}, which leaves it sparse; a block is allocated
 * only when its page is first written through the mapping. On a full disk that page fault fails with
 * SIGBUS, which the JVM turns into an <em>asynchronous</em> {@code InternalError}: thrown at some later
 * point, possibly after the append returned, in the caller's own code. By then Chronicle has written the
 * header of a record whose bytes never landed and its appender is stuck inside that document. Measured on
 * a full tmpfs: the error escaped into the caller, and every later append failed. Reserving the blocks
 * first (with {@code FALLOC_FL_KEEP_SIZE}, so the file size Chronicle manages is unchanged and no byte is
 * written) makes the page writes that follow unable to fail for lack of space.
 *
 * <p>The reservation runs up to {@link #AHEAD_BYTES} ahead and is renewed when less than the
 * {@link Pretoucher}'s window is left, so it costs one system call per ~64 MiB written. Near a full disk it
 * reserves just what the record needs (two system calls per append while the disk stays nearly full). The
 * first append to a new cycle file (no file yet to reserve in) is checked against the file system's free
 * space instead. Only the thread holding the shard's flag calls {@link #ensure}; {@link #reservedUpTo} is
 * read by the pretoucher. Where {@code fallocate} is unsupported (another OS, some file systems) this
 * turns itself off and appends behave as before. Limitation: with two processes appending to one shard,
 * each reserves from its own last write position.
 */
final class DiskReservation implements AutoCloseable {
    static final long AHEAD_BYTES = 96L << 20;
    /** Room for what Chronicle writes with a record: header, padding, index arrays, an EOF marker. */
    static final long HEADROOM_BYTES = 1L << 20;
    private static final int FALLOC_FL_KEEP_SIZE = 1;
    private static final int ENOSPC = 28;
    private static final int EFBIG = 27;

    private final SingleChronicleQueue queue;
    private boolean disabled;
    private int cycle = Integer.MIN_VALUE;
    private File file;
    private int fd = -1;
    private volatile long reservedUpTo;
    private volatile int reservedCycle = Integer.MIN_VALUE;
    private String lastError;

    DiskReservation(SingleChronicleQueue queue) {
        this.queue = queue;
    }

    /**
     * Makes sure the next record of {@code recordBytes} can be written without allocating disk blocks
     * through the mapping. False when the disk has no room for it ({@link #lastError()} says why).
     */
    boolean ensure(ExcerptAppender appender, long recordBytes) {
        if (disabled) {
            return true;
        }
        long need = recordBytes + HEADROOM_BYTES;
        Wire wire = appender.wire();
        if (wire == null) {
            return freeSpaceFor(need); // this appender's first write: it opens (or creates) the cycle file
        }
        int appenderCycle = appender.cycle();
        if (appenderCycle != queue.cycle()) {
            // this append creates a new cycle file: nothing to reserve in yet
            return freeSpaceFor(need);
        }
        long end = wire.bytes().writePosition();
        // keep the pretoucher's window reserved too, so it never touches an unreserved page
        if (appenderCycle == cycle && end + need + Pretoucher.AHEAD_BYTES <= reservedUpTo) {
            return true;
        }
        return reserve(appender, appenderCycle, end, need);
    }

    private boolean reserve(ExcerptAppender appender, int appenderCycle, long end, long need) {
        try {
            if (appenderCycle != cycle || fd < 0) {
                closeFile();
                File f = appender.currentFile();
                if (f == null) {
                    return freeSpaceFor(need);
                }
                int opened = PosixAPI.posix().open(f.getPath(), OpenFlag.O_RDWR.value(), 0);
                if (opened < 0) {
                    return disable("cannot open " + f + " to reserve space: " + PosixAPI.posix().lastErrorStr());
                }
                fd = opened;
                file = f;
                cycle = appenderCycle;
                reservedUpTo = 0;
                reservedCycle = appenderCycle;
            }
            if (fallocate(end, AHEAD_BYTES + need)) {
                reservedUpTo = end + AHEAD_BYTES + need;
                return true;
            }
            int errno = PosixAPI.posix().lastError();
            if (errno == ENOSPC || errno == EFBIG) {
                // nearly full: take just what this record needs
                if (fallocate(end, need)) {
                    reservedUpTo = Math.max(reservedUpTo, end + need);
                    return true;
                }
                errno = PosixAPI.posix().lastError();
                lastError = "no space for a " + need + "-byte record in " + file + ": " + PosixAPI.posix().strerror(errno);
                return false;
            }
            return disable("fallocate unsupported for " + file + ": " + PosixAPI.posix().strerror(errno));
        } catch (RuntimeException | LinkageError e) {
            return disable("cannot reserve disk space: " + e);
        }
    }

    private boolean fallocate(long offset, long length) {
        return PosixAPI.posix().fallocate(fd, FALLOC_FL_KEEP_SIZE, offset, length) == 0;
    }

    private boolean freeSpaceFor(long need) {
        try {
            File dir = queue.file();
            long usable = Files.getFileStore(dir.toPath()).getUsableSpace();
            if (usable >= need + HEADROOM_BYTES) {
                return true;
            }
            lastError = "no space for a new cycle file in " + dir + ": " + usable + " bytes free, " + need + " needed";
            return false;
        } catch (IOException | RuntimeException e) {
            return true; // cannot tell: let the append try
        }
    }

    private boolean disable(String why) {
        disabled = true;
        lastError = why;
        reservedUpTo = Long.MAX_VALUE;
        reservedCycle = Integer.MIN_VALUE;
        closeFile();
        return true;
    }

    /** Bytes of {@code cycle}'s file reserved so far (pages below this can be touched safely). */
    long reservedUpTo(int cycle) {
        if (disabled) {
            return Long.MAX_VALUE;
        }
        long upTo = reservedUpTo;
        return reservedCycle == cycle ? upTo : 0;
    }

    String lastError() {
        return lastError;
    }

    private void closeFile() {
        if (fd >= 0) {
            try {
                PosixAPI.posix().close(fd);
            } catch (RuntimeException e) {
                // nothing to do: the fd is gone either way
            }
            fd = -1;
            file = null;
        }
    }

    @Override
    public void close() {
        closeFile();
    }
}
