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
 *
 * <p>A guard holds a read-only descriptor on its cycle file. Guards of cycles before the newest one a cursor
 * has reached are closed as soon as it reaches it: the compactor deletes a cycle file once its cursor is past
 * it, and a descriptor kept on a deleted file keeps its disk blocks (found by {@code SoakTest}: three deleted
 * cycle files held per shard). Released on the first record read in a newer cycle, not when a newer cycle is
 * merely looked at: a cursor waiting at the end of a closed cycle for the first record of the next one would
 * otherwise reopen and re-walk its cycle on every poll. A cursor moved back to an older cycle opens a new
 * guard for it.
 */
final class ChainGuards implements AutoCloseable {
    private static final int MAX_GUARDS = 4;

    private final ShardFiles files;
    private final Set<Integer> damaged = new HashSet<>();
    /** The newest cycle the cursor has read a record in. */
    private int newest = Integer.MIN_VALUE;
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

    /** The cursor read a record in cycle {@code c}: on the first in a newer cycle, the older cycles' guards are closed. */
    void readIn(int c) {
        if (c > newest) {
            newest = c;
            if (guards.size() > 1) {
                releaseBefore(c);
            }
        }
    }

    /** Closes the guards of cycles before {@code c}: a cursor that read a record in {@code c} has left them. */
    private void releaseBefore(int c) {
        var it = guards.entrySet().iterator();
        while (it.hasNext()) {
            var e = it.next();
            if (e.getKey() < c) {
                closeQuietly(e.getValue());
                it.remove();
            }
        }
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
