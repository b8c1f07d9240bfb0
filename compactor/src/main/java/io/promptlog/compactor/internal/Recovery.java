package io.promptlog.compactor.internal;

import io.promptlog.format.DatasetSchema;
import io.promptlog.format.DatasetLayout;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What a starting compactor finds in the dataset for its queue: it deletes its own leftover temporary
 * files, takes the committed index per shard as the maximum of the checkpoint and the index ranges in
 * the names of its calls files (a crash between the renames and the checkpoint loses nothing and
 * duplicates nothing), and lists batches whose calls files are not all there (a crash between two
 * renames of one batch), read from the {@link DatasetSchema#KEY_BATCH_DATES} footer entry. Merged files
 * carry the last index of the batches they replaced ({@link DayMerger#KEY_MERGED_BATCHES}).
 */
final class Recovery {
    /** A batch with some of its calls files missing. */
    record PartialBatch(int shard, long first, long last, Set<LocalDate> missingDates) {
    }

    final Map<Integer, Long> committed = new TreeMap<>();
    final List<PartialBatch> partial = new ArrayList<>();
    /** Incomplete rows that batches beyond the checkpoint replace: the drop may not have happened (see {@link LateCompletions}). */
    final List<LateCompletions.Superseded> superseded = new ArrayList<>();
    int tempFilesDeleted;

    private Recovery() {
    }

    static Recovery scan(Path data, String queueId, Map<Integer, Long> checkpoint) throws IOException {
        Recovery r = new Recovery();
        r.committed.putAll(checkpoint);
        r.deleteTemps(DatasetLayout.textDir(data, DatasetSchema.SYSTEM_PROMPTS), queueId);
        r.deleteTemps(DatasetLayout.textDir(data, DatasetSchema.TOOL_DEFINITIONS), queueId);
        Path calls = DatasetLayout.callsDir(data);
        if (!Files.isDirectory(calls)) {
            return r;
        }
        // (shard, first, last) -> dates present, and one file to read the footer of
        Map<DatasetLayout.Name, Set<LocalDate>> present = new HashMap<>();
        Map<DatasetLayout.Name, Path> sample = new HashMap<>();
        try (DirectoryStream<Path> dates = Files.newDirectoryStream(calls, DatasetLayout.DATE_PREFIX + "*")) {
            for (Path dateDir : dates) {
                if (!Files.isDirectory(dateDir)) {
                    continue;
                }
                LocalDate date;
                try {
                    date = LocalDate.parse(dateDir.getFileName().toString().substring(DatasetLayout.DATE_PREFIX.length()));
                } catch (RuntimeException e) {
                    continue;
                }
                try (DirectoryStream<Path> files = Files.newDirectoryStream(dateDir)) {
                    for (Path f : files) {
                        String n = f.getFileName().toString();
                        if (DatasetLayout.isTempOf(n, queueId)) {
                            Files.deleteIfExists(f);
                            r.tempFilesDeleted++;
                            continue;
                        }
                        if (DatasetLayout.isMerged(n)) {
                            // merged batches: their last indexes are in the footer, committed long ago
                            DayMerger.parseMergedBatches(ParquetFiles.footerMetadata(f).get(DayMerger.KEY_MERGED_BATCHES))
                                    .forEach((k, v) -> {
                                        if (k.startsWith(queueId + "/")) {
                                            r.committed.merge(Integer.parseInt(k.substring(queueId.length() + 1)), v, Math::max);
                                        }
                                    });
                            continue;
                        }
                        DatasetLayout.Name name = DatasetLayout.parse(n);
                        if (name == null || !name.queueId().equals(queueId)) {
                            continue;
                        }
                        DatasetLayout.Name key = new DatasetLayout.Name("", queueId, name.shard(), name.first(), name.last());
                        present.computeIfAbsent(key, k -> new HashSet<>()).add(date);
                        sample.putIfAbsent(key, f);
                        r.committed.merge(name.shard(), name.last(), Math::max);
                    }
                }
            }
        }
        for (Map.Entry<DatasetLayout.Name, Set<LocalDate>> e : present.entrySet()) {
            DatasetLayout.Name k = e.getKey();
            if (k.last() <= checkpoint.getOrDefault(k.shard(), -1L)) {
                continue; // the checkpoint is written only after every file of a batch is in place
            }
            Map<String, String> footer = ParquetFiles.footerMetadata(sample.get(k));
            r.superseded.addAll(LateCompletions.parse(footer.get(LateCompletions.FOOTER_KEY)));
            String dates = footer.get(DatasetSchema.KEY_BATCH_DATES);
            if (dates == null) {
                throw new IOException(sample.get(k) + " has no " + DatasetSchema.KEY_BATCH_DATES + " footer entry");
            }
            Set<LocalDate> missing = new HashSet<>();
            for (String d : dates.split(",")) {
                LocalDate date = LocalDate.parse(d);
                if (!e.getValue().contains(date)) {
                    missing.add(date);
                }
            }
            if (!missing.isEmpty()) {
                r.partial.add(new PartialBatch(k.shard(), k.first(), k.last(), missing));
            }
        }
        return r;
    }

    private void deleteTemps(Path dir, String queueId) throws IOException {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, ".*")) {
            for (Path f : s) {
                if (DatasetLayout.isTempOf(f.getFileName().toString(), queueId)) {
                    Files.deleteIfExists(f);
                    tempFilesDeleted++;
                }
            }
        }
    }
}
