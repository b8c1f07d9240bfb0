package io.promptlog.writer.internal;

import io.promptlog.writer.AppendStatus;
import io.promptlog.writer.CallField;
import io.promptlog.writer.PromptLogConfig;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Which thread maps each new block of a cycle file: with the pretoucher on, its own thread (the appending
 * thread finds the block mapped); off, the appending thread, inside an append. The on/off pair is the
 * measurement of what the pretoucher takes off the caller; the cost in time is in the benchmarks.
 */
@Timeout(120)
class PretoucherChunkTest {
    private static final int RECORD_BYTES = 60_000;
    /** Past the second 64 MiB block boundary. */
    private static final long WRITE_BYTES = 140L << 20;

    @TempDir
    Path home;

    private List<String> mappingThreads(boolean pretouch) throws Exception {
        PromptLogConfig config = PromptLogConfig.builder(home).shardCount(1).maxRecordBytes(64 * 1024)
                .pretouch(pretouch).backgroundCompaction(false).build();
        List<String> threads = new CopyOnWriteArrayList<>();
        RecordEncoder encoder = new RecordEncoder(config.maxRecordBytes());
        String text = "x".repeat(RECORD_BYTES);
        Counters counters = new Counters();
        try (QueueShards shards = QueueShards.open(config)) {
            append(shards, encoder, text, counters);
            SingleChronicleQueue q = shards.queue(0);
            SingleChronicleQueueStore store = q.storeForCycle(q.cycle(), q.epoch(), false, null);
            try {
                store.bytes().mappedFile().setNewChunkListener((file, chunk, delayMicros) -> {
                    if (chunk > 0) {
                        threads.add(Thread.currentThread().getName());
                    }
                });
                long written = RECORD_BYTES;
                while (written < WRITE_BYTES) {
                    assertThat(append(shards, encoder, text, counters)).isEqualTo(AppendStatus.OK);
                    written += RECORD_BYTES;
                    if (pretouch) {
                        // (from the second append on, the disk reservation the pretoucher stays within exists)
                        awaitTouchedAhead(shards.pretoucher(), written + (4L << 20));
                    }
                }
            } finally {
                q.closeStore(store);
            }
        }
        return threads;
    }

    private static int append(QueueShards shards, RecordEncoder encoder, String text, Counters counters) {
        encoder.reset();
        encoder.putString(CallField.RESPONSE.id(), text);
        int length = encoder.finish(RecordDescriptor.KIND_CALL);
        return shards.append(0, encoder.buffer(), length, null, counters, null);
    }

    /** Waits (up to 30 s) until the pretoucher has touched the file this far: it keeps up with the writer. */
    private static void awaitTouchedAhead(Pretoucher p, long offset) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (p.touchedUpTo(0) < offset) {
            assertThat(System.nanoTime()).as("pretoucher reached offset %d (at %d)", offset, p.touchedUpTo(0))
                    .isLessThan(deadline);
            LockSupport.parkNanos(1_000_000);
        }
    }

    @Test
    void shouldMapEachNewBlockOnThePretoucherThreadSoNoAppendMapsOne() throws Exception {
        List<String> threads = mappingThreads(true);
        System.out.println("pretouch on: new blocks mapped by " + threads);
        assertThat(threads).isNotEmpty().containsOnly("promptlog-pretoucher");
    }

    @Test
    void shouldMapNewBlocksOnTheAppendingThreadWhenThePretoucherIsOff() throws Exception {
        List<String> threads = mappingThreads(false);
        System.out.println("pretouch off: new blocks mapped by " + threads);
        assertThat(threads).isNotEmpty().containsOnly(Thread.currentThread().getName());
    }
}
