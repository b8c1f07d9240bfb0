package io.promptlog.writer.internal;

import io.promptlog.writer.PrivateFiles;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.TableStoreWriteLock;
import net.openhft.chronicle.threads.Pauser;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Cycle files that a writer killed while creating them left without a header, moved aside when a writer
 * opens the shard.
 *
 * <p><b>The problem.</b> Chronicle creates a cycle file in steps: it creates the file, maps it, swaps the
 * first header word from 0 to "not complete" ({@code 0x80000000}), writes the queue's header and index
 * arrays, and only then publishes the header's length. A kill -9 between the first and the last step leaves
 * a file whose first word is 0 (seen here: an 80 MiB sparse file of zeros) or {@code 0x80000000} (the header
 * fields half written). Nothing can ever be appended to such a file: Chronicle appends only after the header
 * is published. But whoever opens the cycle next waits for that header: Chronicle's
 * {@code readFirstHeader} polls it for the queue's {@code timeoutMS} (10-12 s) before it gives up, and the
 * appender does that when it is created (at {@code PromptLog.open}, once per shard) and readers every time
 * they look at that cycle.
 *
 * <p><b>Why it is safe to move one aside.</b> Chronicle creates cycle files only in its appender, while
 * holding the queue's write lock (a word in {@code metadata.cq4t} that any process appending to the queue
 * takes for each append, cross-process; a lock whose holder process is dead is released when a writer
 * builds the queue). {@link #moveAside} takes that same lock before it looks: no live writer, in this
 * process or another on the same home, can then be between those steps, so a cycle file whose header is
 * not published now never will be. It is renamed to {@code <name>-<millis>.discard} (Chronicle's own name for
 * a cycle file it gives up on, which it never lists), never deleted: its bytes stay for anyone who wants to
 * look. The rename is reported through {@code PromptLog.stats()}.
 *
 * <p><b>Why not a lower {@code timeoutMS}.</b> The same value bounds how long an appender waits for the
 * write lock ({@code timeoutMS * 3 / 2}) before its append fails: lowering it would turn a live writer that
 * holds the lock a little longer (a GC pause, a descheduled thread on a loaded machine, a slow disk) into
 * dropped records. Readers open the queue read-only, where the write lock is a no-op, and there a short
 * timeout is right (see {@code PromptLogHome.openShard}).
 */
public final class HeaderlessCycles {
    /** A cycle file's name (Chronicle lists only these). */
    public static final String CYCLE_SUFFIX = ".cq4";
    /** Appended (after {@code -<millis>}) to the name of a cycle file moved aside; Chronicle's own suffix. */
    public static final String DISCARD_SUFFIX = SingleChronicleQueue.DISCARD_FILE_SUFFIX;
    /** How long to wait for the write lock: as long as Chronicle's appender would (its default 10 s x 3/2). */
    private static final long LOCK_TIMEOUT_MILLIS = 15_000;

    private HeaderlessCycles() {
    }

    /**
     * Whether the cycle file has no published header: shorter than a header word, or a first word of 0 or with
     * the not-complete bit set (what Chronicle's {@code readFirstHeader} waits on). Does not map the file.
     */
    public static boolean isHeaderless(Path cycleFile) throws IOException {
        try (FileChannel ch = FileChannel.open(cycleFile, StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
            while (b.hasRemaining()) {
                if (ch.read(b, b.position()) < 0) {
                    return true;
                }
            }
            int header = b.getInt(0);
            return header == 0 || (header & CycleFile.NOT_COMPLETE) != 0;
        }
    }

    /** The header-less cycle files in a shard directory, in name order (a snapshot: see {@link #moveAside}). */
    public static List<Path> find(Path shardDir) throws IOException {
        List<Path> out = new ArrayList<>();
        List<Path> files;
        try (Stream<Path> s = Files.list(shardDir)) {
            files = s.filter(p -> p.getFileName().toString().endsWith(CYCLE_SUFFIX)).sorted().toList();
        }
        for (Path f : files) {
            try {
                if (isHeaderless(f)) {
                    out.add(f);
                }
            } catch (java.nio.file.NoSuchFileException gone) {
                // deleted meanwhile (retention): nothing to wait on
            }
        }
        return out;
    }

    /**
     * Under the queue's write lock, renames every header-less cycle file of the shard aside (see the class
     * comment) and makes the queue forget their cycles; returns the new paths. Call before creating the
     * shard's appender (whose creation takes the same lock, which is not re-entrant).
     *
     * @throws IOException when a file cannot be read or renamed (what was renamed before stays renamed)
     */
    public static List<Path> moveAside(SingleChronicleQueue queue, Path shardDir) throws IOException {
        List<Path> moved = new ArrayList<>();
        if (find(shardDir).isEmpty()) {
            return moved; // the common case: no lock taken
        }
        try (TableStoreWriteLock lock = new TableStoreWriteLock(queue.metaStore(), Pauser::balanced, LOCK_TIMEOUT_MILLIS)) {
            lock.lock();
            try {
                for (Path f : find(shardDir)) {
                    Path aside = f.resolveSibling(f.getFileName() + "-" + System.currentTimeMillis() + DISCARD_SUFFIX);
                    Files.move(f, aside);
                    PrivateFiles.restrictFile(aside); // the creator died before Chronicle's listener made it 0600
                    moved.add(aside);
                }
            } finally {
                lock.unlock();
            }
        }
        if (!moved.isEmpty()) {
            queue.refreshDirectoryListing();
        }
        return moved;
    }
}
