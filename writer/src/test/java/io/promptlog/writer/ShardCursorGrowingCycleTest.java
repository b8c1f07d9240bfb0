package io.promptlog.writer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A cursor kept open while the writer fills its cycle file past the size the cursor first saw (as the
 * compactor keeps one across passes) still moves by index: it does not walk the cycle from its start on
 * every move (which made each compaction pass read the whole cycle: quadratic in the calls of a cycle).
 */
@Timeout(120)
class ShardCursorGrowingCycleTest {
    @TempDir
    Path home;

    @Test
    void shouldMoveByIndexAfterTheCycleFileGrewPastItsFirstSize() throws Exception {
        PromptLogConfig config = PromptLogConfig.builder(home).shardCount(1).backgroundCompaction(false).build();
        Path shard = PromptLogHome.shardDir(home, 0);
        String text = "x".repeat(1 << 20);
        try (PromptLog log = PromptLog.open(config); ShardCursor c = ShardCursor.open(shard)) {
            append(log, "small", 3, null);
            long second = c.firstIndex() + 1;
            c.moveAfter(second);
            assertThat(c.next()).isTrue();
            assertThat(c.decode().callId()).isEqualTo("small2");
            long before = cycleFileBytes(shard);
            int n = 0;
            // past the first size by far: Chronicle extends a file ahead of its write position
            while (cycleFileBytes(shard) <= 2 * before) {
                append(log, "big", 1, text);
                n++;
                assertThat(n).as("appended calls of 1 MB without the cycle file growing").isLessThan(1000);
            }
            append(log, "last", 2, null);
            long walked = c.walksByHand();
            c.moveAfter(c.lastIndex() - 1);
            assertThat(c.next()).isTrue();
            assertThat(c.decode().callId()).isEqualTo("last1");
            assertThat(c.walksByHand()).as("moves that walked the cycle from its start").isEqualTo(walked);
        }
    }

    private static long cycleFileBytes(Path shard) throws Exception {
        try (Stream<Path> s = Files.list(shard)) {
            return s.filter(p -> p.toString().endsWith(".cq4")).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    private static void append(PromptLog log, String prefix, int n, String response) {
        for (int i = 0; i < n; i++) {
            assertThat(log.append(LlmCall.builder().callId(prefix + i).requestModel("m").response(response).build())).isNotNegative();
        }
    }
}
