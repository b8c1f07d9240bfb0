package io.promptlog.compactor;

import io.promptlog.format.CallsFileListing;
import io.promptlog.writer.LlmCall;
import io.promptlog.writer.Message;
import io.promptlog.writer.PromptLog;
import io.promptlog.writer.PromptLogConfig;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Test helper for merges: a home whose closed days hold many small calls files, and every row of it. */
final class MergeFixture {
    static final long STEP_MICROS = 120_000_000L;
    /** Calls a day. */
    static final int PER_DAY = 720;
    /** 2026-11-22T12:00Z: 2026-11-20 and -21 are closed (with the default 1 h grace), -22 is not. */
    static final Clock NOON_22 = Clock.fixed(Instant.parse("2026-11-22T12:00:00Z"), ZoneOffset.UTC);

    private MergeFixture() {
    }

    /** Call i: one every two minutes from 2026-11-20T00:00Z, users u-0..u-6, text in every field. */
    static LlmCall call(int i) {
        return TestCalls.everyField(i).toBuilder().callId(String.format("call-%06d", i)).userId("u-" + (i % 7))
                .startTimeMicros(TestCalls.BASE_MICROS + i * STEP_MICROS)
                .messages(List.of(Message.of("user", "question " + i + " from u-" + (i % 7)))).build();
    }

    static void log(Path home, int from, int to) {
        try (PromptLog log = PromptLog.open(PromptLogConfig.builder(home).shardCount(2).backgroundCompaction(false).build())) {
            for (int i = from; i < to; i++) {
                assertThat(log.append(call(i))).isGreaterThanOrEqualTo(0);
            }
        }
    }

    static CompactorConfig.Builder config(Path home) {
        return CompactorConfig.builder(home).retention(RetentionPolicy.all()).maxFileRows(40).hostName("merge-host")
                .clock(NOON_22).mergeClosedDays(false);
    }

    /** Logs calls [from, to) and compacts them into files of at most 40 rows. */
    static void logAndCompact(Path home, int from, int to) throws IOException {
        log(home, from, to);
        try (Compactor c = Compactor.open(config(home).build())) {
            c.runOnce();
            assertThat(c.stats().errors()).as("compaction errors: %s", c.stats().lastError()).isZero();
        }
    }

    /** call_id -> the whole row as JSON, over the files the reader's listing gives. */
    static Map<String, String> rows(Path data) throws IOException, SQLException {
        List<Path> files = CallsFileListing.list(data);
        Map<String, String> out = new TreeMap<>();
        if (files.isEmpty()) {
            return out;
        }
        StringBuilder list = new StringBuilder("[");
        for (Path f : files) {
            list.append(list.length() > 1 ? ", " : "").append('\'').append(f).append('\'');
        }
        list.append(']');
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT call_id, to_json(t)::VARCHAR FROM read_parquet(" + list
                     + ", hive_partitioning = true) t")) {
            while (r.next()) {
                String previous = out.put(r.getString(1), r.getString(2));
                assertThat(previous).as("call %s listed twice", r.getString(1)).isNull();
            }
        }
        return out;
    }

    /** Every *.parquet under calls/ (what a plain glob reads). */
    static List<Path> parquet(Path data) throws IOException {
        Path calls = data.resolve("calls");
        if (!Files.isDirectory(calls)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(calls)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".parquet") && !p.getFileName().toString().startsWith("."))
                    .sorted().toList();
        }
    }

    static List<Path> filesOf(Path data, String day) throws IOException {
        return parquet(data).stream().filter(p -> p.getParent().getFileName().toString().equals("date=" + day)).toList();
    }
}
