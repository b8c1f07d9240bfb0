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
 * The dataset-wide lock ({@link DatasetLayout#mergeLockFile}) held while files that other compactors may
 * also rewrite are rewritten: a merge, an erasure, a text expiry. The compactor's own lock is per queue, so
 * two hosts sharing one dataset each hold their own; this one keeps a merge on one host from reading a
 * file an erasure on another is rewriting (which would bring the erased text back). An OS file lock across
 * processes, plus a JVM-wide lock per dataset path for compactors of several queues in one JVM.
 */
final class MergeLock implements AutoCloseable {
    private static final ConcurrentHashMap<Path, ReentrantLock> IN_JVM = new ConcurrentHashMap<>();

    private final ReentrantLock jvmLock;
    private final FileChannel channel;
    private final FileLock lock;

    private MergeLock(ReentrantLock jvmLock, FileChannel channel, FileLock lock) {
        this.jvmLock = jvmLock;
        this.channel = channel;
        this.lock = lock;
    }

    /** The lock, or null when another process or thread holds it. */
    static MergeLock tryAcquire(Path data) throws IOException {
        return acquire(data, false);
    }

    /** The lock, waiting for its holder to finish (a merge of one day, an erasure). */
    static MergeLock acquire(Path data) throws IOException {
        return acquire(data, true);
    }

    private static MergeLock acquire(Path data, boolean wait) throws IOException {
        Path file = DatasetLayout.mergeLockFile(data).toAbsolutePath().normalize();
        ReentrantLock jvm = IN_JVM.computeIfAbsent(file, f -> new ReentrantLock());
        if (wait) {
            jvm.lock();
        } else if (!jvm.tryLock()) {
            return null;
        }
        if (jvm.getHoldCount() > 1) {
            return new MergeLock(jvm, null, null); // this thread already holds the file lock
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
            return new MergeLock(jvm, ch, l);
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
