package io.promptlog.synthetic;

import io.promptlog.writer.AppendStatus;
import io.promptlog.writer.CallRecorder;
import io.promptlog.writer.PromptLog;
import io.promptlog.writer.PromptLogConfig;
import io.promptlog.writer.PromptLogStats;

import java.io.PrintStream;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;

/**
 * The load generator behind {@code promptlog generate}: logs {@link SyntheticCalls} through the public
 * writer API from one or more threads, optionally paced (open loop), to the queue only (background
 * compaction is off even when the compactor is on the class path: compacting is {@code compact}'s job).
 *
 * <p>Acknowledgements: with {@code ackEvery = K}, a line {@code acked <n>} is printed (and flushed) each
 * time the first n calls (seq S .. S+n-1, across all threads) have all returned from append, n a multiple
 * of K, and once at the end. A call that returned has been appended, so it survives a kill -9 from then on;
 * crash tests kill the process and check that every acknowledged call is there.
 */
public final class Generate {
    private static final int WINDOW = 1 << 16;

    private Generate() {
    }

    /** What a run did. */
    public record Result(long appended, long dropped, long elapsedNanos, PromptLogStats stats) {
    }

    public static Result run(GenerateOptions o, PrintStream out, PrintStream err) throws InterruptedException {
        try (PromptLog log = PromptLog.open(PromptLogConfig.builder(o.home()).backgroundCompaction(false).build())) {
            if (!log.isAvailable()) {
                throw new IllegalStateException(log.stats().lastError());
            }
            return run(log, o, out, err);
        }
    }

    /** Runs against an open log (which stays open). */
    public static Result run(PromptLog log, GenerateOptions o, PrintStream out, PrintStream err) throws InterruptedException {
        long end = o.count();
        AtomicLong next = new AtomicLong();
        // done[i % WINDOW] = i + 1 once call i (relative to seqStart) has returned
        AtomicLongArray done = new AtomicLongArray(WINDOW);
        AtomicLong watermark = new AtomicLong();
        AtomicLong dropped = new AtomicLong();
        long startNanos = System.nanoTime();
        double intervalNanos = o.ratePerSecond() > 0 ? 1e9 / o.ratePerSecond() : 0;
        Thread[] workers = new Thread[o.threads()];
        Throwable[] failure = new Throwable[1];
        for (int t = 0; t < workers.length; t++) {
            workers[t] = new Thread(() -> {
                SyntheticCalls calls = o.chatTurns() == 0 ? new SyntheticCalls(o.seed())
                        : SyntheticCalls.chat(o.seed(), 24, 1024, 16 * 1024, o.chatTurns());
                while (true) {
                    long i = next.getAndIncrement();
                    if (i >= end) {
                        return;
                    }
                    while (i - watermark.get() >= WINDOW) {
                        Thread.onSpinWait();
                    }
                    if (intervalNanos > 0) {
                        long due = startNanos + (long) (i * intervalNanos);
                        long wait;
                        while ((wait = due - System.nanoTime()) > 0) {
                            LockSupport.parkNanos(wait);
                        }
                    }
                    CallRecorder r = log.begin();
                    calls.record(r, o.seqStart() + i);
                    if (!AppendStatus.isAppended(r.commit())) {
                        dropped.incrementAndGet();
                    }
                    done.set((int) (i % WINDOW), i + 1);
                }
            }, "promptlog-generate-" + t);
            workers[t].setUncaughtExceptionHandler((th, e) -> failure[0] = e);
            workers[t].start();
        }
        long lastAck = 0;
        long lastDraw = 0;
        Progress bar = o.progress() ? new Progress(err, "generate", end) : null;
        while (true) {
            long w = watermark.get();
            while (w < end && done.get((int) (w % WINDOW)) == w + 1) {
                w++;
            }
            watermark.set(w);
            if (o.ackEvery() > 0 && w / o.ackEvery() > lastAck / o.ackEvery()) {
                // every multiple passed since the last look (the watermark can move several at once)
                while (lastAck + o.ackEvery() <= w) {
                    lastAck += o.ackEvery();
                    out.println("acked " + lastAck);
                }
                out.flush();
            }
            long now = System.nanoTime();
            if (bar != null && now - lastDraw > 200_000_000L) {
                bar.update(w);
                lastDraw = now;
            }
            if (w >= end || failure[0] != null) {
                break;
            }
            if (!anyAlive(workers)) {
                continue;
            }
            LockSupport.parkNanos(100_000);
        }
        for (Thread t : workers) {
            t.join();
        }
        if (failure[0] != null) {
            throw new IllegalStateException("generator thread failed: " + failure[0], failure[0]);
        }
        if (o.ackEvery() > 0 && lastAck != end) {
            out.println("acked " + end);
            out.flush();
        }
        long elapsed = System.nanoTime() - startNanos;
        if (bar != null) {
            bar.finish(end);
        }
        return new Result(end - dropped.get(), dropped.get(), elapsed, log.stats());
    }

    private static boolean anyAlive(Thread[] threads) {
        for (Thread t : threads) {
            if (t.isAlive()) {
                return true;
            }
        }
        return false;
    }
}
