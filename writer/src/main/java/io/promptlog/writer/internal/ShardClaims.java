package io.promptlog.writer.internal;

import io.promptlog.writer.PrivateFiles;
import io.promptlog.writer.PromptLogHome;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The shard directories one open log appends to, each claimed with an OS file lock on
 * {@code queue/shard-N.lock} (see {@link PromptLogHome}), so that no two processes ever append to one
 * shard queue.
 *
 * <p>Why: Chronicle guards a queue's appends with a lock word in its metadata file that spans processes.
 * A process killed while holding it (kill -9 lands inside an append about once in a thousand times at
 * 1,000 calls/s) leaves it held, and the next append of any other process on that queue spins Chronicle's
 * whole timeout (15 s) on the application's thread before Chronicle breaks the lock. Two processes do share
 * a home: the old and the new instance during a rolling deploy, two services pointed at one directory. With
 * claims, a second process takes the next free shard numbers instead ({@code shard-2}, {@code shard-3} next
 * to a first process's {@code shard-0} and {@code shard-1}); readers and the compactor list every shard
 * directory, so its calls are read like any other. An OS lock dies with its process, and a later claimant
 * opening the shard lets Chronicle break the dead holder's lock word at open, before any append.
 *
 * <p>A JVM also remembers the files it holds: POSIX record locks belong to the process, and closing any
 * channel of a locked file drops them, so a second log opened in the same JVM must not even open a lock
 * file the first one holds.
 */
final class ShardClaims implements AutoCloseable {
    /** Shard numbers tried before giving up: far more than any sane number of processes on one home. */
    static final int MAX_SHARD_NUMBER = 4096;
    private static final Set<Path> HELD_IN_THIS_JVM = ConcurrentHashMap.newKeySet();

    private final int[] numbers;
    private final Path[] files;
    private final FileChannel[] channels;
    private final FileLock[] locks;

    private ShardClaims(int count) {
        numbers = new int[count];
        files = new Path[count];
        channels = new FileChannel[count];
        locks = new FileLock[count];
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
                Path file = queueDir.resolve(PromptLogHome.SHARD_PREFIX + n + PromptLogHome.SHARD_LOCK_SUFFIX).toAbsolutePath();
                if (!HELD_IN_THIS_JVM.add(file)) {
                    continue; // another log of this JVM holds it
                }
                FileChannel ch = null;
                FileLock lock = null;
                try {
                    ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                    PrivateFiles.restrictFile(file);
                    lock = ch.tryLock();
                } catch (OverlappingFileLockException e) {
                    lock = null; // not ours to close: cannot happen while HELD_IN_THIS_JVM is consulted first
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
                c.locks[claimed] = lock;
                claimed++;
            }
        } catch (IOException | RuntimeException e) {
            c.close();
            throw e;
        }
        return c;
    }

    /** The shard number (directory {@code shard-N}) of the i-th claim, lowest first. */
    int number(int i) {
        return numbers[i];
    }

    /** True when the claims are not shards 0 to count-1: another log held some of those. */
    boolean displaced() {
        for (int i = 0; i < numbers.length; i++) {
            if (numbers[i] != i) {
                return true;
            }
        }
        return false;
    }

    /** Releases every claim (after the shards' queues are closed). Never throws. */
    @Override
    public void close() {
        for (int i = 0; i < locks.length; i++) {
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
