package io.promptlog.compactor.internal;

import io.promptlog.format.DatasetLayout;
import io.promptlog.writer.PrivateFiles;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A dataset-wide lock, held by one compactor at a time whatever queue it compacts (the compactor's own lock is
 * per queue, so two hosts sharing one dataset each hold their own):
 * <ul>
 * <li>{@link #merge}: ({@link DatasetLayout#mergeLockFile}) while files that other compactors may also rewrite
 * are rewritten: a merge, an erasure, a text expiry; it keeps a merge on one host from reading a file an
 * erasure on another is rewriting (which would bring the erased text back);</li>
 * <li>{@link #texts}: ({@link DatasetLayout#textsLockFile}) while a batch is committed (its texts checked against
 * the text files once more and written, then its calls files renamed into place), so two hosts that meet the
 * same new text at once store it once; and while an erasure removes texts, so that no call committed
 * elsewhere meanwhile is left pointing to a removed text (see {@link BatchCommitter}, {@link Erasure}).</li>
 * </ul>
 * An OS file lock across processes (on a shared file system it needs working POSIX locks, as NFSv4 has),
 * plus a JVM-wide lock per lock file for compactors of several queues in one JVM.
 */
final class DatasetLock implements AutoCloseable {
    private static final ConcurrentHashMap<Path, ReentrantLock> IN_JVM = new ConcurrentHashMap<>();

    private final ReentrantLock jvmLock;
    private final FileChannel channel;
    private final FileLock lock;

    private DatasetLock(ReentrantLock jvmLock, FileChannel channel, FileLock lock) {
        this.jvmLock = jvmLock;
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * How long {@link #texts} waits: its holders keep it for milliseconds (a batch's renames, an erasure's), so a
     * holder that keeps it this long is stopped or hung (a frozen process, a dead file server), and a compactor
     * waiting for it without end would also hold up its app's shutdown.
     */
    static final long TEXTS_WAIT_NANOS = TimeUnit.SECONDS.toNanos(30);

    /** The merge lock, or null when another process or thread holds it. */
    static DatasetLock tryMerge(Path data) throws IOException {
        return acquire(DatasetLayout.mergeLockFile(data), 0);
    }

    /** The merge lock, waiting for its holder to finish (a merge of one day, an erasure). */
    static DatasetLock merge(Path data) throws IOException {
        return acquire(DatasetLayout.mergeLockFile(data), Long.MAX_VALUE);
    }

    /**
     * The texts lock, waiting for its holder (another compactor committing a batch, an erasure removing texts)
     * up to {@link #TEXTS_WAIT_NANOS}; then an IOException naming the lock file (the batch is retried later).
     */
    static DatasetLock texts(Path data) throws IOException {
        return texts(data, TEXTS_WAIT_NANOS);
    }

    /** The texts lock, or null when another process or thread holds it. */
    static DatasetLock tryTexts(Path data) throws IOException {
        return acquire(DatasetLayout.textsLockFile(data), 0);
    }

    /** As {@link #texts(Path)}, waiting up to {@code waitNanos}. */
    static DatasetLock texts(Path data, long waitNanos) throws IOException {
        Path file = DatasetLayout.textsLockFile(data);
        DatasetLock l = acquire(file, waitNanos);
        if (l == null) {
            throw new IOException("the texts lock " + file + " was held by another compactor or erasure of this dataset"
                    + " for all of " + TimeUnit.NANOSECONDS.toMillis(waitNanos) + " ms (its holders keep it for"
                    + " milliseconds: is a process sharing the dataset stopped or hung?); nothing was committed, the"
                    + " batch is tried again on the next pass");
        }
        return l;
    }

    /**
     * The lock of {@code lockFile}: waiting without end when {@code waitNanos} is {@code Long.MAX_VALUE}, else up
     * to {@code waitNanos} (0: one try), returning null when it is still held then.
     */
    private static DatasetLock acquire(Path lockFile, long waitNanos) throws IOException {
        Path file = lockFile.toAbsolutePath().normalize();
        boolean forever = waitNanos == Long.MAX_VALUE;
        long deadline = System.nanoTime() + (forever ? 0 : waitNanos);
        ReentrantLock jvm = IN_JVM.computeIfAbsent(file, f -> new ReentrantLock());
        if (forever) {
            jvm.lock();
        } else {
            try {
                if (!jvm.tryLock(waitNanos, TimeUnit.NANOSECONDS)) {
                    return null;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted while waiting for " + file);
            }
        }
        if (jvm.getHoldCount() > 1) {
            return new DatasetLock(jvm, null, null); // this thread already holds the file lock
        }
        FileChannel ch = null;
        try {
            PrivateFiles.createDirectories(file.getParent());
            if (!Files.exists(file)) {
                try {
                    PrivateFiles.createFile(file);
                } catch (FileAlreadyExistsException e) {
                    // created meanwhile by another process: the lock below decides
                }
            }
            ch = FileChannel.open(file, StandardOpenOption.WRITE);
            FileLock l = forever ? ch.lock() : tryUntil(ch, deadline);
            if (l == null) {
                ch.close();
                jvm.unlock();
                return null;
            }
            return new DatasetLock(jvm, ch, l);
        } catch (IOException | RuntimeException e) {
            if (ch != null) {
                ch.close();
            }
            jvm.unlock();
            throw e;
        }
    }

    /** The OS lock of {@code ch}, tried until {@code deadline} (System.nanoTime), 1 ms apart growing to 50; null if never got. */
    private static FileLock tryUntil(FileChannel ch, long deadline) throws IOException {
        long pauseNanos = TimeUnit.MILLISECONDS.toNanos(1);
        while (true) {
            FileLock l;
            try {
                l = ch.tryLock();
            } catch (OverlappingFileLockException e) {
                l = null; // held by this JVM outside DatasetLock: held all the same
            }
            if (l != null) {
                return l;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return null;
            }
            LockSupport.parkNanos(Math.min(pauseNanos, left)); // polling the lock: the OS offers no timed wait
            pauseNanos = Math.min(pauseNanos * 2, TimeUnit.MILLISECONDS.toNanos(50));
        }
    }

    @Override
    public void close() throws IOException {
        try {
            if (lock != null) {
                lock.release();
                channel.close();
            }
        } finally {
            jvmLock.unlock();
        }
    }
}
