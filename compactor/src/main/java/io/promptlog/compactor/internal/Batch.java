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

    void add(CompactedCall row, long retainedChars) {
        rows.add(row);
        estimatedBytes += ROW_OVERHEAD_BYTES + 2 * retainedChars;
    }
}
