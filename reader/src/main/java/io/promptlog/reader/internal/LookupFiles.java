package io.promptlog.reader.internal;

import io.promptlog.format.DatasetLayout;
import io.promptlog.format.DatasetSchema;
import io.promptlog.format.ParquetFooter;
import io.promptlog.writer.CallField;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The calls files a lookup by start time reads, chosen from the files' {@code start_time} statistics
 * ({@link ParquetFooter#int64Range}), so that a lookup by a UUIDv7 id hands its query one file instead of its
 * day's dozens or hundreds (a service's compactor cuts a file per shard every few minutes). The same for the
 * text table files by their {@code first_seen} statistics: a text first stored with the call looked up (a
 * templated system prompt, distinct on every call) is in the text file a search for the call's start finds,
 * one of thousands ({@link DatasetViews#compactedText}).
 *
 * <p>Two steps, because reading every footer of a day costs more than the query itself (0.4-1 ms each):
 * <ol>
 * <li>{@link #likely}: the day's files fall into runs written in queue order: the batch files of one host,
 * queue and shard (ordered by first queue index), and the parts of one merge (ordered by part, each part's
 * rows sorted by id, so by start). Along a run start times grow, near enough, so a binary search over the
 * run's ranges finds the file holding the time by reading about log2 of the run's length footers. Files
 * whose footer says nothing (unreadable, no statistics, a name outside the layout) are always included.</li>
 * <li>{@link #rest}: when the call was not in those, every other file whose range may hold the time (every
 * footer read): a call appended long after it started, out of its run's order, is found here.</li>
 * </ol>
 * The same footer read tells whether the files carry the current layout and schema version, so the query
 * binds them by position ({@link CurrentLayoutFiles} explains why that matters) without asking DuckDB.
 *
 * <p>Each footer is read once and remembered with the file's size and modification time, so a file
 * rewritten in place (an erasure) is read again. Only the files of the days looked up are remembered, and
 * for each day only those of its latest listing: files merged away are forgotten, so a reader open for
 * months holds at most one small entry per file it could still query. A file whose footer cannot be read is
 * always selected (and bound by name): the query engine then reads it, and reports a damaged one as usual;
 * this class only ever leaves out files whose statistics show they cannot hold the time.
 */
final class LookupFiles {
    private static final String LAYOUT = Integer.toString(DatasetSchema.VERSION);
    private static final String SCHEMA = Integer.toString(CallField.SCHEMA_VERSION);

    /** The files to read, and whether all of them carry the current layout and schema version. */
    record Selection(List<Path> files, boolean allCurrent) {
    }

    /** What a file's footer said, with what identified the file's content then. */
    private record Facts(long size, long modifiedMillis, Optional<ParquetFooter.Int64Range> startTimes, boolean current) {
        boolean mayHold(long fromMicros, long toMicros) {
            return startTimes.map(r -> r.overlaps(fromMicros, toMicros)).orElse(true);
        }
    }

    /** A footer that could not be read: the file may hold anything and is bound by name. */
    private static final Facts UNKNOWN = new Facts(-1, -1, Optional.empty(), false);

    private final String timeColumn;
    private final Map<Path, Map<Path, Facts>> byDay = new HashMap<>();
    /** Footers read so far (tests: the binary search reads few). */
    private long footersRead;

    /**
     * @param timeColumn the INT64 timestamp column whose statistics place a file in time: {@code start_time}
     *                   for calls files, {@code first_seen} for text table files
     */
    LookupFiles(String timeColumn) {
        this.timeColumn = timeColumn;
    }

    /**
     * Of {@code dayFiles} (all of one {@code date=} directory, as listed), those to read first for a call that
     * started in {@code [fromMicros, toMicros)}: per run of files in queue order, the one a binary search over
     * the run finds holding the time (none when no file of the run may), or the file met on the way whose
     * footer says nothing. In their listed order.
     */
    Selection likely(List<Path> dayFiles, long fromMicros, long toMicros) {
        Map<Path, Facts> known = day(dayFiles);
        Set<Path> chosen = new HashSet<>();
        for (List<Path> run : runs(dayFiles)) {
            int lo = 0;
            int hi = run.size() - 1;
            while (lo <= hi) {
                int mid = (lo + hi) >>> 1;
                Facts f = facts(known, run.get(mid));
                ParquetFooter.Int64Range r = f.startTimes().orElse(null);
                if (r == null || r.overlaps(fromMicros, toMicros)) {
                    chosen.add(run.get(mid));
                    break;
                }
                if (toMicros <= r.min()) {
                    hi = mid - 1;
                } else {
                    lo = mid + 1;
                }
            }
        }
        return selection(dayFiles, known, chosen::contains);
    }

    /**
     * Of {@code dayFiles}, every file not in {@code exclude} whose {@code start_time} range may hold a time in
     * {@code [fromMicros, toMicros)} (every footer read), in their listed order.
     */
    Selection rest(List<Path> dayFiles, long fromMicros, long toMicros, List<Path> exclude) {
        Map<Path, Facts> known = day(dayFiles);
        Set<Path> skip = new HashSet<>(exclude);
        return selection(dayFiles, known, p -> !skip.contains(p) && facts(known, p).mayHold(fromMicros, toMicros));
    }

    private Selection selection(List<Path> dayFiles, Map<Path, Facts> known, java.util.function.Predicate<Path> take) {
        List<Path> out = new ArrayList<>();
        boolean allCurrent = true;
        for (Path p : dayFiles) {
            if (take.test(p)) {
                out.add(p);
                allCurrent &= facts(known, p).current();
            }
        }
        return new Selection(out, allCurrent);
    }

    /** The remembered facts of the day of {@code dayFiles}, trimmed to them. */
    private Map<Path, Facts> day(List<Path> dayFiles) {
        if (dayFiles.isEmpty()) {
            return new HashMap<>();
        }
        Map<Path, Facts> known = byDay.computeIfAbsent(dayFiles.get(0).getParent(), d -> new HashMap<>());
        known.keySet().retainAll(new HashSet<>(dayFiles));
        return known;
    }

    /**
     * The day's files in runs written in queue order (each run sorted along it); a file whose name is not in
     * the layout is a run of its own.
     */
    static List<List<Path>> runs(List<Path> dayFiles) {
        Map<String, List<Path>> runs = new LinkedHashMap<>();
        Map<Path, Long> order = new HashMap<>();
        for (Path p : dayFiles) {
            String name = p.getFileName().toString();
            DatasetLayout.Name n = DatasetLayout.parse(name);
            String key;
            if (n != null) {
                key = n.host() + "_" + n.queueId() + "_s" + n.shard();
                order.put(p, n.first());
            } else if (DatasetLayout.isMerged(name) && mergedPart(name) >= 0) {
                key = name.substring(0, name.lastIndexOf("_p"));
                order.put(p, mergedPart(name));
            } else {
                key = "/" + name;
                order.put(p, 0L);
            }
            runs.computeIfAbsent(key, k -> new ArrayList<>()).add(p);
        }
        List<List<Path>> out = new ArrayList<>();
        for (List<Path> run : runs.values()) {
            run.sort(Comparator.comparing((Path p) -> order.get(p), Long::compareUnsigned));
            out.add(run);
        }
        return out;
    }

    long footersRead() {
        return footersRead;
    }

    /** The part number of a merged file's name; -1 when it does not fit a long (not a name the merge writes). */
    private static long mergedPart(String name) {
        try {
            return Long.parseLong(name.substring(name.lastIndexOf("_p") + 2, name.length() - DatasetLayout.PARQUET.length()));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** The facts of {@code f}: remembered when the file is unchanged, else read now; UNKNOWN when unreadable. */
    private Facts facts(Map<Path, Facts> known, Path f) {
        Facts cached = known.get(f);
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(f, BasicFileAttributes.class);
        } catch (IOException e) {
            known.remove(f);
            return UNKNOWN;
        }
        long modified = a.lastModifiedTime().toMillis();
        if (cached != null && cached.size() == a.size() && cached.modifiedMillis() == modified) {
            return cached;
        }
        Facts read;
        footersRead++;
        try {
            ParquetFooter footer = ParquetFooter.read(f);
            Map<String, String> kv = footer.keyValueMetadata();
            boolean current = LAYOUT.equals(kv.get(DatasetSchema.KEY_LAYOUT_VERSION)) && SCHEMA.equals(kv.get(DatasetSchema.KEY_SCHEMA_VERSION));
            read = new Facts(a.size(), modified, footer.int64Range(timeColumn), current);
        } catch (IOException e) {
            known.remove(f);
            return UNKNOWN;
        }
        known.put(f, read);
        return read;
    }
}
