package io.promptlog.benchmarks.sink;

import io.promptlog.benchmarks.BenchCall;
import io.promptlog.writer.PromptLogConfig;
import io.promptlog.writer.PromptLogHome;
import io.promptlog.writer.RollPeriod;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The floor: one raw Chronicle queue (opened with promptlog's settings), one appender per thread, writing
 * each call's promptlog record, pre-encoded before the run. What is left is Chronicle's own append: what
 * promptlog adds on top of it is encoding the call and choosing a shard.
 */
final class ChronicleFloorSink implements CallSink {
    private final SingleChronicleQueue queue;
    private final List<ExcerptAppender> appenders = new CopyOnWriteArrayList<>();

    ChronicleFloorSink(Path dir) {
        Path shard = PromptLogHome.shardDir(dir, 0);
        shard.toFile().mkdirs();
        queue = PromptLogHome.openShard(shard, RollPeriod.HOURLY, PromptLogConfig.DEFAULT_MAX_RECORD_BYTES, false);
    }

    @Override
    public Appender appender() {
        ExcerptAppender a = queue.createAppender();
        appenders.add(a);
        return new Appender() {
            // one read view per pool entry and thread, made on first use (warm-up)
            private Bytes<?>[] views = new Bytes<?>[1024];

            @Override
            public int append(BenchCall call) {
                int i = call.poolIndex;
                if (i >= views.length) {
                    views = java.util.Arrays.copyOf(views, Math.max(i + 1, views.length * 2));
                }
                Bytes<?> b = views[i];
                if (b == null || b.underlyingObject() != call.record) {
                    b = Bytes.wrapForRead(call.record);
                    views[i] = b;
                }
                b.readPositionRemaining(0, call.record.length);
                a.writeBytes(b);
                return 0;
            }
        };
    }

    @Override
    public void close() {
        for (ExcerptAppender a : appenders) {
            a.close();
        }
        queue.close();
    }
}
