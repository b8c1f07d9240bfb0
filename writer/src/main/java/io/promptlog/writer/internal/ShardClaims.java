package io.promptlog.writer.internal;

import io.promptlog.writer.PrivateFiles;
import io.promptlog.writer.PromptLogHome;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The shard directories one open log appends to, each claimed with an OS file lock on
 * {@code queue/shard-N.lock} (see {@link PromptLogHome}), so that no two processes ever append to one
 * shard queue.
 *
 * <p>Why: Chronicle guards a queue's appends with a lock word in its metadata file that spans processes.
 * A process killed while holding it (a kill -9 that lands inside an append) leaves it held, and the next
 * append of any other process on that queue spun Chronicle's whole timeout on the application's thread
 * before Chronicle broke the lock (measured: 15,007 ms for one append; {@code SharedHomeTest} reproduces
 * the case). Two processes do share a home: the old and the new instance during a rolling deploy, two
 * services pointed at one directory. With
 * claims, a second process takes the next free shard numbers instead ({@code shard-2}, {@code shard-3} next
 * to a first process's {@code shard-0} and {@code shard-1}); readers and the compactor list every shard
 * directory, so its calls are read like any other. An OS lock dies with its process, and a later claimant
 * opening the shard lets Chronicle break the dead holder's lock word at open, before any append.
 *
 * <p>A JVM also remembers the files it holds, by device and inode: POSIX record locks belong to the
 * process, and closing any descriptor of a locked file drops them, so a second log opened in the same JVM
 * (through a symbolic link to the home, too) must not even open a lock file the first one holds.
 */
final class ShardClaims implements AutoCloseable {
    /** Shard numbers tried before giving up: far more than any sane number of processes on one home. */
    static final int MAX_SHARD_NUMBER = 4096;
    /** The lock files held by the logs of this JVM, by file identity (device and inode where the OS has them). */
    private static final Set<Object> HELD_IN_THIS_JVM = ConcurrentHashMap.newKeySet();
    /** Channels of lock files that other code of this JVM had locked (see {@link #claim}). */
    private static final java.util.Queue<FileChannel> KEPT_OPEN = new java.util.concurrent.ConcurrentLinkedQueue<>();

    private final int[] numbers;
    private final Object[] files;
    /** Open while the claim holds: closing one releases its lock. */
    private final FileChannel[] channels;

    private ShardClaims(int count) {
        numbers = new int[count];
        files = new Object[count];
        channels = new FileChannel[count];
    }

    /**
     * Claims the {@code count} lowest shard numbers of {@code home} that no other log (in this process or
     * another) holds.
     *
     * @throws IOException when a lock file cannot be created or locked, or no number up to
     *                     {@link #MAX_SHARD_NUMBER} is free
     */
    static ShardClaims claim(Path home, int count) throws IOException {
        ShardClaims c = new ShardClaims(count);
        Path queueDir = PromptLogHome.queueDir(home);
        int claimed = 0;
        try {
            for (int n = 0; claimed < count; n++) {
                if (n >= MAX_SHARD_NUMBER) {
                    throw new IOException("no free shard in " + queueDir + ": shard-0 to shard-" + (MAX_SHARD_NUMBER - 1)
                            + " are all held by other open logs");
                }
                Path path = queueDir.resolve(PromptLogHome.SHARD_PREFIX + n + PromptLogHome.SHARD_LOCK_SUFFIX);
                Object file = identity(path);
                if (!HELD_IN_THIS_JVM.add(file)) {
                    continue; // another log of this JVM holds it
                }
                FileChannel ch = null;
                FileLock lock = null;
                try {
                    ch = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                    PrivateFiles.restrictFile(path);
                    lock = ch.tryLock();
                } catch (OverlappingFileLockException e) {
                    // locked by other code of this JVM (not a log: those are in HELD_IN_THIS_JVM): closing this
                    // channel would drop that lock, so it stays open, and reachable so no cleaner closes it
                    KEPT_OPEN.add(ch);
                    ch = null;
                } finally {
                    if (lock == null) {
                        if (ch != null) {
                            ch.close(); // we hold no lock on this file: closing drops nothing
                        }
                        HELD_IN_THIS_JVM.remove(file);
                    }
                }
                if (lock == null) {
                    continue; // another process holds it
                }
                c.numbers[claimed] = n;
                c.files[claimed] = file;
                c.channels[claimed] = ch;
                claimed++;
            }
        } catch (IOException | RuntimeException e) {
            c.close();
            throw e;
        }
        return c;
    }

    /**
     * The identity of a lock file, created empty (0600) if absent: its device and inode, so that a home
     * reached through a symbolic link or another spelling of its path is still the same file. Neither
     * creating nor looking opens a descriptor of an existing file, which closing would unlock.
     */
    private static Object identity(Path path) throws IOException {
        try {
            if (path.getFileSystem().supportedFileAttributeViews().contains("posix")) {
                Files.createFile(path, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } else {
                Files.createFile(path);
            }
        } catch (java.nio.file.FileAlreadyExistsException e) {
            // someone's lock file (O_EXCL failed, no descriptor was opened): only looked at below
        }
        Object key = Files.readAttributes(path, BasicFileAttributes.class).fileKey();
        return key != null ? key : path.toRealPath();
    }

    /** The shard number (directory {@code shard-N}) of the i-th claim, lowest first. */
    int number(int i) {
        return numbers[i];
    }

    /** Releases every claim (after the shards' queues are closed). Never throws. */
    @Override
    public void close() {
        for (int i = 0; i < channels.length; i++) {
            if (channels[i] == null) {
                continue;
            }
            try {
                channels[i].close(); // releases the lock
            } catch (IOException | RuntimeException e) {
                // the process's exit releases it anyway
            }
            HELD_IN_THIS_JVM.remove(files[i]);
            channels[i] = null;
        }
    }
}
