package io.promptlog.benchmarks;

import io.promptlog.writer.PromptLogConfig;
import io.promptlog.writer.PromptLogHome;
import io.promptlog.writer.RollPeriod;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;
import java.util.zip.CRC32C;

/**
 * What the parts of a commit cost, for a record of a given size (default 1,454 bytes: the 4k workload's
 * mean record once its system prompt is a reference): an empty Chronicle document ({@code writingDocument}
 * and {@code close}: header, lock, index), a document carrying the record, its CRC-32C, the floor's
 * {@code writeBytes}, and a heap copy. Caller CPU time per operation (the thread's own CPU clock, so a
 * loaded machine's preemption does not count), the parts interleaved batch by batch, medians. A diagnostic
 * next to {@code probe}: the queue has no pretoucher, so a document's first touch of a page is in its cost.
 *
 * <pre>commit-parts [--bytes 1454] [--batches 40]</pre>
 */
public final class CommitParts {
    private static final int BATCH = 2048;

    private CommitParts() {
    }

    public static void main(String[] args) throws Exception {
        int len = 1454;
        int batches = 40;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--bytes" -> len = Integer.parseInt(args[++i]);
                case "--batches" -> batches = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("usage: commit-parts [--bytes 1454] [--batches 40]");
            }
        }
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        byte[] record = new byte[len];
        new Random(1).nextBytes(record);
        byte[] copy = new byte[len];
        Bytes<?> wrapped = Bytes.wrapForRead(record);
        CRC32C crc = new CRC32C();
        String[] parts = {"empty document (writingDocument + close)", "document carrying the record",
                "CRC-32C of the record", "writeBytes of the record (the floor)", "heap copy of the record"};
        long[][] ns = new long[parts.length][batches];
        long keep = 0;
        Path dir = Files.createTempDirectory("promptlog-commit-parts-");
        try (SingleChronicleQueue q = PromptLogHome.openShard(dir, RollPeriod.HOURLY,
                PromptLogConfig.DEFAULT_MAX_RECORD_BYTES, false); ExcerptAppender ap = q.createAppender()) {
            for (int b = -20; b < batches; b++) { // 20 warm-up batches
                for (int p = 0; p < parts.length; p++) {
                    long t0 = threads.getCurrentThreadCpuTime();
                    for (int i = 0; i < BATCH; i++) {
                        switch (p) {
                            case 0 -> {
                                try (DocumentContext dc = ap.writingDocument()) {
                                    keep += dc.index();
                                }
                            }
                            case 1 -> {
                                try (DocumentContext dc = ap.writingDocument()) {
                                    dc.wire().bytes().write(record, 0, record.length);
                                }
                            }
                            case 2 -> {
                                crc.reset();
                                crc.update(record, 0, record.length);
                                keep += crc.getValue();
                            }
                            case 3 -> {
                                wrapped.readPositionRemaining(0, record.length);
                                ap.writeBytes(wrapped);
                            }
                            default -> {
                                System.arraycopy(record, 0, copy, 0, record.length);
                                keep += copy[i % record.length];
                            }
                        }
                    }
                    if (b >= 0) {
                        ns[p][b] = (threads.getCurrentThreadCpuTime() - t0) / BATCH;
                    }
                }
            }
        } finally {
            BenchFiles.delete(dir);
        }
        for (int p = 0; p < parts.length; p++) {
            long[] s = ns[p].clone();
            Arrays.sort(s);
            System.out.printf(Locale.ROOT, "%-42s %d B: caller CPU ns median %d (p25 %d, p75 %d)%n", parts[p], len,
                    s[batches / 2], s[batches / 4], s[3 * batches / 4]);
        }
        System.out.println("# " + (keep & 1));
    }
}
