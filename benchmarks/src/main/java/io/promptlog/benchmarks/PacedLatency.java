package io.promptlog.benchmarks;

import io.promptlog.benchmarks.sink.CallSink;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.locks.LockSupport;

/**
 * Open-loop, paced latency harness (the way Log4j2's ResponseTimeTest and Chronicle's JLBH measure): each
 * of T threads logs at rate/T calls per second on a fixed schedule that does not wait for slow calls.
 * Response time is measured from the call's INTENDED start (so a stall is charged to every call it
 * delays: coordinated omission corrected); service time from its actual start. HdrHistogram, ns.
 *
 * <p>Threads sleep until ~80 us before their next call, then spin: on a 2-core machine four spinning
 * threads would starve the peers' background threads. The {@code noop} sink through the same harness
 * is the baseline: harness plus OS jitter, nothing logged.
 *
 * <pre>
 * paced --sink promptlog --rates 1000,10000,50000 --threads 1,4 --size 4k
 *       --warmup-seconds 3 --seconds 10 [--out results.jsonl]
 * </pre>
 * One sink per JVM (so one peer's classes and JIT profile cannot slow another).
 */
public final class PacedLatency {
    private static final long SPIN_NANOS = 80_000;

    private PacedLatency() {
    }

    record Result(String sink, String size, int rate, int threads, long calls, long dropped,
                  Histogram response, Histogram service, double seconds, double callerBytesPerCall) {
    }

    public static void main(String[] args) throws Exception {
        String sink = null;
        String size = "4k";
        List<Integer> rates = List.of(1000, 10_000, 50_000);
        List<Integer> threads = List.of(1, 4);
        double warmup = 3;
        double jitWarmup = 3;
        double seconds = 10;
        Path out = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String v = i + 1 < args.length ? args[i + 1] : null;
            switch (a) {
                case "--sink" -> sink = args[++i];
                case "--size" -> size = args[++i];
                case "--rates" -> rates = ints(args[++i]);
                case "--threads" -> threads = ints(args[++i]);
                case "--warmup-seconds" -> warmup = Double.parseDouble(args[++i]);
                case "--jit-warmup-seconds" -> jitWarmup = Double.parseDouble(args[++i]);
                case "--seconds" -> seconds = Double.parseDouble(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + a + (v == null ? "" : "")
                        + "; usage: paced --sink NAME [--size 4k] [--rates 1000,10000] [--threads 1,4]"
                        + " [--jit-warmup-seconds 3] [--warmup-seconds 3] [--seconds 10] [--out file.jsonl]");
            }
        }
        if (sink == null || !CallSink.NAMES.contains(sink)) {
            throw new IllegalArgumentException("--sink must be one of " + CallSink.NAMES + ", was " + sink);
        }
        BenchCall[] pool = Workload.of(size).pool();
        System.out.println("# paced " + sink + " size " + size + ": " + Workload.describe(pool));
        jitWarmup(sink, pool, threads.stream().mapToInt(Integer::intValue).max().orElse(1), jitWarmup);
        System.out.println(header());
        for (int t : threads) {
            for (int r : rates) {
                Result res = run(sink, size, pool, r, t, warmup, seconds);
                System.out.println(row(res));
                if (out != null) {
                    Files.writeString(out, json(res) + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                }
            }
        }
    }

    /**
     * Logs as fast as possible for a while into a throwaway sink, so the measured runs see compiled
     * code; closing it drains any background backlog before the paced runs start on a fresh sink.
     */
    static void jitWarmup(String sinkName, BenchCall[] pool, int threadCount, double seconds) throws Exception {
        if (seconds <= 0) {
            return;
        }
        Path dir = Files.createTempDirectory("promptlog-warmup-");
        CallSink sink = CallSink.open(sinkName, dir);
        long end = System.nanoTime() + (long) (seconds * 1e9);
        List<Thread> workers = new ArrayList<>();
        for (int i = 0; i < threadCount; i++) {
            int id = i;
            Thread th = new Thread(() -> {
                CallSink.Appender a = sink.appender();
                int next = id * 257;
                while (System.nanoTime() < end) {
                    for (int k = 0; k < 64; k++) {
                        a.append(pool[next++ & (Workload.POOL_SIZE - 1)]);
                    }
                }
            }, "warmup-" + i);
            workers.add(th);
            th.start();
        }
        for (Thread th : workers) {
            th.join();
        }
        sink.close();
        delete(dir);
    }

    private static void delete(Path dir) {
        try (var w = Files.walk(dir)) {
            w.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            System.err.println("could not delete " + dir + ": " + e);
        }
    }

    static Result run(String sinkName, String size, BenchCall[] pool, int rate, int threadCount,
                      double warmupSeconds, double seconds) throws Exception {
        if (rate <= 0 || threadCount <= 0) {
            throw new IllegalArgumentException("rate and threads must be > 0, were " + rate + ", " + threadCount);
        }
        Path dir = Files.createTempDirectory("promptlog-paced-");
        CallSink sink = CallSink.open(sinkName, dir);
        long intervalNanos = (long) (threadCount * 1e9 / rate);
        Histogram[] resp = new Histogram[threadCount];
        Histogram[] svc = new Histogram[threadCount];
        long[] calls = new long[threadCount];
        long[] failed = new long[threadCount];
        long[] allocated = new long[threadCount];
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        CyclicBarrier ready = new CyclicBarrier(threadCount + 1);
        long[] schedule = new long[3]; // start, measure-from, end
        List<Thread> workers = new ArrayList<>();
        for (int i = 0; i < threadCount; i++) {
            int id = i;
            resp[i] = new Histogram(60_000_000_000L, 3);
            svc[i] = new Histogram(60_000_000_000L, 3);
            Thread th = new Thread(() -> {
                CallSink.Appender a = sink.appender();
                try {
                    ready.await();
                    ready.await();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                long start = schedule[0] + id * intervalNanos / threadCount;
                long measureFrom = schedule[1];
                long end = schedule[2];
                int next = id * 257;
                long allocStart = -1;
                for (long k = 0; ; k++) {
                    long intended = start + k * intervalNanos;
                    if (intended >= end) {
                        break;
                    }
                    long now;
                    while ((now = System.nanoTime()) < intended) {
                        long gap = intended - now;
                        if (gap > SPIN_NANOS) {
                            LockSupport.parkNanos(gap - SPIN_NANOS);
                        } else {
                            Thread.onSpinWait();
                        }
                    }
                    if (allocStart < 0 && intended >= measureFrom) {
                        allocStart = mx.getCurrentThreadAllocatedBytes();
                    }
                    long t0 = System.nanoTime();
                    int status = a.append(pool[next++ & (Workload.POOL_SIZE - 1)]);
                    long t1 = System.nanoTime();
                    if (intended >= measureFrom) {
                        resp[id].recordValue(Math.min(t1 - intended, 59_000_000_000L));
                        svc[id].recordValue(Math.min(t1 - t0, 59_000_000_000L));
                        calls[id]++;
                        if (status < 0) {
                            failed[id]++;
                        }
                    }
                }
                allocated[id] = allocStart < 0 ? 0 : mx.getCurrentThreadAllocatedBytes() - allocStart;
            }, "paced-" + i);
            th.setDaemon(true);
            workers.add(th);
            th.start();
        }
        ready.await();
        long t0 = System.nanoTime() + 20_000_000L;
        schedule[0] = t0;
        schedule[1] = t0 + (long) (warmupSeconds * 1e9);
        schedule[2] = schedule[1] + (long) (seconds * 1e9);
        ready.await();
        for (Thread th : workers) {
            th.join();
        }
        sink.close();
        long dropped = sink.dropped();
        Histogram r = new Histogram(60_000_000_000L, 3);
        Histogram s = new Histogram(60_000_000_000L, 3);
        long n = 0;
        long alloc = 0;
        for (int i = 0; i < threadCount; i++) {
            alloc += allocated[i];
            r.add(resp[i]);
            s.add(svc[i]);
            n += calls[i];
            dropped += failed[i];
        }
        delete(dir);
        return new Result(sinkName, size, rate, threadCount, n, dropped, r, s, seconds,
                n == 0 ? 0 : alloc / (double) n);
    }

    private static String header() {
        return String.format(Locale.ROOT, "%-16s %6s %3s %9s %8s %8s | %-44s | %-44s", "sink", "rate", "thr", "calls",
                "dropped", "B/call", "response us: p50 p99 p99.9 p99.99 max", "service us: p50 p99 p99.9 p99.99 max");
    }

    private static String row(Result r) {
        return String.format(Locale.ROOT, "%-16s %6d %3d %9d %8d %8.1f | %s | %s", r.sink, r.rate, r.threads, r.calls,
                r.dropped, r.callerBytesPerCall, pcts(r.response), pcts(r.service));
    }

    private static String pcts(Histogram h) {
        return String.format(Locale.ROOT, "%8.2f %8.2f %8.2f %8.2f %9.1f", us(h.getValueAtPercentile(50)),
                us(h.getValueAtPercentile(99)), us(h.getValueAtPercentile(99.9)), us(h.getValueAtPercentile(99.99)),
                us(h.getMaxValue()));
    }

    private static double us(long nanos) {
        return nanos / 1000.0;
    }

    static String json(Result r) {
        return String.format(Locale.ROOT, "{\"sink\":\"%s\",\"size\":\"%s\",\"rate\":%d,\"threads\":%d,\"calls\":%d,"
                        + "\"dropped\":%d,\"seconds\":%.1f,\"caller_bytes_per_call\":%.1f,\"response_ns\":%s,\"service_ns\":%s}",
                r.sink, r.size, r.rate, r.threads, r.calls, r.dropped, r.seconds, r.callerBytesPerCall,
                hjson(r.response), hjson(r.service));
    }

    private static String hjson(Histogram h) {
        return String.format(Locale.ROOT, "{\"p50\":%d,\"p99\":%d,\"p99.9\":%d,\"p99.99\":%d,\"max\":%d}",
                h.getValueAtPercentile(50), h.getValueAtPercentile(99), h.getValueAtPercentile(99.9),
                h.getValueAtPercentile(99.99), h.getMaxValue());
    }

    private static List<Integer> ints(String csv) {
        List<Integer> out = new ArrayList<>();
        for (String s : csv.split(",")) {
            out.add(Integer.parseInt(s.trim()));
        }
        return out;
    }

    static void printTo(PrintStream out, Result r) {
        out.println(row(r));
    }
}
