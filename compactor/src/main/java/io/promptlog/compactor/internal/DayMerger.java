package io.promptlog.compactor.internal;

import io.promptlog.format.CallsFileListing;
import io.promptlog.format.Checkpoint;
import io.promptlog.format.DatasetLayout;
import io.promptlog.format.DatasetSchema;
import io.promptlog.format.MergeJournal;
import io.promptlog.writer.CallField;
import org.apache.parquet.column.statistics.Statistics;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.schema.MessageType;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Merges a closed day's small calls files into a few large ones, exactly once: the layout, what "closed"
 * means, what is merged and the commit protocol are described once, in {@link DatasetLayout}. The caller
 * holds the merge lock ({@link DatasetLock#merge}). Every step is announced to a progress consumer (the CLI prints them; the
 * crash tests stop a child JVM at one and kill it). This class plans a day (its sources, rows per group) and runs the
 * journal's protocol; {@link DayDuplicates} chooses the one row kept per {@code call_id} and {@link MergedFileWriter}
 * writes the merged files.
 */
final class DayMerger {
    static final String KEY_MERGED_FROM = "promptlog.merged_from";
    static final String KEY_MERGE_SEQ = "promptlog.merge_seq";
    /**
     * The last queue index of the batches merged, per queue and shard: {@code <queue-id>/<shard>=<index>,...};
     * a compactor whose checkpoint is lost rebuilds it from these and the batch file names ({@link Recovery}).
     */
    static final String KEY_MERGED_BATCHES = "promptlog.merged_batches";
    /** Rows sorted at a time, at most (bounds the memory a merge takes whatever the day's size)... */
    static final int MAX_SORT_ROWS = 50_000;
    /** ...and at most this many uncompressed bytes of them (rows with full text are large). */
    static final long MAX_SORT_BYTES = 8L * 1024 * 1024;

    private final Path data;
    private final int zstdLevel;
    private final long fileBytes;
    private final long rowGroupBytes;
    private final Duration grace;
    private final Clock clock;

    DayMerger(Path data, int zstdLevel, long fileBytes, long rowGroupBytes, Duration grace, Clock clock) {
        this.data = data;
        this.zstdLevel = zstdLevel;
        this.fileBytes = fileBytes;
        this.rowGroupBytes = rowGroupBytes;
        this.grace = grace;
        this.clock = clock;
    }

    /** What one day's merge did. */
    record Outcome(LocalDate day, int sourcesMerged, int filesWritten, long rows, long duplicatesDropped,
                   long bytesBefore, long bytesAfter) {
    }

    /**
     * Finishes the merges a crash interrupted: a committed journal is rolled forward, a prepared one rolled
     * back; then removes merge temp files no journal accounts for. Returns the journals handled.
     */
    int recover(Consumer<String> progress) throws IOException {
        int handled = 0;
        for (MergeJournal j : CallsFileListing.journals(data)) {
            Path dir = DatasetLayout.dateDir(data, j.date());
            if (j.committed()) {
                Durable.bumpEpoch(DatasetLayout.mergeEpochFile(data));
                deleteSources(dir, j, progress);
                progress.accept("recovered the merge of " + j.date() + ": finished (" + j.sources().size()
                        + " files into " + j.targets().size() + ")");
            } else {
                List<Path> gone = new ArrayList<>();
                if (Files.isDirectory(dir)) {
                    try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
                        for (Path f : s) {
                            String n = f.getFileName().toString();
                            String plain = n.startsWith(".") && n.endsWith(DatasetLayout.TMP_SUFFIX)
                                    ? n.substring(1, n.length() - DatasetLayout.TMP_SUFFIX.length()) : n;
                            if (j.isTarget(plain)) {
                                gone.add(f);
                            }
                        }
                    }
                }
                for (Path f : gone) {
                    Files.deleteIfExists(f);
                }
                Durable.fsyncDirectory(dir);
                progress.accept("recovered the merge of " + j.date() + ": rolled back (" + gone.size() + " partial files removed)");
            }
            Files.deleteIfExists(DatasetLayout.mergeJournal(data, j.date()));
            Durable.fsyncDirectory(DatasetLayout.metaDir(data));
            handled++;
        }
        deleteStaleTemps();
        return handled;
    }

    /** The closed days with at least two small files to merge, oldest first. */
    List<LocalDate> dueDays() throws IOException {
        Path calls = DatasetLayout.callsDir(data);
        List<LocalDate> out = new ArrayList<>();
        if (!Files.isDirectory(calls)) {
            return out;
        }
        Instant now = clock.instant();
        Map<String, Map<Integer, Long>> checkpoints = new HashMap<>();
        try (DirectoryStream<Path> dates = Files.newDirectoryStream(calls, DatasetLayout.DATE_PREFIX + "*")) {
            for (Path dir : dates) {
                LocalDate day = dayOf(dir);
                if (day == null || day.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant().plus(grace).isAfter(now)) {
                    continue;
                }
                List<Path> files = files(dir);
                int small = 0;
                boolean closed = true;
                for (Path f : files) {
                    DatasetLayout.Name n = DatasetLayout.parse(f.getFileName().toString());
                    if (n != null) {
                        Map<Integer, Long> cp = checkpoints.get(n.queueId());
                        if (cp == null) {
                            cp = Checkpoint.read(DatasetLayout.checkpointFile(data, n.queueId()));
                            checkpoints.put(n.queueId(), cp);
                        }
                        if (n.last() > cp.getOrDefault(n.shard(), -1L)) {
                            closed = false; // a batch not checkpointed yet: its compactor may still complete it
                            break;
                        }
                    }
                    if (Files.size(f) < fileBytes / 2) {
                        small++;
                    }
                }
                if (closed && small >= 2) {
                    out.add(day);
                }
            }
        }
        out.sort(null);
        return out;
    }

    /** A merge given up because its compactor is closing; the caller rolls it back ({@link #recover}). */
    static final class Cancelled extends IOException {
        Cancelled() {
            super("merge given up: the compactor is closing");
        }
    }

    /** Merges the small files of {@code day}; null when there are fewer than two to merge. */
    Outcome mergeDay(LocalDate day, Consumer<String> progress) throws IOException {
        return mergeDay(day, progress, () -> false);
    }

    /**
     * {@link #mergeDay(LocalDate, Consumer)}, giving up (throwing {@link Cancelled}, before the commit point)
     * as soon as {@code cancelled} says so: checked after each sorted run of rows.
     */
    Outcome mergeDay(LocalDate day, Consumer<String> progress, java.util.function.BooleanSupplier cancelled)
            throws IOException {
        Path dir = DatasetLayout.dateDir(data, day);
        List<Source> sources = new ArrayList<>();
        List<Path> others = new ArrayList<>();
        for (Path f : files(dir)) {
            Source s;
            try {
                s = Source.read(f);
            } catch (IOException | RuntimeException e) {
                // a damaged file is neither merged nor read: the reader sets it aside the same way
                progress.accept("skipping " + data.relativize(f) + ": its footer cannot be read (" + e.getMessage() + ")");
                continue;
            }
            if (s.size < fileBytes / 2 && s.schema.equals(DatasetSchema.CALLS_PARQUET)) {
                sources.add(s);
            } else {
                others.add(f);
            }
        }
        if (sources.size() < 2) {
            return null;
        }
        sources.sort(Comparator.comparingLong((Source s) -> s.minStart).thenComparing(s -> s.file.getFileName().toString()));
        DayDuplicates dups = DayDuplicates.find(sources.stream().map(Source::file).toList(), others);

        long totalRows = 0;
        long uncompressed = 0;
        long bytesBefore = 0;
        boolean allExpired = true;
        for (Source s : sources) {
            totalRows += s.rows;
            uncompressed += s.uncompressedBytes;
            bytesBefore += s.size;
            allExpired &= "true".equals(s.meta.get(Erasure.KEY_TEXT_EXPIRED));
        }
        long rowBytes = Math.max(1, uncompressed / Math.max(1, totalRows));
        long rowsPerGroup = Math.max(1, Math.min(totalRows, 2 * (rowGroupBytes / rowBytes)));
        int sortRows = (int) Math.max(1, Math.min(Math.min(rowsPerGroup, MAX_SORT_ROWS), MAX_SORT_BYTES / rowBytes));

        long seq = nextSeq(dir);
        MergeJournal prepared = new MergeJournal(day, seq, false,
                sources.stream().map(s -> s.file.getFileName().toString()).toList(), List.of());
        Path journal = DatasetLayout.mergeJournal(data, day);
        Durable.writeAtomically(journal, prepared.render());
        progress.accept("journal " + data.relativize(journal) + ": merging " + sources.size() + " files of " + day);

        Map<String, String> meta = new HashMap<>();
        meta.put(DatasetSchema.KEY_LAYOUT_VERSION, Integer.toString(DatasetSchema.VERSION));
        meta.put(DatasetSchema.KEY_SCHEMA_VERSION, Integer.toString(CallField.SCHEMA_VERSION));
        meta.put(KEY_MERGED_FROM, Integer.toString(sources.size()));
        meta.put(KEY_MERGE_SEQ, Long.toString(seq));
        if (allExpired) {
            meta.put(Erasure.KEY_TEXT_EXPIRED, "true");
        }
        meta.put(KEY_MERGED_BATCHES, mergedBatches(sources));
        MergedFileWriter out = new MergedFileWriter(dir, seq, meta, zstdLevel, rowGroupBytes, fileBytes, rowsPerGroup, progress);
        long rows = 0;
        try {
            List<Group> chunk = new ArrayList<>(sortRows);
            for (int i = 0; i < sources.size(); i++) {
                int sourceIndex = i;
                IOException[] failure = new IOException[1];
                ParquetRewrite.forEachRow(sources.get(i).file, List.of(), g -> {
                    if (failure[0] != null || !dups.keep(sourceIndex, g)) {
                        return;
                    }
                    chunk.add(g);
                    if (chunk.size() >= sortRows) {
                        try {
                            out.write(chunk);
                            if (cancelled.getAsBoolean()) {
                                failure[0] = new Cancelled();
                            }
                        } catch (IOException e) {
                            failure[0] = e;
                        }
                        chunk.clear();
                    }
                });
                if (failure[0] != null) {
                    throw failure[0];
                }
            }
            if (cancelled.getAsBoolean()) {
                throw new Cancelled();
            }
            out.write(chunk);
            rows = out.finish();
        } catch (IOException | RuntimeException e) {
            out.abandon();
            // the prepared journal stays: recovery (next pass or start) removes what was written
            throw e;
        }
        MergeJournal committed = prepared.committed(out.written);
        Durable.writeAtomically(journal, committed.render());
        progress.accept("committed the merge of " + day + " into " + out.written.size() + " file(s)");
        Durable.bumpEpoch(DatasetLayout.mergeEpochFile(data));
        deleteSources(dir, committed, progress);
        Files.deleteIfExists(journal);
        Durable.fsyncDirectory(DatasetLayout.metaDir(data));
        progress.accept("merged " + day + ": " + sources.size() + " files (" + bytesBefore + " bytes) into "
                + out.written.size() + " (" + out.bytes + " bytes), " + rows + " calls, " + dups.dropped + " duplicates dropped");
        return new Outcome(day, sources.size(), out.written.size(), rows, dups.dropped, bytesBefore, out.bytes);
    }

    /** {@link #KEY_MERGED_BATCHES} of the sources: from batch names, and from merged sources' own footers. */
    private static String mergedBatches(List<Source> sources) {
        Map<String, Long> last = new java.util.TreeMap<>();
        for (Source s : sources) {
            DatasetLayout.Name n = DatasetLayout.parse(s.file.getFileName().toString());
            if (n != null) {
                last.merge(n.queueId() + "/" + n.shard(), n.last(), Math::max);
            }
            parseMergedBatches(s.meta.get(KEY_MERGED_BATCHES)).forEach((k, v) -> last.merge(k, v, Math::max));
        }
        StringBuilder b = new StringBuilder();
        last.forEach((k, v) -> b.append(b.length() == 0 ? "" : ",").append(k).append('=').append(v));
        return b.toString();
    }

    /** {@code <queue-id>/<shard>} -> last index, from a {@link #KEY_MERGED_BATCHES} value (null: none). */
    static Map<String, Long> parseMergedBatches(String value) {
        Map<String, Long> out = new HashMap<>();
        if (value == null || value.isBlank()) {
            return out;
        }
        for (String e : value.split(",")) {
            int eq = e.indexOf('=');
            if (eq > 0) {
                try {
                    out.merge(e.substring(0, eq), Long.parseLong(e.substring(eq + 1)), Math::max);
                } catch (NumberFormatException ignored) {
                    // not ours to judge: the entry is skipped
                }
            }
        }
        return out;
    }

    private void deleteSources(Path dir, MergeJournal j, Consumer<String> progress) throws IOException {
        for (String s : j.sources()) {
            if (Files.deleteIfExists(dir.resolve(s))) {
                progress.accept("deleted " + s);
            }
        }
        Durable.fsyncDirectory(dir);
    }

    /** Above the epoch and every merged file's sequence number in the day (names never collide). */
    private long nextSeq(Path dir) throws IOException {
        long seq = CallsFileListing.readEpoch(data) + 1;
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, "*" + DatasetLayout.MERGED_PREFIX + "*")) {
            for (Path f : s) {
                String n = f.getFileName().toString();
                int at = n.indexOf(DatasetLayout.MERGED_PREFIX) + DatasetLayout.MERGED_PREFIX.length();
                try {
                    seq = Math.max(seq, Long.parseUnsignedLong(n.substring(at, at + 16), 16) + 1);
                } catch (RuntimeException e) {
                    // not one of ours
                }
            }
        }
        return seq;
    }

    /** Merge temp files no merge owns any more (the caller holds the lock and recovered every journal). */
    private void deleteStaleTemps() throws IOException {
        Path calls = DatasetLayout.callsDir(data);
        if (Files.isDirectory(calls)) {
            try (DirectoryStream<Path> dates = Files.newDirectoryStream(calls, DatasetLayout.DATE_PREFIX + "*")) {
                for (Path dir : dates) {
                    deleteMatching(dir, n -> n.startsWith("." + DatasetLayout.MERGED_PREFIX) && n.endsWith(DatasetLayout.TMP_SUFFIX));
                }
            }
        }
        deleteMatching(DatasetLayout.metaDir(data), n -> n.startsWith(".merge-") && n.endsWith(DatasetLayout.TMP_SUFFIX));
    }

    private static void deleteMatching(Path dir, Predicate<String> name) throws IOException {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, ".*")) {
            for (Path f : s) {
                if (name.test(f.getFileName().toString())) {
                    Files.deleteIfExists(f);
                }
            }
        }
    }

    private static LocalDate dayOf(Path dir) {
        if (!Files.isDirectory(dir)) {
            return null;
        }
        try {
            return LocalDate.parse(dir.getFileName().toString().substring(DatasetLayout.DATE_PREFIX.length()));
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /** The calls files of a day directory (hidden temp files excluded), sorted. */
    private static List<Path> files(Path dir) throws IOException {
        List<Path> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, "*" + DatasetLayout.PARQUET)) {
            for (Path f : s) {
                if (!f.getFileName().toString().startsWith(".") && Files.isRegularFile(f)) {
                    out.add(f);
                }
            }
        }
        out.sort(null);
        return out;
    }

    /** A source file's footer facts. */
    private record Source(Path file, long size, long rows, long uncompressedBytes, long minStart, MessageType schema,
                          Map<String, String> meta) {
        static Source read(Path f) throws IOException {
            try (ParquetFileReader r = ParquetRewrite.open(f)) {
                long rows = 0;
                long bytes = 0;
                long min = Long.MAX_VALUE;
                for (BlockMetaData b : r.getFooter().getBlocks()) {
                    rows += b.getRowCount();
                    bytes += b.getTotalByteSize();
                    for (ColumnChunkMetaData c : b.getColumns()) {
                        if (c.getPath().toDotString().equals(DatasetSchema.START_TIME)) {
                            Statistics<?> st = c.getStatistics();
                            if (st != null && st.hasNonNullValue() && st.genericGetMin() instanceof Long v) {
                                min = Math.min(min, v);
                            }
                        }
                    }
                }
                return new Source(f, Files.size(f), rows, bytes, min, r.getFooter().getFileMetaData().getSchema(),
                        r.getFooter().getFileMetaData().getKeyValueMetaData());
            }
        }
    }
}
