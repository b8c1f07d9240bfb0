package io.promptlog.writer;

import java.io.File;
import java.io.IOException;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The {@link ChainGuard}s of one {@link ShardCursor} (the few cycles read most recently), and the cycles in
 * which the cursor met damage: their chains are not walked by Chronicle, and their records are never looked up
 * through it. A chain that cannot be checked (its file cannot be read) is left to Chronicle, whose faults are
 * then contained as they come.
 */
final class ChainGuards implements AutoCloseable {
    private static final int MAX_GUARDS = 4;

    private final ShardFiles files;
    private final Set<Integer> damaged = new HashSet<>();
    private final Map<Integer, ChainGuard> guards = new LinkedHashMap<>(8, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Integer, ChainGuard> eldest) {
            if (size() <= MAX_GUARDS) {
                return false;
            }
            closeQuietly(eldest.getValue());
            return true;
        }
    };

    ChainGuards(ShardFiles files) {
        this.files = files;
    }

    /** Whether Chronicle may read cycle {@code c} on from the document boundary {@code pos}. */
    boolean safeFrom(int c, long pos) {
        ChainGuard g = guard(c);
        try {
            if (g == null || g.safeFrom(pos)) {
                return true;
            }
        } catch (IOException e) {
            return true;
        }
        damaged.add(c);
        return false;
    }

    /** Whether every header written in cycle {@code c} so far is sound (what Chronicle's index scans walk). */
    boolean soundToEnd(int c) {
        ChainGuard g = guard(c);
        try {
            if (g == null || g.soundToEnd()) {
                return true;
            }
        } catch (IOException e) {
            return true;
        }
        damaged.add(c);
        return false;
    }

    /** Whether cycle {@code c} is closed with no record at or after {@code pos}: a reader goes on in the next cycle. */
    boolean exhausted(int c, long pos) {
        ChainGuard g = guards.get(c);
        return g != null && g.closed() && g.noRecordFrom(pos);
    }

    void damaged(int c) {
        damaged.add(c);
    }

    boolean isDamaged(int c) {
        return damaged.contains(c);
    }

    private ChainGuard guard(int c) {
        ChainGuard g = guards.get(c);
        if (g == null) {
            File f = files.cycleFile(c);
            if (f == null) {
                return null;
            }
            try {
                g = new ChainGuard(c, f.toPath());
            } catch (IOException e) {
                return null;
            }
            guards.put(c, g);
        }
        return g;
    }

    private static void closeQuietly(ChainGuard g) {
        try {
            g.close();
        } catch (IOException ignored) {
            // read-only channel
        }
    }

    @Override
    public void close() {
        guards.values().forEach(ChainGuards::closeQuietly);
        guards.clear();
    }
}
