package io.promptlog.compactor;

import io.promptlog.writer.AppendStatus;
import io.promptlog.writer.PromptLog;
import io.promptlog.writer.PromptLogConfig;
import io.promptlog.writer.PromptLogHome;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * Test-only main for {@link SoakTest}: {@code <mode> <home> <baseMillis> <wallStartMillis> <speed> <callsPerSecond>
 * <sampleMillis>}, all times on a {@link FastClock}. Mode {@code app}: one JVM with a paced writer (two threads,
 * numbered calls, seq {@code t + 2k} on thread {@code t}) and the compactor following it in the background;
 * {@code writer}: the writer alone; {@code compactor}: the compactor alone, following. Every
 * {@code sampleMillis} it prints a {@code sample} line (heap used after a full GC, RSS, open file descriptors,
 * mapped regions of queue files, threads, queue cycle files and calls files on disk, compactor counters).
 * It runs until its stdin closes, then stops the writer, closes everything (the compactor's close compacts
 * what is left) and prints {@code done}.
 */
public final class SoakChild {
    private static final Path PROC = Path.of("/proc/self");
    /** Set when stdin closes; the writers stop at their next call (never interrupted: Chronicle's channels close on interrupt). */
    private static volatile boolean stopping;

    private SoakChild() {
    }

    static CompactorConfig compactorConfig(Path home, FastClock clock) {
        // the default deployment's settings, on the fast clock: 1 s between passes (10 min of the fast clock
        // at x600), queue files deleted as soon as every record in them is committed
        return CompactorConfig.builder(home).clock(clock).queueRetention(Duration.ZERO).intervalMillis(1000)
                .hostName("soak-host").build();
    }

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        Path home = Path.of(args[1]);
        FastClock clock = new FastClock(Long.parseLong(args[2]), Long.parseLong(args[3]), Long.parseLong(args[4]));
        int perSecond = Integer.parseInt(args[5]);
        long sampleMillis = Long.parseLong(args[6]);
        boolean writing = !mode.equals("compactor");
        boolean compacting = !mode.equals("writer");

        PromptLog log = writing ? PromptLog.open(PromptLogConfig.builder(home).shardCount(2).rollClock(clock)
                .backgroundCompaction(false).build()) : null;
        Compactor compactor = compacting ? Compactor.open(compactorConfig(home, clock)).startBackground() : null;
        AtomicLong[] acked = {new AtomicLong(), new AtomicLong()};
        AtomicLong failed = new AtomicLong();
        Thread[] writers = new Thread[writing ? 2 : 0];
        long t0 = System.nanoTime();
        for (int t = 0; t < writers.length; t++) {
            int thread = t;
            writers[t] = new Thread(() -> write(log, clock, thread, perSecond / 2.0, t0, acked[thread], failed), "soak-writer-" + t);
            writers[t].start();
        }
        Thread stdin = new Thread(() -> {
            try {
                while (System.in.read() >= 0) {
                    // the parent closes our stdin to stop us
                }
            } catch (IOException e) {
                // stdin gone: stop as well
            }
        }, "soak-stdin");
        stdin.setDaemon(true);
        stdin.start();

        Set<String> cyclesSeen = new HashSet<>();
        long nextSample = System.nanoTime();
        while (stdin.isAlive()) {
            if (System.nanoTime() - nextSample >= 0) {
                sample(home, t0, acked, failed, compactor, cyclesSeen);
                nextSample += TimeUnit.MILLISECONDS.toNanos(sampleMillis);
            }
            stdin.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(nextSample - System.nanoTime())));
        }
        stopping = true;
        for (Thread w : writers) {
            w.join();
        }
        if (log != null) {
            log.close();
        }
        if (compactor != null) {
            compactor.close();
            CompactorStats s = compactor.stats();
            System.out.println("compactor calls=" + s.callsWritten() + " queueFilesDeleted=" + s.queueFilesDeleted()
                    + " errors=" + s.errors() + " lastError=" + s.lastError());
        }
        System.out.println("done acked0=" + acked[0].get() + " acked1=" + acked[1].get() + " failed=" + failed.get()
                + " cyclesSeen=" + cyclesSeen.size());
        System.out.flush();
    }

    /** Appends calls {@code thread + 2k} at {@code perSecond}, each acknowledged once append returned OK. */
    private static void write(PromptLog log, FastClock clock, int thread, double perSecond, long t0, AtomicLong acked,
                              AtomicLong failed) {
        long k = 0;
        while (!stopping) {
            long due = t0 + (long) (k * 1e9 / perSecond);
            long wait = due - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(Math.min(wait, 50_000_000L)); // pacing, not synchronisation
                continue;
            }
            long seq = thread + 2 * k;
            int s = log.append(CompactorChild.call(seq).toBuilder().startTimeMicros(clock.millis() * 1000).build());
            if (!AppendStatus.isAppended(s)) {
                failed.incrementAndGet();
                System.out.println("append failed: seq " + seq + ": " + AppendStatus.describe(s));
                return;
            }
            k++;
            acked.set(k);
        }
    }

    private static void sample(Path home, long t0, AtomicLong[] acked, AtomicLong failed, Compactor compactor,
                               Set<String> cyclesSeen) throws IOException {
        System.gc();
        long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        long rssKiB = 0;
        long threads = 0;
        for (String l : Files.readAllLines(PROC.resolve("status"))) {
            if (l.startsWith("VmRSS:")) {
                rssKiB = Long.parseLong(l.replaceAll("\\D", ""));
            } else if (l.startsWith("Threads:")) {
                threads = Long.parseLong(l.replaceAll("\\D", ""));
            }
        }
        long fds;
        try (Stream<Path> s = Files.list(PROC.resolve("fd"))) {
            fds = s.count();
        }
        String queueDir = PromptLogHome.queueDir(home).toString();
        long maps;
        try (Stream<String> s = Files.lines(PROC.resolve("maps"))) {
            maps = s.filter(l -> l.contains(queueDir)).count();
        }
        long cycles = 0;
        try (Stream<Path> s = Files.walk(PromptLogHome.queueDir(home))) {
            for (Path p : (Iterable<Path>) s.filter(p -> p.toString().endsWith(".cq4"))::iterator) {
                cycles++;
                cyclesSeen.add(home.relativize(p).toString());
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            cycles = -1; // a file deleted while listing: count it at the next sample
        }
        long parquet = 0;
        Path calls = home.resolve("data").resolve("calls");
        if (Files.isDirectory(calls)) {
            try (Stream<Path> s = Files.walk(calls)) {
                parquet = s.filter(p -> p.toString().endsWith(".parquet")).count();
            } catch (IOException | java.io.UncheckedIOException e) {
                parquet = -1; // a merge replaced files while listing
            }
        }
        StringBuilder b = new StringBuilder("sample");
        b.append(" t=").append(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
        b.append(" acked=").append(acked[0].get() + acked[1].get());
        b.append(" failed=").append(failed.get());
        b.append(" heapAfterGcKiB=").append(heap / 1024);
        b.append(" rssKiB=").append(rssKiB);
        b.append(" fds=").append(fds);
        b.append(" queueMaps=").append(maps);
        b.append(" threads=").append(threads);
        b.append(" cycleFiles=").append(cycles);
        b.append(" cyclesSeen=").append(cyclesSeen.size());
        b.append(" callsFiles=").append(parquet);
        if (compactor != null) {
            CompactorStats st = compactor.stats();
            b.append(" compacted=").append(st.callsWritten());
            b.append(" queueFilesDeleted=").append(st.queueFilesDeleted());
            b.append(" errors=").append(st.errors());
        }
        System.out.println(b);
        System.out.flush();
    }
}
