package io.promptlog.compactor;

import io.promptlog.compactor.internal.CompactionEngine;
import io.promptlog.compactor.internal.StatsCounters;

import java.io.IOException;
import java.util.Map;
import java.util.TreeMap;

/**
 * Compacts a promptlog home's queue into a zstd Parquet dataset, exactly once (layout and guarantees:
 * {@code compactor/README.md}).
 *
 * <pre>{@code
 * try (Compactor c = Compactor.open(CompactorConfig.defaults(home))) {
 *     CompactionResult r = c.runOnce();           // everything in the queue now
 * }
 * Compactor bg = Compactor.open(config).startBackground();   // or: a low-priority daemon thread
 * ...
 * bg.close();                                     // stops it and compacts what is left
 * }</pre>
 *
 * <p>One compactor per queue and dataset at a time: {@link #open} fails with a clear message when
 * another process (or another compactor in this JVM) holds the dataset's lock for the queue, or when
 * the dataset directory is not writable. A failed pass (disk full, say) is reported in {@link #stats()}
 * and retried by the next; corrupt queue records are skipped and counted, never fatal.
 */
public final class Compactor implements AutoCloseable {
    /** Name of the background thread. */
    public static final String THREAD_NAME = "promptlog-compactor";

    private final CompactorConfig config;
    private final CompactionEngine engine;
    private final Object wake = new Object();
    private volatile boolean closed;
    private volatile boolean stopFollowing;
    private Thread background;

    private Compactor(CompactorConfig config, CompactionEngine engine) {
        this.config = config;
        this.engine = engine;
    }

    /**
     * Opens the compactor: checks the dataset is writable, takes the lock, deletes its own leftover
     * temporary files and completes any batch a crash left half-written.
     */
    public static Compactor open(CompactorConfig config) throws IOException {
        return new Compactor(config, CompactionEngine.open(config));
    }

    public CompactorConfig config() {
        return config;
    }

    /** Compacts every record in the queue now, whatever the batch thresholds. */
    public CompactionResult runOnce() throws IOException {
        synchronized (engine) {
            ensureOpen();
            try {
                return engine.pass(true);
            } catch (IOException | RuntimeException e) {
                engine.stats().error("compaction pass failed: " + e);
                throw e;
            }
        }
    }

    /**
     * Compacts the shards whose thresholds are met (at least {@code minBatchRows} waiting, or waiting
     * longer than {@code maxBatchDelayMillis}): what the background and follow modes do each interval.
     */
    public CompactionResult runIfDue() throws IOException {
        synchronized (engine) {
            ensureOpen();
            CompactionResult r;
            try {
                r = engine.pass(false);
            } catch (IOException | RuntimeException e) {
                engine.stats().error("compaction pass failed: " + e);
                throw e;
            }
            if (config.mergeClosedDays()) {
                try {
                    engine.merge(false, line -> { }, () -> closed || stopFollowing);
                } catch (IOException | RuntimeException e) {
                    engine.stats().error("merging a closed day failed (retried next pass): " + e);
                }
            }
            return r;
        }
    }

    /**
     * Merges the small calls files of every closed day into a few large ones, now (the background and follow
     * modes do it one day per pass when {@link CompactorConfig#mergeClosedDays()}): exactly once, safe to
     * kill at any point (the next start, or the next merge, finishes or undoes it), and readers listing
     * files with the dataset's journal see every call once throughout. Waits for another process's merge or
     * erasure in the same dataset to finish. Layout, "closed" and the commit protocol: {@code DatasetLayout}.
     */
    public MergeResult mergeClosedDays() throws IOException {
        return mergeClosedDays(line -> { });
    }

    /** {@link #mergeClosedDays()}, telling {@code progress} each step as it happens. */
    public MergeResult mergeClosedDays(java.util.function.Consumer<String> progress) throws IOException {
        java.util.Objects.requireNonNull(progress, "progress");
        synchronized (engine) {
            ensureOpen();
            try {
                return engine.merge(true, progress);
            } catch (IOException | RuntimeException e) {
                engine.stats().error("merging closed days failed: " + e);
                throw e;
            }
        }
    }

    /**
     * Erases calls from the dataset: first compacts everything waiting in the queue (so calls logged but
     * not compacted yet are covered), then rewrites each Parquet file holding a selected call, atomically
     * (readers see the old file or the new one), and removes system prompts and tool definitions that only
     * selected calls used; the queue cycle files are deleted as soon as it is safe, with no grace period.
     * Killed mid-way, running it again finishes the job. Runs under this compactor's lock, between passes.
     */
    public ErasureResult erase(ErasureRequest request) throws IOException {
        return erase(request, line -> { });
    }

    /** {@link #erase(ErasureRequest)}, telling {@code progress} each file it rewrites, as it goes. */
    public ErasureResult erase(ErasureRequest request, java.util.function.Consumer<String> progress) throws IOException {
        java.util.Objects.requireNonNull(request, "request");
        java.util.Objects.requireNonNull(progress, "progress");
        synchronized (engine) {
            ensureOpen();
            return engine.erase(request, progress);
        }
    }

    /**
     * Compacts what is there, then keeps compacting on the calling thread every {@code intervalMillis}
     * (when thresholds are met) until {@link #close()} is called or the thread is interrupted. Failed
     * passes are counted and retried next interval.
     */
    public void follow() throws InterruptedException {
        boolean first = true;
        while (!closed && !stopFollowing) {
            try {
                if (first) {
                    runOnce();
                    first = false;
                } else {
                    runIfDue();
                }
            } catch (IOException | RuntimeException e) {
                // counted in stats by runOnce / runIfDue (or closed meanwhile); retried next interval
            }
            synchronized (wake) {
                if (!closed && !stopFollowing) {
                    wake.wait(config.intervalMillis());
                }
            }
        }
    }

    /**
     * Makes {@link #follow()} return once the pass in progress (if any) is done, without closing: for a
     * signal handler that wants the following thread itself to run the final pass in {@link #close()}. A merge
     * of a closed day in progress is given up (rolled back; the next pass or start merges that day again).
     */
    public void stopFollowing() {
        stopFollowing = true;
        synchronized (wake) {
            wake.notifyAll();
        }
    }

    /** Starts {@link #follow()} on a low-priority daemon thread named {@value #THREAD_NAME}; returns this. */
    public synchronized Compactor startBackground() {
        ensureOpen();
        if (background != null) {
            throw new IllegalStateException("the background compactor is already running");
        }
        Thread t = new Thread(() -> {
            try {
                follow();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, THREAD_NAME);
        t.setDaemon(true);
        t.setPriority(Thread.MIN_PRIORITY);
        background = t;
        t.start();
        return this;
    }

    public CompactorStats stats() {
        StatsCounters s = engine.stats();
        return new CompactorStats(s.runs.get(), s.callsWritten.get(), s.filesWritten.get(), s.bytesWritten.get(),
                s.recordsRead.get(), s.corruptRecords.get(), s.textRetained.get(), s.redactions.get(),
                s.systemPromptsWritten.get(), s.toolDefinitionsWritten.get(), s.queueFilesDeleted.get(),
                s.errors.get(), s.lastError(), committed(), s.skippedStretches(), s.textsLost.get(),
                s.duplicatesDropped.get());
    }

    /** Committed queue index per shard (shards with nothing committed are absent). */
    public Map<Integer, Long> committed() {
        return new TreeMap<>(engine.committed());
    }

    /**
     * Stops the background / follow loop (waiting for a pass in progress; a merge of a closed day in progress
     * is given up and rolled back rather than waited for), compacts what is left in the
     * queue, and releases the lock. Idempotent. A failing final pass is reported in {@link #stats()}.
     */
    @Override
    public void close() {
        Thread t;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            t = background;
        }
        synchronized (wake) {
            wake.notifyAll();
        }
        if (t != null && t != Thread.currentThread()) {
            boolean interrupted = false;
            while (t.isAlive()) {
                try {
                    t.join();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        synchronized (engine) {
            try {
                engine.pass(true);
            } catch (IOException | RuntimeException e) {
                engine.stats().error("final compaction pass failed: " + e);
            } finally {
                engine.close();
            }
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("compactor is closed");
        }
    }
}
