package io.promptlog.writer.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One thread's append counters. Written only by the owning thread (opaque stores: no lock, no
 * contended cache line), read by any thread through {@code PromptLog.stats()}, which sums all of them.
 */
public final class Counters {
    public static final int APPENDED = 0;
    public static final int APPENDED_BYTES = 1;
    public static final int TRUNCATED = 2;
    public static final int DROPPED_CLOSED = 3;
    public static final int DROPPED_UNAVAILABLE = 4;
    public static final int DROPPED_IO_ERROR = 5;
    public static final int DROPPED_TOO_LARGE = 6;
    public static final int DROPPED_ERROR = 7;
    public static final int REJECTED_FIELDS = 8;
    public static final int ABANDONED = 9;
    public static final int REJECTED_HANDLES = 10;
    public static final int COUNT = 11;

    private static final VarHandle SLOTS = MethodHandles.arrayElementVarHandle(long[].class);
    // padded on both sides so two threads' counters never share a cache line
    private final long[] slots = new long[COUNT + 16];
    /** The thread that writes these counters; weak, so a registry entry never keeps a thread alive. */
    private final java.lang.ref.WeakReference<Thread> owner;

    public Counters() {
        this(null);
    }

    public Counters(Thread owner) {
        this.owner = owner == null ? null : new java.lang.ref.WeakReference<>(owner);
    }

    /** True once the owning thread has ended (or was collected): no more writes can come. */
    public boolean ownerEnded() {
        if (owner == null) {
            return false;
        }
        Thread t = owner.get();
        return t == null || !t.isAlive();
    }

    public void add(int counter, long delta) {
        int i = counter + 8;
        SLOTS.setOpaque(slots, i, (long) SLOTS.getOpaque(slots, i) + delta);
    }

    public void increment(int counter) {
        add(counter, 1);
    }

    public long get(int counter) {
        return (long) SLOTS.getOpaque(slots, counter + 8);
    }
}
