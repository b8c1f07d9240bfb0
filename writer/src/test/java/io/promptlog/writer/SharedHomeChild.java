package io.promptlog.writer;

import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;

import java.nio.file.Path;

/**
 * Child JVM of {@link SharedHomeTest}: a second process on a home another process appends to. It logs one
 * call, finds the shard directory its log wrote that call to, takes that queue's Chronicle write lock as an
 * append does, prints {@code locked <dir>} and waits to be killed with the lock held.
 */
public final class SharedHomeChild {
    private SharedHomeChild() {
    }

    public static void main(String[] args) throws Exception {
        Path home = Path.of(args[0]);
        LlmCall call = SeqCalls.call(Long.parseLong(args[1]));
        try (PromptLog log = PromptLog.open(PromptLogConfig.builder(home).shardCount(1).backgroundCompaction(false).build())) {
            int status = log.append(call);
            if (!AppendStatus.isAppended(status)) {
                throw new IllegalStateException("append: " + AppendStatus.describe(status) + " " + log.stats().lastError());
            }
            Path mine = null;
            for (Path dir : PromptLogHome.shardDirs(home)) {
                try (ShardCursor c = ShardCursor.open(dir)) {
                    while (c.next()) {
                        if (c.decode().callId().equals(call.callId())) {
                            mine = dir;
                        }
                    }
                }
            }
            System.out.println("appended to " + mine);
            SingleChronicleQueue q = PromptLogHome.openShard(mine, RollPeriod.HOURLY, PromptLogConfig.DEFAULT_MAX_RECORD_BYTES, false);
            ExcerptAppender appender = q.createAppender();
            DocumentContext dc = appender.writingDocument(); // Chronicle's write lock, as held mid-append
            dc.wire().bytes().writeLong(0);
            System.out.println("locked " + mine);
            System.out.flush();
            new java.util.concurrent.CountDownLatch(1).await(); // until the test kills this process
        }
    }
}
