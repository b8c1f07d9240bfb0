package io.promptlog.writer;

import io.promptlog.testsupport.SettableClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link ShardCursor#toEnd}: the last records of the last cycle, then what is appended later; nothing before. */
@Timeout(60)
class ShardCursorToEndTest {
    @TempDir
    Path home;

    @Test
    void shouldReadOnlyTheLastRecordsOfTheLastCycleThenNewOnes() throws Exception {
        SettableClock clock = SettableClock.atHour(490_000);
        PromptLogConfig config = PromptLogConfig.builder(home).shardCount(1).rollClock(clock).backgroundCompaction(false).build();
        try (PromptLog log = PromptLog.open(config)) {
            append(log, "old", 5);
            clock.advanceHours(1);
            append(log, "last", 10);
        }
        Path shard = PromptLogHome.shardDir(home, 0);
        assertThat(ids(shard, 3)).containsExactly("last7", "last8", "last9");
        assertThat(ids(shard, 10)).containsExactly("last0", "last1", "last2", "last3", "last4", "last5", "last6", "last7",
                "last8", "last9");
        assertThat(ids(shard, 50)).as("no more than the last cycle").hasSize(10).startsWith("last0");
        assertThat(ids(shard, 0)).isEmpty();

        try (ShardCursor c = ShardCursor.open(shard)) {
            c.toEnd(0);
            assertThat(c.next()).isFalse();
            try (PromptLog log = PromptLog.open(config)) {
                append(log, "new", 2);
            }
            List<String> after = new ArrayList<>();
            while (c.next()) {
                after.add(c.decode().callId());
            }
            assertThat(after).containsExactly("new0", "new1");
        }
    }

    @Test
    void shouldStartAnEmptyShardAtItsStart() throws Exception {
        PromptLogConfig config = PromptLogConfig.builder(home).shardCount(1).backgroundCompaction(false).build();
        try (PromptLog log = PromptLog.open(config)) {
            assertThat(log.stats().appended()).isZero();
        }
        Path shard = PromptLogHome.shardDir(home, 0);
        try (ShardCursor c = ShardCursor.open(shard)) {
            assertThat(c.lastIndex()).isEqualTo(-1);
            c.toEnd(5);
            try (PromptLog log = PromptLog.open(config)) {
                append(log, "first", 1);
            }
            assertThat(c.next()).isTrue();
            assertThat(c.decode().callId()).isEqualTo("first0");
        }
    }

    private static List<String> ids(Path shard, int records) throws Exception {
        List<String> out = new ArrayList<>();
        try (ShardCursor c = ShardCursor.open(shard)) {
            c.toEnd(records);
            while (c.next()) {
                out.add(c.decode().callId());
            }
        }
        return out;
    }

    private static void append(PromptLog log, String prefix, int n) {
        for (int i = 0; i < n; i++) {
            assertThat(log.append(LlmCall.builder().callId(prefix + i).requestModel("m").build())).isNotNegative();
        }
    }
}
