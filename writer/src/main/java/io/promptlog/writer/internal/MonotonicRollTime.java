package io.promptlog.writer.internal;

import net.openhft.chronicle.core.time.TimeProvider;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The time a writer's shard queue rolls by: the clock's, except that it never goes back, neither while the
 * log is open nor below the start of the newest cycle already in the queue when it opens ({@link #atLeast}).
 *
 * <p>Why: Chronicle picks the cycle file of an append from this time. When the system clock steps back
 * across a roll boundary (an NTP step, a VM resumed from a snapshot, a clock set by hand), Chronicle either
 * appends to a cycle it has already closed, which fails ({@code WriteAfterEOFException}: every call
 * dropped until the clock is past the boundary again), or creates a cycle file older than the newest
 * one, whose records have lower indexes than records already written: a compactor or follower past that
 * point never reads them. Held at the newest cycle instead, records go on in index order and the queue
 * rolls once the clock passes the next boundary.
 *
 * <p>A clock set far ahead and then corrected keeps the queue in that future cycle until the clock reaches
 * it again (the queue does not roll, and its retention waits with it); nothing is lost.
 *
 * <p>One compare-and-set at most per call, no allocation: it is asked on every append.
 */
public final class MonotonicRollTime implements TimeProvider {
    private final LongSupplier clockMillis;
    private final AtomicLong floorMillis = new AtomicLong(Long.MIN_VALUE);

    public MonotonicRollTime(LongSupplier clockMillis) {
        this.clockMillis = clockMillis;
    }

    @Override
    public long currentTimeMillis() {
        long now = clockMillis.getAsLong();
        long floor = floorMillis.get();
        if (now <= floor) {
            return floor;
        }
        floorMillis.accumulateAndGet(now, Math::max);
        return now;
    }

    /** Raises the floor to {@code millis} (the start of the newest cycle in the queue) if it is lower. */
    public void atLeast(long millis) {
        floorMillis.accumulateAndGet(millis, Math::max);
    }
}
