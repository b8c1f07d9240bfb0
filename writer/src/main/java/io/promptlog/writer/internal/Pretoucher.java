package io.promptlog.writer.internal;

import net.openhft.chronicle.bytes.MappedBytes;
import net.openhft.chronicle.bytes.MappedBytesStore;
import net.openhft.chronicle.bytes.MappedFile;
import net.openhft.chronicle.core.io.ReferenceOwner;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueStore;

import java.util.concurrent.locks.LockSupport;

/**
 * Takes the page faults and the chunk mappings of the queue files off the logging threads.
 *
 * <p>Why: the first write to each 4 KB page of a memory-mapped file faults into the kernel, which
 * allocates the page and the file block. For a 4 KB record that is one fault per append, costing several
 * microseconds, on the caller's thread. Chronicle's open-source {@code pretouch()} does nothing, so this
 * daemon thread does what Chronicle Enterprise's pretoucher does: it keeps the next {@link #AHEAD_BYTES}
 * past each shard's write position touched, with an atomic compare-and-swap of 0 for 0 on one int per
 * page. The swap never changes a byte (a page already written is left as it is, and a concurrent append
 * either precedes or follows it atomically), but it makes the page resident and writable, so the append
 * that reaches it later does not fault.
 *
 * <p>Chunks: Chronicle maps a cycle file in blocks (64 MiB and up), and the appender maps the next block
 * itself when its write position first crosses into it ({@code mmap}, and Chronicle's bookkeeping, on the
 * caller's thread). This thread touches through the store's own {@code MappedFile}, the one the appender
 * uses, and holds each block it touches until it moves on past it; by then the appender's write position
 * is inside that block (the window is smaller than a block), so the appender finds it mapped. The test
 * {@code PretoucherChunkTest} checks which thread maps each block, with this on and off.
 *
 * <p>Failures here (e.g. the disk is full and the file cannot grow) are not the caller's problem: the
 * thread counts them and keeps going; the append path reports its own errors.
 */
public final class Pretoucher implements Runnable {
    static final long AHEAD_BYTES = 32L * 1024 * 1024;
    private static final long PAGE = 4096;
    private static final long INTERVAL_NANOS = 5_000_000L;

    private final SingleChronicleQueue[] queues;
    private final DiskReservation[] reservations;
    private final ShardState[] states;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile long errors;
    private volatile String lastError;

    /** Touches only pages the shards' {@link DiskReservation}s have allocated, so it never faults on a full disk. */
    public Pretoucher(SingleChronicleQueue[] queues, DiskReservation[] reservations) {
        this.queues = queues;
        this.reservations = reservations;
        this.states = new ShardState[queues.length];
        for (int i = 0; i < queues.length; i++) {
            states[i] = new ShardState();
        }
        this.thread = new Thread(this, "promptlog-pretoucher");
        this.thread.setDaemon(true);
    }

    public void start() {
        thread.start();
    }

    /** How far (file offset) the shard's current cycle file is touched; for tests. */
    long touchedUpTo(int shard) {
        return states[shard].touchedUpTo;
    }

    public long errors() {
        return errors;
    }

    public String lastError() {
        return lastError;
    }

    @Override
    public void run() {
        while (running) {
            for (int i = 0; i < queues.length && running; i++) {
                try {
                    touch(queues[i], states[i], reservations[i]);
                } catch (Throwable t) {
                    if (t instanceof VirtualMachineError && !(t instanceof InternalError)) {
                        throw (VirtualMachineError) t;
                    }
                    errors++;
                    lastError = "pretouch " + queues[i].file() + ": " + t;
                    states[i].reset(queues[i]);
                }
            }
            LockSupport.parkNanos(INTERVAL_NANOS);
        }
        for (int i = 0; i < queues.length; i++) {
            states[i].reset(queues[i]);
        }
    }

    private static void touch(SingleChronicleQueue queue, ShardState s, DiskReservation reservation) throws Exception {
        int cycle = queue.cycle();
        if (cycle != s.cycle) {
            s.reset(queue);
            SingleChronicleQueueStore store = queue.storeForCycle(cycle, queue.epoch(), false, null);
            if (store == null) {
                return; // no append in this cycle yet: the first append creates the file
            }
            s.store = store;
            s.cycle = cycle;
            // bytes() makes a new view that reserves the file: kept, and closed in reset(), or the rolled-away
            // cycle file would stay open (and its disk blocks allocated after the compactor deleted it) for good
            s.view = store.bytes();
            s.file = s.view.mappedFile(); // shared with the appender: blocks mapped here are its blocks
            s.touchedUpTo = 0;
        }
        long write = s.store.writePosition();
        long from = Math.max(s.touchedUpTo, write);
        long to = Math.min(write + AHEAD_BYTES, reservation.reservedUpTo(cycle));
        for (long p = (from + PAGE - 1) & -PAGE; p < to; p += PAGE) {
            // switch at the block's safe limit, where the appender switches (not at the end of its overlap)
            if (s.chunk == null || p >= s.chunk.safeLimit() || !s.chunk.inside(p, 4)) {
                if (s.chunk != null) {
                    MappedBytesStore done = s.chunk;
                    s.chunk = null; // released: reset() must not release it again if the next acquire fails
                    done.release(s.owner);
                }
                s.chunk = s.file.acquireByteStore(s.owner, p);
            }
            s.chunk.compareAndSwapInt(p, 0, 0);
        }
        s.touchedUpTo = Math.max(s.touchedUpTo, to);
    }

    /** Stops the thread and waits for it (so no mapping outlives the queues). */
    public void stop() {
        running = false;
        LockSupport.unpark(thread);
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private static final class ShardState {
        final ReferenceOwner owner = ReferenceOwner.temporary("promptlog-pretoucher");
        int cycle = Integer.MIN_VALUE;
        SingleChronicleQueueStore store;
        MappedBytes view;
        MappedFile file;
        MappedBytesStore chunk;
        volatile long touchedUpTo;

        /** Releases everything held; never throws (it runs in the error path of the pretoucher's loop). */
        void reset(SingleChronicleQueue queue) {
            MappedBytesStore c = chunk;
            MappedBytes v = view;
            SingleChronicleQueueStore st = store;
            chunk = null;
            view = null;
            file = null;
            store = null;
            cycle = Integer.MIN_VALUE;
            try {
                if (c != null) {
                    c.release(owner);
                }
            } catch (RuntimeException e) {
                // already released or closed with the queue: nothing left to free
            }
            try {
                if (v != null) {
                    v.close();
                }
            } catch (RuntimeException e) {
                // as above
            }
            try {
                if (st != null) {
                    queue.closeStore(st);
                }
            } catch (RuntimeException e) {
                // as above
            }
        }
    }
}
