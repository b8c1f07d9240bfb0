package io.promptlog.compactor.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The rows of one contiguous index range of one shard, and the texts they introduce. */
public final class Batch {
    /** Rough heap bytes of a row beyond its retained text. */
    static final long ROW_OVERHEAD_BYTES = 1024;

    final int shard;
    long first = -1;
    long last = -1;
    final List<CompactedCall> rows = new ArrayList<>();
    /** The queue index each row stands at (parallel to {@link #rows}; a joined call stands at its request half). */
    final List<Long> rowIndexes = new ArrayList<>();
    /** Request halves of two-phase calls read in this batch and not joined yet, by queue index. */
    final java.util.TreeMap<Long, HalfJoiner.Pending> pending = new java.util.TreeMap<>();
    long estimatedBytes;
    long corrupt;
    final Map<String, TextEntry> newPrompts = new LinkedHashMap<>();
    final Map<String, TextEntry> newTools = new LinkedHashMap<>();

    Batch(int shard) {
        this.shard = shard;
    }

    void include(long index) {
        if (first < 0) {
            first = index;
        }
        last = index;
    }

    boolean hasRange() {
        return last >= 0;
    }

    void add(CompactedCall row, long index, long retainedChars) {
        rows.add(row);
        rowIndexes.add(index);
        estimatedBytes += ROW_OVERHEAD_BYTES + 2 * retainedChars;
    }

    /** Ends the batch just before {@code index}: drops the rows standing at it or later. */
    void cutBefore(long index) {
        for (int i = rows.size() - 1; i >= 0; i--) {
            if (rowIndexes.get(i) >= index) {
                rows.remove(i);
                rowIndexes.remove(i);
            }
        }
        pending.tailMap(index, true).clear();
        if (index <= first) {
            first = -1;
            last = -1;
        } else {
            last = index - 1;
        }
    }
}
