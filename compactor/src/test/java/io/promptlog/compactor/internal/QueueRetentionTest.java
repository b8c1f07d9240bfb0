package io.promptlog.compactor.internal;

import io.promptlog.compactor.Compactor;
import io.promptlog.compactor.CompactorConfig;
import io.promptlog.writer.LlmCall;
import io.promptlog.writer.PromptLog;
import io.promptlog.writer.PromptLogConfig;
import io.promptlog.writer.PromptLogHome;
import io.promptlog.writer.ShardCursor;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.core.time.SetTimeProvider;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(120)
class QueueRetentionTest {
    private static final long HOUR_MILLIS = 3_600_000L;
    /** 2026-11-20T10:00Z. */
    private static final long T10 = 1_795_132_800_000L + 10 * HOUR_MILLIS;

    /** Raw records from a scratch queue, to re-append at chosen wall-clock times. */
    private static List<byte[]> records(Path scratch, int n) {
        try (PromptLog log = PromptLog.open(PromptLogConfig.builder(scratch).shardCount(1).backgroundCompaction(false).build())) {
            for (int i = 0; i < n; i++) {
                log.append(LlmCall.builder().callId("c-" + i).startTimeMicros(1_795_132_800_000_000L + i).status("ok").build());
            }
        }
        List<byte[]> out = new ArrayList<>();
        try (ShardCursor c = ShardCursor.open(PromptLogHome.shardDir(scratch, 0))) {
            while (c.next()) {
                out.add(Arrays.copyOf(c.buffer(), c.length()));
            }
        }
        return out;
    }

    private static List<String> cycleFiles(Path shard) throws Exception {
        try (Stream<Path> s = Files.list(shard)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".cq4")).sorted().toList();
        }
    }

    private static long rows(Path data) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
             ResultSet r = c.createStatement().executeQuery("SELECT count(*) FROM read_parquet('" + data + "/calls/**/*.parquet')")) {
            r.next();
            return r.getLong(1);
        }
    }

    @Test
    void shouldDeleteCycleFilesOnlyWhenFullyCommittedNotCurrentAndPastTheGracePeriod(@TempDir Path scratch, @TempDir Path home)
            throws Exception {
        List<byte[]> recs = records(scratch, 9);
        Path shard = PromptLogHome.shardDir(home, 0);
        Files.createDirectories(shard);
        SetTimeProvider clock = new SetTimeProvider(T10 * 1_000_000L);
        List<Long> indexes = new ArrayList<>();
        try (SingleChronicleQueue q = SingleChronicleQueueBuilder.binary(shard).rollCycle(RollCycles.FAST_HOURLY)
                .blockSize(64L << 20).timeProvider(clock).build();
             ExcerptAppender a = q.createAppender()) {
            for (int i = 0; i < 9; i++) {
                clock.currentTimeMillis(T10 + (i / 3) * HOUR_MILLIS);
                a.writeBytes(Bytes.wrapForRead(recs.get(i)));
                indexes.add(a.lastIndexAppended());
            }
        }
        assertThat(cycleFiles(shard)).containsExactly("20261120-10F.cq4", "20261120-11F.cq4", "20261120-12F.cq4");

        // unit: what a committed index allows
        // every clock below is fixed: the result does not depend on the day the test runs
        long now = T10 + 3 * HOUR_MILLIS;
        for (String f : cycleFiles(shard)) {
            Files.setLastModifiedTime(shard.resolve(f), FileTime.fromMillis(T10 + 3 * HOUR_MILLIS - 60_000));
        }
        assertThat(QueueRetention.sweep(shard, -1, 0, now)).as("nothing committed").isZero();
        assertThat(QueueRetention.sweep(shard, indexes.get(4), Long.MAX_VALUE, now)).as("kept forever").isZero();
        assertThat(QueueRetention.sweep(shard, indexes.get(4), Duration.ofHours(24).toMillis(), now))
                .as("written just now: within the grace period").isZero();
        assertThat(QueueRetention.sweep(shard, indexes.get(4), 0, now)).as("cycle 10 is fully committed").isEqualTo(1);
        assertThat(cycleFiles(shard)).containsExactly("20261120-11F.cq4", "20261120-12F.cq4");

        // through the compactor: the committed index's cycle and the newest cycle stay
        Clock dayLater = Clock.fixed(Instant.ofEpochMilli(now + 24 * HOUR_MILLIS - 120_000), ZoneOffset.UTC);
        try (Compactor c = Compactor.open(CompactorConfig.builder(home).queueRetention(Duration.ofHours(24))
                .clock(dayLater).build())) {
            c.runOnce();
            assertThat(c.stats().queueFilesDeleted()).isZero();
        }
        Files.setLastModifiedTime(shard.resolve("20261120-11F.cq4"), FileTime.fromMillis(now + 24 * HOUR_MILLIS - 25 * HOUR_MILLIS));
        try (Compactor c = Compactor.open(CompactorConfig.builder(home).queueRetention(Duration.ofHours(24))
                .clock(dayLater).build())) {
            c.runOnce();
            assertThat(c.stats().queueFilesDeleted()).as("%s", c.stats()).isEqualTo(1);
        }
        assertThat(cycleFiles(shard)).containsExactly("20261120-12F.cq4");

        // a new record a day later: the old newest cycle becomes deletable once the new one is committed
        long later = T10 + 30 * HOUR_MILLIS;
        clock.currentTimeMillis(later);
        try (SingleChronicleQueue q = SingleChronicleQueueBuilder.binary(shard).rollCycle(RollCycles.FAST_HOURLY)
                .blockSize(64L << 20).timeProvider(clock).build();
             ExcerptAppender a = q.createAppender()) {
            a.writeBytes(Bytes.wrapForRead(records(scratch.resolve("late"), 1).get(0)));
        }
        // rolling wrote an end-of-file mark into the 12 o'clock file: give it the time on the test's clock
        Files.setLastModifiedTime(shard.resolve("20261120-12F.cq4"), FileTime.fromMillis(later));
        try (Compactor c = Compactor.open(CompactorConfig.builder(home).queueRetention(Duration.ZERO)
                .clock(Clock.fixed(Instant.ofEpochMilli(later + 60_000), ZoneOffset.UTC)).build())) {
            c.runOnce();
            assertThat(c.stats().queueFilesDeleted()).isEqualTo(1);
            assertThat(c.stats().errors()).isZero();
        }
        assertThat(cycleFiles(shard)).containsExactly("20261121-16F.cq4");
        // cycle 10 was deleted by the unit sweep above (as if committed elsewhere): 3 + 3 + 1 records remain
        assertThat(rows(home.resolve("data"))).isEqualTo(7);
    }
}
