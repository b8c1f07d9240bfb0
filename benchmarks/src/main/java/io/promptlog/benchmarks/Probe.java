package io.promptlog.benchmarks;

import io.promptlog.writer.CallRecorder;
import io.promptlog.writer.PromptLog;
import io.promptlog.writer.PromptLogConfig;
import io.promptlog.writer.PromptLogHome;
import io.promptlog.writer.RollPeriod;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * Where one append's time goes, single thread, tight loop, System.nanoTime around each phase (a
 * diagnostic next to JMH, not a replacement): promptlog's recorder split into filling (encoding the call
 * into the thread's buffer) and commit (the write into the mapped queue), the raw Chronicle floor
 * writing the same pre-encoded bytes, and a plain heap copy of those bytes. Three rounds; the last
 * round's percentiles are the ones to read.
 *
 * <pre>probe [--size 4k|4k-newprompt|4k-agent|...] [--calls 200000] [--dir /tmp]</pre>
 */
public final class Probe {
    private Probe() {
    }

    public static void main(String[] args) throws Exception {
        String size = "4k";
        int calls = 200_000;
        Path base = Path.of(System.getProperty("java.io.tmpdir"));
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--size" -> size = args[++i];
                case "--calls" -> calls = Integer.parseInt(args[++i]);
                case "--dir" -> base = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("usage: probe [--size 4k] [--calls 200000] [--dir D]");
            }
        }
        BenchCall[] pool = Workload.poolFor(size);
        Path dir = Files.createTempDirectory(base, "promptlog-probe-");
        long[] fill = new long[calls];
        long[] commit = new long[calls];
        long[] floor = new long[calls];
        long[] heap = new long[calls];
        byte[] sink = new byte[64 * 1024];
        try (PromptLog log = PromptLog.open(PromptLogConfig.builder(dir.resolve("promptlog"))
                .backgroundCompaction(false).build())) {
            Path shard = dir.resolve("floor");
            Files.createDirectories(shard);
            SingleChronicleQueue q = PromptLogHome.openShard(shard, RollPeriod.HOURLY,
                    PromptLogConfig.DEFAULT_MAX_RECORD_BYTES, false);
            ExcerptAppender ap = q.createAppender();
            Bytes<?>[] views = new Bytes<?>[pool.length];
            for (int i = 0; i < pool.length; i++) {
                views[i] = Bytes.wrapForRead(pool[i].record);
            }
            for (int round = 1; round <= 3; round++) {
                for (int i = 0; i < calls; i++) {
                    BenchCall c = pool[i & (Workload.POOL_SIZE - 1)];
                    long t0 = System.nanoTime();
                    CallRecorder r = log.begin();
                    RecordBytes.fill(r, c);
                    long t1 = System.nanoTime();
                    r.commit();
                    long t2 = System.nanoTime();
                    Bytes<?> b = views[c.poolIndex];
                    b.readPositionRemaining(0, c.record.length);
                    long t3 = System.nanoTime();
                    ap.writeBytes(b);
                    long t4 = System.nanoTime();
                    System.arraycopy(c.record, 0, sink, 0, Math.min(sink.length, c.record.length));
                    long t5 = System.nanoTime();
                    fill[i] = t1 - t0;
                    commit[i] = t2 - t1;
                    floor[i] = t4 - t3;
                    heap[i] = t5 - t4;
                }
                System.out.printf(Locale.ROOT, "round %d, %s calls (mean record %d B), ns p50/p90/p99: "
                                + "promptlog fill %s, commit %s; chronicle floor %s; heap copy %s; promptlog queue %d B/call%n",
                        round, size, Arrays.stream(pool).mapToInt(x -> x.recordBytes).sum() / pool.length,
                        pcts(fill), pcts(commit), pcts(floor), pcts(heap), log.stats().appendedBytes() / ((long) round * calls));
            }
            ap.close();
            q.close();
        } finally {
            BenchFiles.delete(dir);
        }
    }

    private static String pcts(long[] v) {
        long[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2] + "/" + s[(int) (s.length * 0.9)] + "/" + s[(int) (s.length * 0.99)];
    }
}
