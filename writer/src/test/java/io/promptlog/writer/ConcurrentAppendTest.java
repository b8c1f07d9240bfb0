package io.promptlog.writer;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Many threads logging at once, through the real queue: every call lands exactly once, whole (no record
 * mixes two calls' bytes) and, within each shard, each thread's calls keep their order. A thread may
 * switch shards when its home shard is busy (see {@code QueueShards}), so order is per shard, not global.
 */
class ConcurrentAppendTest {
    private static final int THREADS = 8;
    private static final int CALLS_PER_THREAD = 100_000;

    @TempDir
    Path home;

    /** Text per thread, non-ASCII included, so a record is easy to attribute and a torn one fails to match. */
    private static final String[] TEXT = new String[THREADS];

    static {
        for (int t = 0; t < THREADS; t++) {
            StringBuilder sb = new StringBuilder();
            while (sb.length() < 300) {
                sb.append("thread ").append(t).append(" says héllo wörld ✓ 漢字 ");
            }
            TEXT[t] = sb.toString();
        }
    }

    /** What thread t records for its call number seq; {@link #assertIsCallOf} checks a record against it. */
    private static void record(CallRecorder r, int t, int seq) {
        r.requestModel(t % 2 == 0 ? "gpt-4o" : "claude-sonnet")
                .message("user", TEXT[t].substring(0, 10 + seq % 50))
                .response(TEXT[t].substring(0, 20 + seq % 200))
                .inputTokens(seq).outputTokens(t)
                .attribute("thread", t).attribute("seq", seq);
    }

    /** Plain checks (AssertJ per field would dominate the run time over 800k records). */
    private static void assertIsCallOf(LlmCall call, int t, int seq) {
        boolean ok = call.requestModel().equals(t % 2 == 0 ? "gpt-4o" : "claude-sonnet")
                && call.messages().equals(List.of(Message.of("user", TEXT[t].substring(0, 10 + seq % 50))))
                && call.response().equals(TEXT[t].substring(0, 20 + seq % 200))
                && call.int64(CallField.INPUT_TOKENS) == seq
                && call.int64(CallField.OUTPUT_TOKENS) == t
                && call.callId().length() == 36
                && !call.truncated();
        if (!ok) {
            throw new AssertionError("record claiming thread " + t + " call " + seq + " does not hold that call: " + call);
        }
    }

    @ParameterizedTest(name = "shardCount={0}")
    @ValueSource(ints = {1, 0})
    @Timeout(180)
    void shouldKeepEveryCallOnceWholeAndInPerThreadOrderWithinEachShard(int shardCount) throws Exception {
        PromptLogConfig.Builder config = PromptLogConfig.builder(home);
        if (shardCount > 0) {
            config.shardCount(shardCount);
        }
        PromptLog log = PromptLog.open(config.build());
        assertThat(log.isAvailable()).as(String.valueOf(log.stats().lastError())).isTrue();

        long t0 = System.nanoTime();
        CyclicBarrier start = new CyclicBarrier(THREADS);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            int id = t;
            Thread thread = new Thread(() -> {
                try {
                    start.await();
                    for (int seq = 0; seq < CALLS_PER_THREAD; seq++) {
                        CallRecorder r = log.begin();
                        record(r, id, seq);
                        int status = r.commit();
                        if (status != AppendStatus.OK) {
                            throw new AssertionError("thread " + id + " call " + seq + ": "
                                    + AppendStatus.describe(status) + ", " + log.stats().lastError());
                        }
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }, "logger-" + t);
            threads.add(thread);
            thread.start();
        }
        for (Thread thread : threads) {
            thread.join();
        }
        if (failure.get() != null) {
            throw new AssertionError("a logging thread failed", failure.get());
        }
        PromptLogStats stats = log.stats();
        log.close();
        assertThat(stats.appended()).isEqualTo((long) THREADS * CALLS_PER_THREAD);
        assertThat(stats.dropped()).isZero();

        long t1 = System.nanoTime();
        BitSet[] seen = new BitSet[THREADS];
        for (int t = 0; t < THREADS; t++) {
            seen[t] = new BitSet(CALLS_PER_THREAD);
        }
        int shardsUsed = 0;
        List<Path> shards = PromptLogHome.shardDirs(home);
        assertThat(shards).hasSize(log.config().shardCount());
        for (Path shard : shards) {
            int[] lastSeq = new int[THREADS];
            java.util.Arrays.fill(lastSeq, -1);
            long records = 0;
            try (ShardCursor c = ShardCursor.open(shard)) {
                while (c.next()) {
                    LlmCall call;
                    try {
                        call = c.decode();
                    } catch (CorruptRecordException e) {
                        throw new AssertionError("torn record at index " + Long.toHexString(c.index()) + " of " + shard, e);
                    }
                    int t = Integer.parseInt(call.attributes().get("thread"));
                    int seq = Integer.parseInt(call.attributes().get("seq"));
                    assertIsCallOf(call, t, seq);
                    if (seen[t].get(seq)) {
                        throw new AssertionError("thread " + t + " call " + seq + " appears twice");
                    }
                    seen[t].set(seq);
                    if (seq <= lastSeq[t]) {
                        throw new AssertionError("thread " + t + " call " + seq + " follows its call " + lastSeq[t]
                                + " in " + shard.getFileName());
                    }
                    lastSeq[t] = seq;
                    records++;
                }
            }
            if (records > 0) {
                shardsUsed++;
            }
        }
        for (int t = 0; t < THREADS; t++) {
            assertThat(seen[t].cardinality()).as("calls of thread %d found", t).isEqualTo(CALLS_PER_THREAD);
        }
        System.out.println("shardCount=" + log.config().shardCount() + ": " + THREADS * CALLS_PER_THREAD
                + " calls in " + shardsUsed + " shards; append " + (t1 - t0) / 1_000_000 + " ms, verify "
                + (System.nanoTime() - t1) / 1_000_000 + " ms");
    }
}
