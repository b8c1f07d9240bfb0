package io.promptlog.compactor.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * Deletes a compactor's queue cycle files once compacted ({@link QueueRetention}), and remembers across
 * restarts which go without the grace period: cycles up to a queue index per shard that held a no-text call
 * or an erased one ({@code noTextUpTo}, kept by {@link CallProcessor} and the erasure), saved in
 * {@code _promptlog/<queue-id>.sweep}.
 */
final class QueueSweep {
    private final Path file;
    private final StatsCounters stats;
    private final Map<Integer, Long> noTextUpTo;
    private Map<Integer, Long> saved = Map.of();

    /** @param noTextUpTo the live map of shard -> highest urgent queue index (read and, by {@link #load}, merged into) */
    QueueSweep(Path file, StatsCounters stats, Map<Integer, Long> noTextUpTo) {
        this.file = file;
        this.stats = stats;
        this.noTextUpTo = noTextUpTo;
    }

    /** Merges what an earlier run saved into {@code noTextUpTo}. */
    void load() throws IOException {
        if (!Files.exists(file)) {
            return;
        }
        for (String line : Files.readAllLines(file, StandardCharsets.US_ASCII)) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                try {
                    noTextUpTo.merge(Integer.parseInt(line.substring(0, eq).trim()),
                            Long.parseLong(line.substring(eq + 1).trim()), Math::max);
                } catch (NumberFormatException e) {
                    stats.error("ignoring a bad line in " + file + ": " + line);
                }
            }
        }
    }

    /** Saves {@code noTextUpTo} when it changed, then deletes what each shard's committed index allows. */
    void sweep(Map<Integer, Path> shardDirs, Map<Integer, Long> committed, long graceMillis, long nowMillis) {
        try {
            save();
        } catch (IOException e) {
            stats.error("cannot save " + file + ": " + e);
        }
        shardDirs.forEach((shard, dir) -> {
            try {
                long c = committed.getOrDefault(shard, -1L);
                long noTextIndex = noTextUpTo.getOrDefault(shard, -1L);
                stats.queueFilesDeleted.addAndGet(QueueRetention.sweep(dir, c, graceMillis, nowMillis, noTextIndex));
            } catch (IOException | RuntimeException e) {
                stats.error("cannot delete compacted queue files in " + dir + ": " + e);
            }
        });
    }

    private void save() throws IOException {
        Map<Integer, Long> now = new TreeMap<>(noTextUpTo);
        if (now.equals(saved)) {
            return;
        }
        StringBuilder s = new StringBuilder("# queue index per shard up to which cycle files are deleted without the grace period\n");
        now.forEach((k, v) -> s.append(k).append('=').append(v).append('\n'));
        Durable.writeAtomically(file, s.toString().getBytes(StandardCharsets.US_ASCII));
        saved = now;
    }
}
