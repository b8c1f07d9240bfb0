package io.promptlog.writer;

import io.promptlog.testsupport.SettableClock;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Child JVM of {@link CrashRecoveryTest}: appends {@link SeqCalls} calls numbered from a start seq from
 * several threads until killed. Thread t appends seqs start+t, start+t+T, start+t+2T, ... and publishes
 * the next seq it will append; so every seq below the minimum of those is appended and returned. The main
 * thread prints {@code acked n} (flushed) each time that minimum passes another multiple of ackEvery:
 * seqs start..n-1 are all in the queue.
 *
 * <p>Other lines: {@code ready <openMillis> headerless <n>} (n: cycle files without a header the open moved
 * aside), {@code first <micros>} (the slowest first append over the
 * threads: the recovery cost after a kill), {@code slow <micros> seq <seq>} (an append over 100 ms),
 * {@code failed <seq> <status> <lastError>} (then exit 2).
 *
 * <p>With the optional args {@code startHour rollEveryMillis}, the queue rolls by a {@link SettableClock}
 * that starts at hour {@code startHour} since the epoch and is moved one hour on every {@code rollEveryMillis}
 * by a pacing thread, which prints {@code rolling <n>} a millisecond before moving it: the appends that follow
 * roll every shard to a new cycle file.
 *
 * <p>Args: home startSeq threads ackEvery shardCount [startHour rollEveryMillis]
 */
public final class CrashChild {
    private CrashChild() {
    }

    public static void main(String[] args) throws Exception {
        Path home = Path.of(args[0]);
        long start = Long.parseLong(args[1]);
        int threads = Integer.parseInt(args[2]);
        long ackEvery = Long.parseLong(args[3]);
        int shards = Integer.parseInt(args[4]);
        SettableClock clock = args.length > 5 ? SettableClock.atHour(Long.parseLong(args[5])) : null;
        long rollEveryMillis = args.length > 6 ? Long.parseLong(args[6]) : 0;

        long t0 = System.nanoTime();
        PromptLogConfig.Builder config = PromptLogConfig.builder(home).shardCount(shards);
        if (clock != null) {
            config.rollClock(clock);
        }
        PromptLog log = PromptLog.open(config.build());
        if (!log.isAvailable()) {
            System.out.println("failed open " + log.stats().lastError());
            System.exit(2);
        }
        System.out.println("ready " + (System.nanoTime() - t0) / 1_000_000 + " headerless " + log.stats().headerlessCycleFiles());
        System.out.flush();

        // warm the call generator's static data before timing the first append
        SeqCalls.call(start);
        AtomicLong[] next = new AtomicLong[threads];
        AtomicLong slowestFirst = new AtomicLong(-1);
        AtomicLong firstsDone = new AtomicLong();
        for (int t = 0; t < threads; t++) {
            next[t] = new AtomicLong(start + t);
            int id = t;
            Thread thread = new Thread(() -> {
                boolean first = true;
                for (long seq = start + id; ; seq += threads) {
                    LlmCall call = SeqCalls.call(seq);
                    long a = System.nanoTime();
                    int status = log.append(call);
                    long micros = (System.nanoTime() - a) / 1000;
                    if (!AppendStatus.isAppended(status)) {
                        synchronized (System.out) {
                            System.out.println("failed " + seq + " " + AppendStatus.describe(status) + " "
                                    + log.stats().lastError());
                            System.out.flush();
                        }
                        System.exit(2);
                    }
                    next[id].set(seq + threads);
                    if (first) {
                        first = false;
                        slowestFirst.accumulateAndGet(micros, Math::max);
                        firstsDone.incrementAndGet();
                    }
                    if (micros > 100_000) {
                        synchronized (System.out) {
                            System.out.println("slow " + micros + " seq " + seq);
                            System.out.flush();
                        }
                    }
                }
            }, "crash-child-" + t);
            thread.setDaemon(true);
            thread.start();
        }
        if (clock != null) {
            Thread roller = new Thread(() -> {
                for (int n = 1; ; n++) {
                    // pacing the workload, not waiting for anything
                    LockSupport.parkNanos(rollEveryMillis * 1_000_000);
                    synchronized (System.out) {
                        System.out.println("rolling " + n);
                        System.out.flush();
                    }
                    LockSupport.parkNanos(1_000_000);
                    clock.advanceHours(1);
                }
            }, "crash-child-roller");
            roller.setDaemon(true);
            roller.start();
        }
        long acked = start;
        boolean firstReported = false;
        while (true) {
            long min = Long.MAX_VALUE;
            for (AtomicLong n : next) {
                min = Math.min(min, n.get());
            }
            if (!firstReported && firstsDone.get() == threads) {
                firstReported = true;
                synchronized (System.out) {
                    System.out.println("first " + slowestFirst.get());
                    System.out.flush();
                }
            }
            if (min >= acked + ackEvery) {
                acked = min;
                synchronized (System.out) {
                    System.out.println("acked " + acked);
                    System.out.flush();
                }
            }
            LockSupport.parkNanos(200_000);
        }
    }
}
