package io.promptlog.compactor.internal;

import io.promptlog.format.DerivedValues;
import io.promptlog.format.DatasetSchema;
import io.promptlog.format.DatasetLayout;
import io.promptlog.writer.PrivateFiles;
import io.promptlog.writer.CallField;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Commits one batch, in the order exactly-once needs:
 * <ol>
 * <li>the calls, one temp file per UTC date, written and fsynced;</li>
 * <li>under the dataset-wide texts lock ({@link DatasetLock#texts}): the texts the rows use that no text file
 * holds (new system prompts, then new tool definitions, and any text another compactor's erasure removed
 * since the batch found it stored): temp file, fsync, rename, fsync directory; then each calls file renamed
 * into {@code calls/date=.../}; each file's footer names the batch's index range and all its dates;</li>
 * <li>the incomplete rows that the batch's late completions replace are dropped ({@link LateCompletions});</li>
 * <li>the checkpoint.</li>
 * </ol>
 * A crash before the first calls rename leaves nothing of the batch visible except texts, which the
 * redo finds already stored. A crash between calls renames leaves a partial batch that the next start
 * completes (see {@link Recovery}); a crash before the checkpoint is covered by the file names.
 *
 * <p>Why the calls renames are under the texts lock too: an erasure removes the texts only its erased calls
 * use, under the same lock, after a last look at the calls files committed by then ({@link Erasure}). So a
 * call becomes visible either before that look (its text is kept) or after the removal, when this commit's
 * refresh sees the texts epoch moved and stores the text again: never with a text that is gone. A batch
 * with no new text, committed while the epoch has not moved, reads one small file under the lock (the epoch),
 * not the text directory.
 *
 * <p>A call whose call_id the dataset already holds on its date, or that the batch holds twice, is left
 * out (see {@link CallIdIndex}); a date whose calls are all left out still gets its (empty) file, so the
 * batch's files match its {@link DatasetSchema#KEY_BATCH_DATES} entry and recovery stays exact.
 */
final class BatchCommitter {
    private final Path data;
    private final String host;
    private final String queueId;
    private final int zstdLevel;
    private final long rowGroupBytes;
    private final KnownTexts knownPrompts;
    private final KnownTexts knownTools;
    private final StatsCounters stats;
    private final CallIdIndex callIds;
    private final LateCompletions late;

    BatchCommitter(Path data, String host, String queueId, int zstdLevel, long rowGroupBytes,
                   KnownTexts knownPrompts, KnownTexts knownTools, StatsCounters stats, LateCompletions late) {
        this.data = data;
        this.host = host;
        this.queueId = queueId;
        this.zstdLevel = zstdLevel;
        this.rowGroupBytes = rowGroupBytes;
        this.knownPrompts = knownPrompts;
        this.knownTools = knownTools;
        this.stats = stats;
        this.callIds = new CallIdIndex(data);
        this.late = late;
    }

    /**
     * Writes the batch's files. {@code onlyDates} non-null: write only the calls files of those dates
     * (completing a partial batch). Returns the bytes written.
     */
    long commit(Batch b, Set<LocalDate> onlyDates) throws IOException {
        String name = DatasetLayout.batchName(host, queueId, b.shard, b.first, b.last);
        long bytes = 0;
        List<Path[]> renames = new ArrayList<>();
        List<Map.Entry<LocalDate, List<CompactedCall>>> written = new ArrayList<>();
        try {
            if (!b.rows.isEmpty()) {
                bytes += writeCalls(b, name, onlyDates, renames, written);
            }
            try (DatasetLock l = DatasetLock.texts(data)) {
                bytes += commitTexts(b, name, DatasetSchema.SYSTEM_PROMPTS, b.newPrompts, b.storedPrompts, knownPrompts,
                        stats.systemPromptsWritten);
                bytes += commitTexts(b, name, DatasetSchema.TOOL_DEFINITIONS, b.newTools, b.storedTools, knownTools,
                        stats.toolDefinitionsWritten);
                for (int i = 0; i < renames.size(); i++) {
                    Path[] r = renames.get(i);
                    Durable.rename(r[0], r[1]);
                    callIds.committed(written.get(i).getKey(), r[1], written.get(i).getValue());
                    CrashPoints.reached(CrashPoints.RENAMED);
                    Durable.fsyncDirectory(r[1].getParent());
                    stats.filesWritten.incrementAndGet();
                }
            }
        } catch (IOException | RuntimeException e) {
            for (Path[] r : renames) {
                Files.deleteIfExists(r[0]); // the temps not renamed yet
            }
            throw e;
        }
        if (b.rows.isEmpty()) {
            return bytes;
        }
        CrashPoints.reached(CrashPoints.BATCH_RENAMED);
        // the late completions are in: drop the incomplete rows they replace (redone by Recovery after a crash)
        late.dropIncomplete(b.superseded.values());
        return bytes;
    }

    /** Writes (and fsyncs) the batch's calls temp files, one per date; notes each temp and its target in renames. */
    private long writeCalls(Batch b, String name, Set<LocalDate> onlyDates, List<Path[]> renames,
                            List<Map.Entry<LocalDate, List<CompactedCall>>> written) throws IOException {
        TreeMap<LocalDate, List<CompactedCall>> byDate = new TreeMap<>();
        for (CompactedCall r : b.rows) {
            byDate.computeIfAbsent(DerivedValues.date(r.call().startTimeMicros()), d -> new ArrayList<>()).add(r);
        }
        Map<String, String> meta = metadata(b);
        meta.put(DatasetSchema.KEY_BATCH_DATES,
                byDate.keySet().stream().map(LocalDate::toString).collect(Collectors.joining(",")));
        b.keepSupersededWithRows();
        if (!b.superseded.isEmpty()) {
            meta.put(LateCompletions.FOOTER_KEY, LateCompletions.render(b.superseded.values()));
        }
        java.util.Set<String> replacing = b.supersededCallIds();
        long bytes = 0;
        for (Map.Entry<LocalDate, List<CompactedCall>> e : byDate.entrySet()) {
            if (onlyDates != null && !onlyDates.contains(e.getKey())) {
                continue;
            }
            Path dir = DatasetLayout.dateDir(data, e.getKey());
            if (!Files.isDirectory(dir)) {
                PrivateFiles.createDirectories(dir);
                Durable.fsyncDirectory(dir.getParent());
            }
            Path target = dir.resolve(name + DatasetLayout.PARQUET);
            Path tmp = DatasetLayout.tempFor(target);
            List<CompactedCall> rows = e.getValue();
            // in queue order, so the first copy of a call wins; then by start time, as files are sorted
            stats.duplicatesDropped.addAndGet(callIds.dropKnown(e.getKey(), rows, replacing));
            rows.sort(Comparator.comparingLong(CompactedCall::startMicros));
            renames.add(new Path[] {tmp, target});
            written.add(e);
            ParquetFiles.writeCalls(tmp, rows, meta, zstdLevel, rowGroupBytes);
            bytes += Files.size(tmp);
            stats.callsWritten.addAndGet(rows.size());
        }
        return bytes;
    }

    /**
     * Stores the texts of one table the batch's rows use and no text file holds: its new ones, and those it
     * found stored but another compactor's erasure removed since. The caller holds the texts lock; a last
     * {@link KnownTexts#refresh()} under it also drops new texts another host stored meanwhile.
     */
    private long commitTexts(Batch b, String name, DatasetSchema.TextTable table, Map<String, TextEntry> fresh,
                             Map<String, TextEntry> stored, KnownTexts known,
                             java.util.concurrent.atomic.AtomicLong written) throws IOException {
        if (fresh.isEmpty() && (stored.isEmpty() || known.epochUnchanged())) {
            return 0; // no new text, and no erasure since the batch found its texts stored: one small file read
        }
        known.refreshHoldingTextsLock();
        Map<String, TextEntry> entries = new java.util.LinkedHashMap<>();
        for (TextEntry e : fresh.values()) {
            if (!known.contains(e.hash())) {
                entries.put(e.hash(), e);
            }
        }
        for (TextEntry e : stored.values()) {
            if (!known.contains(e.hash())) {
                entries.putIfAbsent(e.hash(), e); // erased elsewhere since the batch found it (an expected event: no note)
            }
        }
        if (entries.isEmpty()) {
            return 0;
        }
        Path dir = DatasetLayout.textDir(data, table);
        PrivateFiles.createDirectories(dir);
        Path target = dir.resolve(name + DatasetLayout.PARQUET);
        Path tmp = DatasetLayout.tempFor(target);
        Map<String, String> meta = metadata(b);
        List<TextEntry> rows = new ArrayList<>(entries.values());
        try {
            ParquetFiles.writeTexts(tmp, table, rows, meta, zstdLevel);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        long size = Files.size(tmp);
        Durable.rename(tmp, target);
        CrashPoints.reached(CrashPoints.RENAMED);
        Durable.fsyncDirectory(dir);
        known.committed(target, entries.keySet());
        stats.filesWritten.incrementAndGet();
        written.addAndGet(rows.size());
        return size;
    }

    private Map<String, String> metadata(Batch b) {
        Map<String, String> m = new HashMap<>();
        m.put(DatasetSchema.KEY_LAYOUT_VERSION, Integer.toString(DatasetSchema.VERSION));
        m.put(DatasetSchema.KEY_SCHEMA_VERSION, Integer.toString(CallField.SCHEMA_VERSION));
        m.put(DatasetSchema.KEY_QUEUE_ID, queueId);
        m.put(DatasetSchema.KEY_HOST, host);
        m.put(DatasetSchema.KEY_SHARD, Integer.toString(b.shard));
        m.put(DatasetSchema.KEY_FIRST_INDEX, Long.toString(b.first));
        m.put(DatasetSchema.KEY_LAST_INDEX, Long.toString(b.last));
        return m;
    }
}
