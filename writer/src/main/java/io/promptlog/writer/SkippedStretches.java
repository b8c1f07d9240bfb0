package io.promptlog.writer;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The damaged stretches one {@link ShardCursor} skipped: counted, and named (the first hundred kept). A
 * stretch walked again from the same position (after a late memory fault, the walk resumes from the last
 * record handed out) is counted once.
 */
final class SkippedStretches {
    private static final int MAX_KEPT = 100;

    private final List<CorruptStretch> kept = new ArrayList<>();
    /** File and byte range of every stretch counted since the cursor last moved. */
    private final Set<String> counted = new HashSet<>();
    private long count;
    private long bytes;

    /** The cursor moved: stretches met from here on count anew. */
    void moved() {
        counted.clear();
    }

    void add(CorruptStretch s) {
        if (!counted.add(s.file() + ":" + s.fromByte() + ":" + s.toByte())) {
            return; // walked again after a late memory fault: counted already
        }
        count++;
        bytes += s.bytes();
        if (kept.size() < MAX_KEPT) {
            kept.add(s);
        }
    }

    List<CorruptStretch> kept() {
        return Collections.unmodifiableList(kept);
    }

    long count() {
        return count;
    }

    long bytes() {
        return bytes;
    }
}
