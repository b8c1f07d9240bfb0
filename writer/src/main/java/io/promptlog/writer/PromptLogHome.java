package io.promptlog.writer;

import io.promptlog.writer.internal.MonotonicRollTime;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The layout of a promptlog home directory, described once:
 * <pre>
 *   D/                      0700
 *     queue/                raw records, written by PromptLog
 *       shard-0/ .. shard-N/  one Chronicle Queue each (*.cq4 cycle files, metadata.cq4t), files 0600
 *       shard-0.lock ..       0600, OS-locked by the one open log appending to that shard: a second process on
 *                             the same home appends to the next free shard numbers instead (so a process killed
 *                             mid-append never leaves Chronicle's write lock held on a queue another process uses)
 *         *.cq4-MILLIS.discard  a cycle file a writer killed while creating it left without a header, moved
 *                             aside by the next writer's open (see {@link #discardedCycleFiles})
 *     data/                 the compacted Parquet dataset (see the compactor module)
 * </pre>
 * Writers and readers open shard queues only through {@link #openShard}, so both agree on the roll cycle
 * and block size.
 */
public final class PromptLogHome {
    public static final String QUEUE_DIR = "queue";
    public static final String DATA_DIR = "data";
    public static final String SHARD_PREFIX = "shard-";
    /** {@code shard-N.lock} in {@code queue/}: held by the log appending to {@code shard-N}. */
    public static final String SHARD_LOCK_SUFFIX = ".lock";
    /** Chronicle needs a document to fit within a quarter of a mapped block. */
    private static final long MIN_BLOCK_BYTES = 64L * 1024 * 1024;
    /** How long a reader waits for a cycle file's header before taking the cycle as not there yet. */
    static final long READER_HEADER_WAIT_MILLIS = 1;

    private PromptLogHome() {
    }

    public static Path queueDir(Path home) {
        return home.resolve(QUEUE_DIR);
    }

    public static Path dataDir(Path home) {
        return home.resolve(DATA_DIR);
    }

    public static Path shardDir(Path home, int shard) {
        return queueDir(home).resolve(SHARD_PREFIX + shard);
    }

    /** The shard directories that exist under {@code home/queue}, in shard order (may be empty). */
    public static List<Path> shardDirs(Path home) {
        Path q = queueDir(home);
        if (!Files.isDirectory(q)) {
            return List.of();
        }
        List<Path> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(q)) {
            s.filter(p -> Files.isDirectory(p) && shardNumber(p) >= 0).forEach(out::add);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot list " + q, e);
        }
        out.sort(Comparator.comparingInt(PromptLogHome::shardNumber));
        return out;
    }

    /** The shard number of a {@code shard-N} directory, or -1. */
    public static int shardNumber(Path shardDir) {
        String n = shardDir.getFileName().toString();
        if (!n.startsWith(SHARD_PREFIX)) {
            return -1;
        }
        try {
            return Integer.parseInt(n.substring(SHARD_PREFIX.length()));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /**
     * Opens one shard's Chronicle Queue with promptlog's settings. Readers pass {@code readOnly=true};
     * the roll period of an existing queue is taken from its own metadata.
     */
    public static SingleChronicleQueue openShard(Path shardDir, RollPeriod rollPeriod, int maxRecordBytes,
                                                 boolean readOnly) {
        return openShard(shardDir, rollPeriod, maxRecordBytes, readOnly, java.time.Clock.systemUTC());
    }

    /**
     * As {@link #openShard(Path, RollPeriod, int, boolean)}, rolling by {@code rollClock} (see
     * {@link PromptLogConfig.Builder#rollClock}); the system clock uses Chronicle's own time source.
     */
    public static SingleChronicleQueue openShard(Path shardDir, RollPeriod rollPeriod, int maxRecordBytes,
                                                 boolean readOnly, java.time.Clock rollClock) {
        long block = MIN_BLOCK_BYTES;
        while (block < 4L * maxRecordBytes) {
            block <<= 1;
        }
        SingleChronicleQueueBuilder b = SingleChronicleQueueBuilder.binary(shardDir)
                .rollCycle(rollPeriod == RollPeriod.DAILY ? RollCycles.FAST_DAILY : RollCycles.FAST_HOURLY)
                .blockSize(block)
                .readOnly(readOnly);
        if (!readOnly) {
            b.storeFileListener(PrivateFiles.LISTENER);
        } else {
            // a reader that meets a cycle file whose header is not published (a writer creating it right now, or
            // one killed while creating it) takes the cycle as not there yet and looks again at its next read,
            // instead of waiting Chronicle's default 10 s for the header on every look. Read-only, this timeout
            // bounds nothing else (the write lock it also sizes is a no-op); see HeaderlessCycles.
            b.timeoutMS(READER_HEADER_WAIT_MILLIS);
        }
        boolean systemClock = rollClock.equals(java.time.Clock.systemUTC());
        MonotonicRollTime rollTime = null;
        if (!readOnly) {
            // a writer's roll time never goes back (see MonotonicRollTime): a clock stepping back over a roll
            // boundary would otherwise drop calls or write them behind records already appended
            rollTime = new MonotonicRollTime(systemClock ? System::currentTimeMillis : rollClock::millis);
            b.timeProvider(rollTime);
        } else if (!systemClock) {
            b.timeProvider(rollClock::millis);
        }
        SingleChronicleQueue queue = b.build();
        if (!readOnly) {
            int newest = queue.lastCycle();
            if (newest != Integer.MIN_VALUE) {
                rollTime.atLeast(queue.epoch() + newest * (long) queue.rollCycle().lengthInMillis());
            }
            PrivateFiles.restrictFilesIn(shardDir);
        }
        return queue;
    }

    /**
     * The cycle files of a shard that a writer's open moved aside because they had no header: a writer was killed
     * while Chronicle created them, and Chronicle appends nothing to a cycle file before its header is complete,
     * so they hold no records. Kept, not deleted, for anyone who wants to look; readers name them. Name order.
     */
    public static List<Path> discardedCycleFiles(Path shardDir) {
        if (!Files.isDirectory(shardDir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(shardDir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(
                    io.promptlog.writer.internal.HeaderlessCycles.DISCARD_SUFFIX)).sorted().toList();
        } catch (IOException e) {
            return List.of(); // an unreadable directory is reported by whoever reads its cycle files
        }
    }

    /** Opens a shard for reading with default settings (the queue's metadata decides the roll cycle). */
    public static SingleChronicleQueue openShardForReading(Path shardDir) {
        return openShard(shardDir, RollPeriod.HOURLY, PromptLogConfig.DEFAULT_MAX_RECORD_BYTES, true);
    }
}
