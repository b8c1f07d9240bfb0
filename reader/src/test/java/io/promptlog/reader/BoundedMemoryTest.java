package io.promptlog.reader;

import io.promptlog.writer.LlmCall;
import io.promptlog.writer.PromptLog;
import io.promptlog.writer.PromptLogConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The reader's DuckDB holds at most its memory limit: a live view larger than the limit is spilled to a
 * private directory (0700, deleted at close), not kept in memory and not written to DuckDB's default
 * {@code ./.tmp}. The limit is lowered to 64 MB here so that a 96 MB live view must spill.
 */
@Timeout(180)
class BoundedMemoryTest {
    private static final String PROPERTY = "promptlog.reader.memoryLimit";
    private static final int CALLS = 24_000;
    private static final int RESPONSE_CHARS = 4 * 1024;

    @TempDir
    Path home;

    @AfterEach
    void clearLimit() {
        System.clearProperty(PROPERTY);
    }

    @Test
    void shouldSpillALiveViewLargerThanTheMemoryLimitToAPrivateDirectoryDeletedAtClose() throws Exception {
        long seed = System.nanoTime();
        SplittableRandom rnd = new SplittableRandom(seed);
        long expectedChars = 0;
        try (PromptLog log = PromptLog.open(PromptLogConfig.builder(home).shardCount(1).backgroundCompaction(false).build())) {
            for (int i = 0; i < CALLS; i++) {
                String response = randomText(rnd, RESPONSE_CHARS);
                expectedChars += response.length();
                assertThat(log.append(LlmCall.builder().callId("c" + i).startTimeMicros(1_795_132_800_000_000L + i)
                        .requestModel("m").message("user", "q" + i).response(response).build())).isNotNegative();
            }
        }
        List<Path> before = spillDirs();
        System.setProperty(PROPERTY, "64MB");
        try (PromptLogReader r = PromptLogReader.openHome(home)) {
            assertThat(r.sql("SELECT count(*), CAST(sum(length(response)) AS BIGINT) FROM calls").rows().get(0))
                    .as("seed %d", seed).containsExactly((long) CALLS, expectedChars);
            List<Object> memory = r.sql("SELECT sum(memory_usage_bytes), sum(temporary_storage_bytes) FROM duckdb_memory()")
                    .rows().get(0);
            assertThat(((Number) memory.get(0)).longValue()).as("bytes held in memory").isLessThanOrEqualTo(64L << 20);
            assertThat(((Number) memory.get(1)).longValue()).as("bytes spilled").isPositive();
            List<Path> mine = spillDirs();
            mine.removeAll(before);
            assertThat(mine).hasSize(1);
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(mine.get(0)))).isEqualTo("rwx------");
            assertThat(Path.of(".tmp")).as("DuckDB's default spill directory").doesNotExist();
            r.close();
            assertThat(mine.get(0)).doesNotExist();
        }
    }

    @Test
    void shouldDeleteTheSpillDirectoryOfADeadProcess() throws Exception {
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        Path orphan = Path.of(System.getProperty("java.io.tmpdir"), "promptlog-duckdb-" + p.pid() + "-test");
        Files.createDirectories(orphan.resolve("sub"));
        Files.writeString(orphan.resolve("sub/spilled.block"), "prompt text");
        TestHomes.append(home, TestHomes.everyFieldCall());
        try (PromptLogReader r = PromptLogReader.openHome(home)) {
            assertThat(r.liveCallCount()).isEqualTo(1);
        }
        assertThat(orphan).doesNotExist();
    }

    private static List<Path> spillDirs() throws Exception {
        try (Stream<Path> s = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return new java.util.ArrayList<>(s.filter(d -> d.getFileName().toString()
                    .startsWith("promptlog-duckdb-" + ProcessHandle.current().pid() + "-")).toList());
        }
    }

    private static String randomText(SplittableRandom rnd, int chars) {
        StringBuilder sb = new StringBuilder(chars);
        for (int i = 0; i < chars; i++) {
            sb.append((char) ('a' + rnd.nextInt(26)));
        }
        return sb.toString();
    }
}
