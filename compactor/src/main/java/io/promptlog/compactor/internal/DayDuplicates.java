package io.promptlog.compactor.internal;

import io.promptlog.format.DatasetSchema;
import io.promptlog.writer.CallField;
import org.apache.parquet.example.data.Group;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code call_id}s held more than once in a day, found with 8 bytes a row (a 64-bit hash per row,
 * sorted); only ids whose hash repeats are then kept as strings, with the row that stays. A row in a file
 * not merged stays (the merge cannot drop it); else, among the sources, the first row met (sources in
 * start order) whose status is not {@code incomplete}, else the first row met: a late completion of a
 * two-phase call ({@link LateCompletions}) stored next to the incomplete row it replaces wins, even when
 * the incomplete row's file starts earlier.
 */
final class DayDuplicates {
    private final Set<Long> repeatedHashes = new HashSet<>();
    /** Repeated id -> the row kept: {source index, occurrence of the id in that source}; absent from sources: -1. */
    private final Map<String, int[]> kept = new HashMap<>();
    /** Occurrences met so far in the source being read, of the repeated ids. */
    private final Map<String, Integer> metInSource = new HashMap<>();
    private int source = -1;
    long dropped;

    static DayDuplicates find(List<Path> sources, List<Path> others) throws IOException {
        long[][] buf = {new long[1024]};
        int[] n = {0};
        List<Path> all = new ArrayList<>(others);
        all.addAll(sources);
        for (Path f : all) {
            ParquetRewrite.forEachRow(f, List.of(DatasetSchema.CALL_ID), g -> {
                String id = Erasure.string(g, DatasetSchema.CALL_ID);
                if (id != null) {
                    if (n[0] == buf[0].length) {
                        buf[0] = Arrays.copyOf(buf[0], n[0] * 2);
                    }
                    buf[0][n[0]++] = hash(id);
                }
            });
        }
        long[] h = Arrays.copyOf(buf[0], n[0]);
        Arrays.sort(h);
        DayDuplicates d = new DayDuplicates();
        for (int i = 1; i < h.length; i++) {
            if (h[i] == h[i - 1]) {
                d.repeatedHashes.add(h[i]);
            }
        }
        if (d.repeatedHashes.isEmpty()) {
            return d;
        }
        for (Path f : others) {
            ParquetRewrite.forEachRow(f, List.of(DatasetSchema.CALL_ID), g -> {
                String id = d.repeatedId(g);
                if (id != null) {
                    d.kept.put(id, new int[] {-1, 0});
                }
            });
        }
        Map<String, Boolean> keptComplete = new HashMap<>();
        for (int i = 0; i < sources.size(); i++) {
            int source = i;
            Map<String, Integer> met = new HashMap<>();
            ParquetRewrite.forEachRow(sources.get(i), List.of(DatasetSchema.CALL_ID, CallField.STATUS.column()), g -> {
                String id = d.repeatedId(g);
                if (id == null) {
                    return;
                }
                int occurrence = met.merge(id, 1, Integer::sum) - 1;
                int[] k = d.kept.get(id);
                if (k != null && k[0] < 0) {
                    return; // a file not merged holds it
                }
                boolean complete = !CallField.STATUS_INCOMPLETE.equals(Erasure.string(g, CallField.STATUS.column()));
                if (k == null || (complete && !keptComplete.get(id))) {
                    d.kept.put(id, new int[] {source, occurrence});
                    keptComplete.put(id, complete);
                }
            });
        }
        return d;
    }

    /** The row's call_id when its hash repeats in the day, else null. */
    private String repeatedId(Group g) {
        String id = Erasure.string(g, DatasetSchema.CALL_ID);
        return id == null || !repeatedHashes.contains(hash(id)) ? null : id;
    }

    /** False for a row of source {@code sourceIndex} (read in order) whose call_id is kept in another row. */
    boolean keep(int sourceIndex, Group g) {
        if (repeatedHashes.isEmpty()) {
            return true;
        }
        if (sourceIndex != source) {
            source = sourceIndex;
            metInSource.clear();
        }
        String id = repeatedId(g);
        int[] k = id == null ? null : kept.get(id);
        if (k == null) {
            return true;
        }
        int occurrence = metInSource.merge(id, 1, Integer::sum) - 1;
        if (k[0] == sourceIndex && k[1] == occurrence) {
            return true;
        }
        dropped++;
        return false;
    }

    static long hash(String s) {
        long h = 0x9E3779B97F4A7C15L;
        for (int i = 0; i < s.length(); i++) {
            h = (h ^ s.charAt(i)) * 0x100000001B3L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        return h;
    }
}
