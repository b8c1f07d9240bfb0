package io.promptlog.compactor.internal;

import io.promptlog.format.DatasetLayout;
import io.promptlog.writer.PrivateFiles;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ConcurrentHashMap;
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

    /** The merge lock, or null when another process or thread holds it. */
    static DatasetLock tryMerge(Path data) throws IOException {
        return acquire(DatasetLayout.mergeLockFile(data), false);
    }

    /** The merge lock, waiting for its holder to finish (a merge of one day, an erasure). */
    static DatasetLock merge(Path data) throws IOException {
        return acquire(DatasetLayout.mergeLockFile(data), true);
    }

    /** The texts lock, waiting for its holder (another compactor committing a batch: milliseconds; an erasure removing texts). */
    static DatasetLock texts(Path data) throws IOException {
        return acquire(DatasetLayout.textsLockFile(data), true);
    }

    private static DatasetLock acquire(Path lockFile, boolean wait) throws IOException {
        Path file = lockFile.toAbsolutePath().normalize();
        ReentrantLock jvm = IN_JVM.computeIfAbsent(file, f -> new ReentrantLock());
        if (wait) {
            jvm.lock();
        } else if (!jvm.tryLock()) {
            return null;
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
            FileLock l = wait ? ch.lock() : ch.tryLock();
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
