package io.promptlog.reader;

import io.promptlog.writer.LlmCall;
import io.promptlog.writer.PromptLog;
import io.promptlog.writer.PromptLogConfig;
import io.promptlog.writer.PromptLogHome;
import io.promptlog.writer.ShardCursor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The lookup of one call by its UUIDv7 id reads the files of the id's date partition and nothing else: not the
 * other days' files, not the live queue. Shown by damage elsewhere that only a wider read would notice.
 */
@Timeout(120)
class DayPrunedLookupTest {
    private static final long DAY_1_MICROS = 1_795_132_800_123_456L; // 2026-11-20
    private static final long DAY_2_MICROS = DAY_1_MICROS + 86_400_000_000L;

    @TempDir
    Path home;

    @Test
    void shouldFindACallThroughItsDayFilesWithoutReadingOtherDaysOrTheQueue() throws Exception {
        LlmCall first = call(DAY_1_MICROS, "first");
        LlmCall second = call(DAY_2_MICROS, "second");
        LlmCall live = call(DAY_1_MICROS + 5_000_000, "live");
        append(first, second);
        TestHomes.compact(home, "all", "none");
        append(live);
        Path day2File = onlyParquetIn(home.resolve("data/calls/date=2026-11-21"));
        Files.write(day2File, "not parquet at all".getBytes());
        damageLastQueueRecord();

        try (PromptLogReader r = PromptLogReader.openHome(home)) {
            StoredCall found = r.requireCall(first.callId());
            assertThat(found.call().requestModel()).isEqualTo("first");
            assertThat(found.call().systemPrompt()).isEqualTo(first.systemPrompt());
            assertThat(found.live()).isFalse();
            assertThat(r.warnings()).as("neither the other day's file nor the queue was read").isEmpty();

            // user SQL after the lookup still runs over the whole dataset, locked down
            assertThat(r.sql("SELECT count(*) FROM calls").scalar()).isEqualTo(1L);
            assertThat(r.warnings()).anySatisfy(w -> assertThat(w).contains(day2File.getFileName().toString()))
                    .anySatisfy(w -> assertThat(w).startsWith("queue:"));
            assertThatThrownBy(() -> r.sql("SELECT * FROM read_csv('/etc/passwd')"))
                    .hasMessageContaining("reads only the dataset");
        }
    }

    @Test
    void shouldFindALiveCallAndACallOfAnotherDayByTheirIds() throws Exception {
        LlmCall compacted = call(DAY_1_MICROS, "compacted");
        LlmCall live = call(DAY_2_MICROS, "live");
        // live on a day that has a file too: that file's start times do not hold it, the live view does
        LlmCall liveSameDay = call(DAY_1_MICROS + 5_000_000, "live-same-day");
        // a UUIDv7 naming day 2 on a call that started on day 1: only the fallback over every file finds it
        LlmCall moved = call(DAY_1_MICROS + 1, "moved").toBuilder().callId(uuidV7(DAY_2_MICROS / 1000, 7)).build();
        append(compacted, moved);
        TestHomes.compact(home, "all", "none");
        append(live, liveSameDay);
        try (PromptLogReader r = PromptLogReader.openHome(home)) {
            assertThat(r.requireCall(live.callId()).live()).isTrue();
            StoredCall sameDay = r.requireCall(liveSameDay.callId());
            assertThat(sameDay.live()).isTrue();
            assertThat(sameDay.call().systemPrompt()).isEqualTo(liveSameDay.systemPrompt());
            assertThat(r.requireCall(moved.callId()).call().requestModel()).isEqualTo("moved");
            assertThat(r.requireCall(compacted.callId()).call().requestModel()).isEqualTo("compacted");
            assertThat(r.call(uuidV7(DAY_2_MICROS / 1000 + 1, 9))).isEmpty();
        }
    }

    @Test
    void shouldTreatAnIdShapedLikeAUuidV7ButHoldingSqlAsUnknown() throws Exception {
        LlmCall logged = call(DAY_1_MICROS, "logged");
        append(logged);
        TestHomes.compact(home, "all", "none");
        String id = logged.callId();
        try (PromptLogReader r = PromptLogReader.openHome(home)) {
            // same length, dashes and time digits as the logged id: the day's lookup would take it
            for (String tail : new String[] {"' OR '1'='1'", "'", "x'||'", "\u0000", "' --"}) {
                String hostile = id.substring(0, 24) + (tail + "000000000000").substring(0, 12);
                assertThat(hostile).hasSize(36);
                assertThat(r.call(hostile)).as(hostile).isEmpty();
            }
            assertThat(r.call(id.toUpperCase(Locale.ROOT))).as("ids are compared as written").isEmpty();
            assertThat(r.requireCall(id).call().requestModel()).isEqualTo("logged");
            assertThat(r.warnings()).isEmpty();
        }
    }

    private static LlmCall call(long startMicros, String model) {
        return LlmCall.builder().callId(uuidV7(startMicros / 1000, startMicros % 1000)).startTimeMicros(startMicros)
                .requestModel(model).systemPrompt("You answer questions about " + model + ".")
                .message("user", "q").response("a").status("ok").build();
    }

    /** A UUIDv7 string with this millisecond and a distinguishing tail. */
    static String uuidV7(long millis, long tail) {
        String ms = String.format(Locale.ROOT, "%012x", millis);
        return ms.substring(0, 8) + "-" + ms.substring(8) + "-7abc-8def-" + String.format(Locale.ROOT, "%012x", tail);
    }

    private void append(LlmCall... calls) {
        try (PromptLog log = PromptLog.open(PromptLogConfig.builder(home).shardCount(1).backgroundCompaction(false).build())) {
            for (LlmCall c : calls) {
                assertThat(log.append(c)).isGreaterThanOrEqualTo(0);
            }
        }
    }

    private void damageLastQueueRecord() throws Exception {
        Path shard = PromptLogHome.shardDir(home, 0);
        long position = -1;
        int length = 0;
        try (ShardCursor c = ShardCursor.open(shard)) {
            while (c.next()) {
                position = c.position();
                length = c.length();
            }
        }
        assertThat(position).isNotNegative();
        Path cycle;
        try (Stream<Path> s = Files.list(shard)) {
            cycle = s.filter(p -> p.toString().endsWith(".cq4")).sorted().reduce((a, b) -> b).orElseThrow();
        }
        byte[] junk = new byte[8];
        Arrays.fill(junk, (byte) 0x5A);
        try (RandomAccessFile f = new RandomAccessFile(cycle.toFile(), "rw")) {
            f.seek(position + 4 + length / 2);
            f.write(junk);
        }
    }

    private static Path onlyParquetIn(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(".parquet")).reduce((a, b) -> {
                throw new AssertionError("more than one file in " + dir);
            }).orElseThrow();
        }
    }
}
