package io.promptlog.benchmarks;

import io.promptlog.benchmarks.sink.CallSink;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.ThreadParams;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Cost of logging one call on the calling thread, for promptlog and each peer, at ~1/4/16 KB per call
 * (and {@code 4k-newprompt}: every call with a system prompt of its own; {@code 4k-agent}: six prompts in
 * strict rotation, see {@link Workload#AGENT});
 * thread count from the command line ({@code -t 1}, {@code -t 4}). Run in SampleTime mode for
 * percentiles and with {@code -prof gc} for {@code gc.alloc.rate.norm} (bytes allocated per call, all
 * threads of the JVM, background ones included).
 *
 * <p>Each measurement iteration logs into a fresh directory, deleted after it (so the page cache and the
 * disk see the same amount of data each time). Async peers (Log4j2, Logback, OTel) are measured as the
 * caller sees them: with a saturated ring buffer the caller waits for the background writer, which is
 * what a closed-loop benchmark shows; the paced harness ({@link PacedLatency}) shows them below
 * saturation. OTel drops spans when its queue is full: the drop count is printed after each iteration.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class AppendBenchmark {
    @Param({"promptlog", "promptlog-value", "promptlog-1shard", "chronicle-floor", "log4j2-async",
            "logback-async", "jsonl-sync", "otel"})
    public String sink;

    @Param({"1k", "4k", "16k"})
    public String size;

    /**
     * How many distinct calls of the pool are cycled through (a power of two, at most the pool's 1024):
     * 1024 reads each call's texts from memory (4-16 MB of strings, past the CPU caches); a small number
     * keeps them in cache, as for an application that logs a call whose texts it has just built or parsed.
     */
    @Param({"1024"})
    public int poolCalls;

    BenchCall[] pool;
    private Path root;
    private int iteration;
    CallSink current;
    private long callsBefore;

    @Setup(Level.Trial)
    public void trial() throws IOException {
        if (poolCalls < 1 || poolCalls > Workload.POOL_SIZE || Integer.bitCount(poolCalls) != 1) {
            throw new IllegalArgumentException("poolCalls must be a power of two from 1 to " + Workload.POOL_SIZE
                    + ", was " + poolCalls);
        }
        pool = Workload.poolFor(size);
        root = Files.createTempDirectory("promptlog-jmh-");
    }

    @Setup(Level.Iteration)
    public void open() throws Exception {
        current = CallSink.open(sink, root.resolve("it-" + iteration++));
    }

    @TearDown(Level.Iteration)
    public void close() throws Exception {
        current.close();
        long dropped = current.dropped();
        if (dropped > 0) {
            System.out.println("# " + sink + ": dropped " + dropped + " calls in this iteration");
        }
        Files.walk(root).sorted(java.util.Comparator.reverseOrder()).filter(p -> !p.equals(root))
                .forEach(p -> p.toFile().delete());
    }

    @TearDown(Level.Trial)
    public void trialEnd() throws IOException {
        Files.deleteIfExists(root);
    }

    @State(Scope.Thread)
    public static class LoggingThread {
        CallSink.Appender appender;
        BenchCall[] pool;
        int mask;
        int next;

        @Setup(Level.Iteration)
        public void setup(AppendBenchmark b, ThreadParams t) {
            appender = b.current.appender();
            pool = b.pool;
            mask = b.poolCalls - 1;
            next = t.getThreadIndex() * 257;
        }
    }

    @Benchmark
    public int append(LoggingThread t) {
        BenchCall c = t.pool[t.next++ & t.mask];
        return t.appender.append(c);
    }
}
