package io.promptlog.compactor.internal;

import io.promptlog.writer.PromptLogConfig;
import io.promptlog.writer.PromptLogHome;
import io.promptlog.writer.RollPeriod;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;
import java.time.temporal.TemporalAccessor;

/**
 * Deletes a shard's queue cycle files once it is safe: a cycle file goes only when its cycle is older
 * than the cycle of the committed index (so every record in it is committed), older than the newest
 * cycle file and the cycle of {@code nowMillis} (so it is not being written), and it was last modified
 * longer ago than the grace period. A cycle up to that of the last compacted no-text call (consent: see
 * {@code CallRecorder.noText()}) goes without the grace period, as soon as the first two conditions hold,
 * so the raw text of such a call lives in the queue only until the queue has rolled past its cycle file
 * and the compactor has reached the next one. The queue is then opened writable (nothing is appended) so that the
 * refreshed directory listing reaches other readers of the shard.
 */
final class QueueRetention {
    private QueueRetention() {
    }

    /** Returns the number of files deleted. */
    static int sweep(Path shardDir, long committedIndex, long graceMillis, long nowMillis) throws IOException {
        return sweep(shardDir, committedIndex, graceMillis, nowMillis, -1);
    }

    /**
     * As {@link #sweep(Path, long, long, long)}; cycles up to that of {@code noTextIndex} (a queue index of
     * a compacted no-text call, -1 for none) go without the grace period.
     */
    static int sweep(Path shardDir, long committedIndex, long graceMillis, long nowMillis, long noTextIndex)
            throws IOException {
        if (committedIndex < 0 || (graceMillis == Long.MAX_VALUE && noTextIndex < 0)) {
            return 0;
        }
        int deleted = 0;
        // writable, so that refreshDirectoryListing() records the new lowest cycle in the queue's metadata
        // for every reader (a read-only instance cannot, and readers would then look for deleted files)
        try (SingleChronicleQueue q = PromptLogHome.openShard(shardDir, RollPeriod.HOURLY,
                PromptLogConfig.DEFAULT_MAX_RECORD_BYTES, false)) {
            RollCycle rc = q.rollCycle();
            int committedCycle = rc.toCycle(committedIndex);
            int noTextCycle = noTextIndex < 0 ? Integer.MIN_VALUE : rc.toCycle(noTextIndex);
            int current = (int) ((nowMillis - rc.defaultEpoch()) / rc.lengthInMillis()); // the cycle being written now
            int last = q.lastCycle();
            DateTimeFormatter fmt = new DateTimeFormatterBuilder().appendPattern(rc.format())
                    .parseDefaulting(ChronoField.HOUR_OF_DAY, 0)
                    .parseDefaulting(ChronoField.MINUTE_OF_HOUR, 0)
                    .toFormatter();
            try (DirectoryStream<Path> s = Files.newDirectoryStream(shardDir, "*" + SingleChronicleQueue.SUFFIX)) {
                for (Path f : s) {
                    String n = f.getFileName().toString();
                    int cycle;
                    try {
                        TemporalAccessor t = fmt.parse(n.substring(0, n.length() - SingleChronicleQueue.SUFFIX.length()));
                        long millis = LocalDateTime.from(t).toInstant(ZoneOffset.UTC).toEpochMilli();
                        cycle = (int) ((millis - rc.defaultEpoch()) / rc.lengthInMillis());
                    } catch (RuntimeException e) {
                        continue; // not a cycle file of this roll cycle
                    }
                    boolean pastGrace = cycle <= noTextCycle || (graceMillis != Long.MAX_VALUE
                            && Files.getLastModifiedTime(f).toMillis() <= nowMillis - graceMillis);
                    if (cycle < committedCycle && cycle < current && cycle < last && pastGrace) {
                        Files.deleteIfExists(f);
                        deleted++;
                    }
                }
            }
            if (deleted > 0) {
                q.refreshDirectoryListing();
            }
        }
        return deleted;
    }
}
