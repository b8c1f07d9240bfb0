package io.promptlog.compactor;

import io.promptlog.format.CallsFileListing;
import io.promptlog.format.DatasetLayout;
import io.promptlog.writer.CallField;
import io.promptlog.writer.LlmCall;
import io.promptlog.writer.PromptLog;
import io.promptlog.writer.PromptLogConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static io.promptlog.compactor.MergeFixture.filesOf;
import static io.promptlog.compactor.MergeFixture.parquet;
import static io.promptlog.compactor.MergeFixture.rows;
import static org.assertj.core.api.Assertions.assertThat;

/** Merging a closed day's small calls files: same rows, fewer files, late calls, duplicates, erasure, TTL. */
@Timeout(240)
class DayMergeTest {
    /** Homes built once (logged and compacted), copied into each test's own directory. */
    @TempDir
    static Path bases;

    /** A copy, in {@code home}, of a home with calls [0, calls) compacted into files of at most 40 rows. */
    static void given(Path home, int calls) throws Exception {
        Path base = bases.resolve("calls-" + calls);
        synchronized (DayMergeTest.class) {
            if (!Files.isDirectory(base)) {
                MergeFixture.logAndCompact(base, 0, calls);
            }
        }
        MergeCrashTest.copy(base, home);
    }

    @Test
    void shouldMergeEachClosedDayIntoOneFileWithTheSameRowsAndLeaveTheOpenDayAlone(@TempDir Path home) throws Exception {
        given(home, 1500);
        Path data = home.resolve("data");
        Map<String, String> before = rows(data);
        assertThat(before).hasSize(1500);
        int day20 = filesOf(data, "2026-11-20").size();
        List<Path> day22 = filesOf(data, "2026-11-22");
        assertThat(day20).isGreaterThan(10);

        List<String> steps = new ArrayList<>();
        MergeResult r;
        try (Compactor c = Compactor.open(MergeFixture.config(home).build())) {
            r = c.mergeClosedDays(steps::add);
        }
        assertThat(r.daysMerged()).as(r.describe()).isEqualTo(2);
        assertThat(r.calls()).isEqualTo(2 * MergeFixture.PER_DAY);
        assertThat(r.duplicatesDropped()).isZero();
        assertThat(filesOf(data, "2026-11-20")).hasSize(1);
        assertThat(filesOf(data, "2026-11-21")).hasSize(1);
        assertThat(filesOf(data, "2026-11-22")).as("the open day is not merged").isEqualTo(day22);
        assertThat(rows(data)).isEqualTo(before);
        assertThat(steps).anyMatch(s -> s.startsWith("committed the merge of 2026-11-20"));

        Path merged = filesOf(data, "2026-11-20").get(0);
        assertThat(DatasetLayout.isMerged(merged.getFileName().toString())).isTrue();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(merged))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(DatasetLayout.mergeEpochFile(data))))
                .isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(DatasetLayout.mergeLockFile(data))))
                .isEqualTo("rw-------");
        try (Stream<Path> s = Files.list(DatasetLayout.metaDir(data))) {
            assertThat(s.map(p -> p.getFileName().toString())).noneMatch(n -> n.contains("journal"));
        }
        try (Stream<Path> s = Files.walk(data)) {
            assertThat(s.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp"));
        }
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement st = c.createStatement()) {
            String f = "'" + merged + "'";
            // a plain glob (DuckDB, Spark) reads the same rows, each once
            try (ResultSet rs = st.executeQuery("SELECT count(*), count(DISTINCT call_id) FROM read_parquet('"
                    + data.resolve("calls") + "/**/*.parquet', hive_partitioning = true)")) {
                rs.next();
                assertThat(rs.getLong(1)).isEqualTo(1500);
                assertThat(rs.getLong(2)).isEqualTo(1500);
            }
            // call_id statistics and bloom filter kept, rows sorted by call_id
            try (ResultSet rs = st.executeQuery("SELECT count(*), count(stats_min_value), count(bloom_filter_offset) "
                    + "FROM parquet_metadata(" + f + ") WHERE path_in_schema = 'call_id'")) {
                rs.next();
                assertThat(rs.getLong(1)).isPositive();
                assertThat(rs.getLong(2)).isEqualTo(rs.getLong(1));
                assertThat(rs.getLong(3)).isEqualTo(rs.getLong(1));
            }
            try (ResultSet rs = st.executeQuery("SELECT count(*) FROM (SELECT call_id, lag(call_id) OVER () AS prev "
                    + "FROM read_parquet(" + f + ")) WHERE prev > call_id")) {
                rs.next();
                assertThat(rs.getLong(1)).as("rows out of call_id order").isZero();
            }
            try (ResultSet rs = st.executeQuery("SELECT value FROM parquet_kv_metadata(" + f + ") WHERE key = 'promptlog.merged_from'")) {
                assertThat(rs.next()).isTrue();
                assertThat(Integer.parseInt(rs.getString(1))).isEqualTo(day20);
            }
        }

        // nothing left to merge: a second run changes nothing
        try (Compactor c = Compactor.open(MergeFixture.config(home).build())) {
            assertThat(c.mergeClosedDays().daysMerged()).isZero();
        }
        assertThat(rows(data)).isEqualTo(before);
    }

    @Test
    void shouldFindALateCallNextToTheMergedFileAndMergeTheDayAgain(@TempDir Path home) throws Exception {
        given(home, 900);
        Path data = home.resolve("data");
        try (Compactor c = Compactor.open(MergeFixture.config(home).build())) {
            assertThat(c.mergeClosedDays().daysMerged()).isEqualTo(2);
        }
        assertThat(filesOf(data, "2026-11-20")).hasSize(1);
        // a call of 2026-11-20 arriving late: a compactor that was down, a two-phase call completed late
        try (io.promptlog.writer.PromptLog log = io.promptlog.writer.PromptLog.open(io.promptlog.writer.PromptLogConfig
                .builder(home).shardCount(2).backgroundCompaction(false).build())) {
            log.append(MergeFixture.call(10).toBuilder().callId("late-one").build());
        }
        Map<String, String> before;
        try (Compactor c = Compactor.open(MergeFixture.config(home).build())) {
            c.runOnce();
            assertThat(filesOf(data, "2026-11-20")).hasSize(2);
            before = rows(data);
            assertThat(before).containsKey("late-one").hasSize(901);
            MergeResult r = c.mergeClosedDays();
            assertThat(r.daysMerged()).as(r.describe()).isEqualTo(1);
            assertThat(r.filesMerged()).isEqualTo(2);
        }
        assertThat(filesOf(data, "2026-11-20")).hasSize(1);
        assertThat(rows(data)).isEqualTo(before);
    }

    @Test
    void shouldKeepOneRowPerCallIdWhenMerging(@TempDir Path home) throws Exception {
        MergeFixture.logAndCompact(home, 0, 200);
        // the same call_id logged again (an app retrying with its own id) lands in a later batch
        try (io.promptlog.writer.PromptLog log = io.promptlog.writer.PromptLog.open(io.promptlog.writer.PromptLogConfig
                .builder(home).shardCount(2).backgroundCompaction(false).build())) {
            log.append(MergeFixture.call(5).toBuilder().response("retried").build());
            log.append(MergeFixture.call(6).toBuilder().response("retried").build());
        }
        try (Compactor c = Compactor.open(MergeFixture.config(home).build())) {
            c.runOnce();
            // the compactor leaves the copies out already (CallIdIndex); the merge's own check is the second line
            // of defence (two compactors of different queues committing one call_id into a day at once)
            assertThat(c.stats().duplicatesDropped()).isEqualTo(2);
        }
        Path data = home.resolve("data");
        try (DuckDataset d = new DuckDataset(data)) {
            assertThat(d.count("SELECT count(*) FROM calls WHERE call_id IN ('call-000005', 'call-000006')")).isEqualTo(2);
        }
        MergeResult r;
        try (Compactor c = Compactor.open(MergeFixture.config(home).build())) {
            r = c.mergeClosedDays();
        }
        assertThat(r.duplicatesDropped()).isZero();
        try (DuckDataset d = new DuckDataset(data)) {
            assertThat(d.count("SELECT count(*) FROM calls")).isEqualTo(200);
            assertThat(d.count("SELECT count(DISTINCT call_id) FROM calls")).isEqualTo(200);
            // the first one logged is kept (the earlier batch file starts earlier)
            assertThat(d.count("SELECT count(*) FROM calls WHERE response = 'retried'")).isZero();
        }
    }

    @Test
    void shouldKeepTheCompleteRowOverAnIncompleteOneOfTheSameCallIdWhenMerging(@TempDir Path dir) throws Exception {
        // queue A stored call 5 as incomplete (its response never reached A's compactor); queue B, another process
        // writing into the same dataset, stored the same call complete (a late completion, LateCompletions). A's
        // file starts earlier, which alone would keep A's row: the complete row must stay, the incomplete one go
        Path a = dir.resolve("a");
        Path b = dir.resolve("b");
        LlmCall incomplete = MergeFixture.call(5).toBuilder().status(CallField.STATUS_INCOMPLETE).response(null).build();
        try (PromptLog log = PromptLog.open(PromptLogConfig.builder(a).shardCount(1).backgroundCompaction(false).build())) {
            for (int i = 0; i < 100; i++) {
                assertThat(log.append(i == 5 ? incomplete : MergeFixture.call(i))).isGreaterThanOrEqualTo(0);
            }
        }
        try (PromptLog log = PromptLog.open(PromptLogConfig.builder(b).shardCount(1).backgroundCompaction(false).build())) {
            assertThat(log.append(MergeFixture.call(5))).isGreaterThanOrEqualTo(0);
        }
        for (Path home : List.of(a, b)) {
            try (Compactor c = Compactor.open(MergeFixture.config(home).build())) {
                assertThat(c.runOnce().callsWritten()).isEqualTo(home == a ? 100 : 1);
            }
        }
        Path data = a.resolve("data");
        try (Stream<Path> s = Files.walk(b.resolve("data"))) { // B's files and checkpoint join A's dataset
            for (Path f : s.filter(f -> f.toString().endsWith(".parquet") || f.toString().endsWith(".checkpoint")).toList()) {
                Path t = data.resolve(b.resolve("data").relativize(f).toString());
                Files.createDirectories(t.getParent());
                Files.copy(f, t);
            }
        }
        try (DuckDataset d = new DuckDataset(data)) {
            assertThat(d.count("SELECT count(*) FROM calls WHERE call_id = 'call-000005'")).as("both rows stored").isEqualTo(2);
        }
        MergeResult r;
        try (Compactor c = Compactor.open(MergeFixture.config(a).build())) {
            r = c.mergeClosedDays();
        }
        assertThat(r.daysMerged()).as(r.describe()).isEqualTo(1);
        assertThat(r.duplicatesDropped()).isEqualTo(1);
        assertThat(filesOf(data, "2026-11-20")).hasSize(1);
        try (DuckDataset d = new DuckDataset(data)) {
            assertThat(d.count("SELECT count(*) FROM calls")).isEqualTo(100);
            assertThat(d.count("SELECT count(*) FROM calls WHERE call_id = 'call-000005' AND status <> 'incomplete' AND response = "
                    + "'" + MergeFixture.call(5).response().replace("'", "''") + "'")).isEqualTo(1);
            assertThat(d.count("SELECT count(*) FROM calls WHERE status = 'incomplete'")).isZero();
        }
    }

    @Test
    void shouldDictionaryEncodeTheMessageContentsOfMergedFilesAndReadTheSameRows(@TempDir Path home) throws Exception {
        // a chat: each call re-sends the conversation so far (6 turns a conversation)
        try (PromptLog log = PromptLog.open(PromptLogConfig.builder(home).shardCount(1).backgroundCompaction(false).build())) {
            for (int i = 0; i < 300; i++) {
                List<io.promptlog.writer.Message> history = new ArrayList<>();
                for (int t = 0; t <= i % 6; t++) {
                    history.add(io.promptlog.writer.Message.of("user", "conversation " + i / 6 + ", question " + t + ": " + "why ".repeat(20)));
                    if (t < i % 6) {
                        history.add(io.promptlog.writer.Message.of("assistant", "answer " + (i / 6) + "/" + t + " " + "because ".repeat(20)));
                    }
                }
                assertThat(log.append(MergeFixture.call(i).toBuilder().messages(history).build())).isGreaterThanOrEqualTo(0);
            }
        }
        try (Compactor c = Compactor.open(MergeFixture.config(home).build())) {
            c.runOnce();
        }
        Path data = home.resolve("data");
        Map<String, String> before = rows(data);
        String content = "path_in_schema = 'messages, list, element, content' AND encodings LIKE '%DICTIONARY%'";
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM parquet_metadata('" + data.resolve("calls") + "/*/*.parquet') WHERE " + content)) {
            rs.next();
            assertThat(rs.getLong(1)).as("batch files keep the contents plain").isZero();
        }
        try (Compactor c = Compactor.open(MergeFixture.config(home).build())) {
            assertThat(c.mergeClosedDays().daysMerged()).isEqualTo(1);
        }
        Path merged = filesOf(data, "2026-11-20").get(0);
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM parquet_metadata('" + merged + "') WHERE " + content)) {
            rs.next();
            assertThat(rs.getLong(1)).as("merged contents dictionary-encoded").isPositive();
        }
        assertThat(rows(data)).as("every column of every row, as before the merge").isEqualTo(before);
    }

    @Test
    void shouldEraseAndExpireTextInMergedFiles(@TempDir Path home) throws Exception {
        given(home, 1500);
        Path data = home.resolve("data");
        try (Compactor c = Compactor.open(MergeFixture.config(home).build())) {
            c.mergeClosedDays();
            ErasureResult e = c.erase(ErasureRequest.builder().user("u-3").build());
            assertThat(e.rowsErased()).isEqualTo(java.util.stream.IntStream.range(0, 1500).filter(i -> i % 7 == 3).count());
        }
        try (DuckDataset d = new DuckDataset(data)) {
            assertThat(d.count("SELECT count(*) FROM calls WHERE user_id = 'u-3' AND (messages IS NOT NULL OR response IS NOT NULL)")).isZero();
            assertThat(d.count("SELECT count(*) FROM calls WHERE user_id = 'u-4' AND messages IS NOT NULL")).isPositive();
        }
        // text retention of 1 day at 2026-11-22T12:00: text of 2026-11-20 expires (a merged file), 11-21 stays
        try (Compactor c = Compactor.open(MergeFixture.config(home).textRetention(java.time.Duration.ofDays(1)).build())) {
            c.runOnce();
        }
        try (DuckDataset d = new DuckDataset(data)) {
            assertThat(d.count("SELECT count(*) FROM calls WHERE date = DATE '2026-11-20' AND messages IS NOT NULL")).isZero();
            assertThat(d.count("SELECT count(*) FROM calls WHERE date = DATE '2026-11-20'")).isEqualTo(MergeFixture.PER_DAY);
            assertThat(d.count("SELECT count(*) FROM calls WHERE date = DATE '2026-11-21' AND user_id <> 'u-3' AND messages IS NOT NULL"))
                    .isPositive();
        }
    }

    @Test
    void shouldMergeOneClosedDayPerBackgroundPassByDefault(@TempDir Path home) throws Exception {
        given(home, 1500);
        Path data = home.resolve("data");
        Map<String, String> before = rows(data);
        try (Compactor c = Compactor.open(MergeFixture.config(home).mergeClosedDays(true).build())) {
            c.runIfDue();
            assertThat(filesOf(data, "2026-11-20")).hasSize(1);
            assertThat(filesOf(data, "2026-11-21").size()).isGreaterThan(1);
            c.runIfDue();
            assertThat(filesOf(data, "2026-11-21")).hasSize(1);
            assertThat(c.stats().errors()).as("%s", c.stats().lastError()).isZero();
        }
        assertThat(rows(data)).isEqualTo(before);
        assertThat(CompactorConfig.defaults(home).mergeClosedDays()).isTrue();
    }

    @Test
    void shouldLookForAClosedDayOnceAMinuteInTheBackgroundWhenNoneWasDue(@TempDir Path home) throws Exception {
        given(home, 900);
        Path data = home.resolve("data");
        int before = filesOf(data, "2026-11-20").size();
        java.util.concurrent.atomic.AtomicLong millis = new java.util.concurrent.atomic.AtomicLong(
                java.time.Instant.parse("2026-11-21T00:59:50Z").toEpochMilli());
        java.time.Clock clock = new java.time.Clock() {
            @Override
            public java.time.ZoneId getZone() {
                return java.time.ZoneOffset.UTC;
            }

            @Override
            public java.time.Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public java.time.Instant instant() {
                return java.time.Instant.ofEpochMilli(millis.get());
            }
        };
        try (Compactor c = Compactor.open(MergeFixture.config(home).clock(clock).mergeClosedDays(true).build())) {
            c.runIfDue(); // 2026-11-20 closes at 01:00 (1 h grace): nothing due
            millis.addAndGet(20_000);
            c.runIfDue(); // due now, but the last look was 20 s ago
            assertThat(filesOf(data, "2026-11-20")).hasSize(before);
            millis.addAndGet(60_000);
            c.runIfDue();
            assertThat(filesOf(data, "2026-11-20")).hasSize(1);
        }
    }

    @Test
    void shouldNotMergeADayWithABatchAboveItsQueuesCheckpoint(@TempDir Path home) throws Exception {
        given(home, 900);
        Path data = home.resolve("data");
        // another host's compactor (queue ...aa) renamed a batch into 2026-11-20 and has not checkpointed it yet
        List<Path> day20 = filesOf(data, "2026-11-20");
        Path foreign = day20.get(0).resolveSibling("other-host_00000000000000aa_s0_0000000000000000-0000000000000005.parquet");
        Files.copy(day20.get(0), foreign);
        try (Compactor c = Compactor.open(MergeFixture.config(home).build())) {
            MergeResult r = c.mergeClosedDays();
            assertThat(r.daysMerged()).as(r.describe()).isEqualTo(1);
        }
        assertThat(filesOf(data, "2026-11-20")).hasSize(day20.size() + 1);
        assertThat(filesOf(data, "2026-11-21")).hasSize(1);
        // once that batch is checkpointed the day is closed; its rows repeat ours, so they are dropped
        Files.writeString(DatasetLayout.checkpointFile(data, "00000000000000aa"), "shard.0=5\n");
        long copied;
        try (DuckDataset d = new DuckDataset(data)) {
            copied = d.count("SELECT count(*) FROM read_parquet('" + foreign + "')");
        }
        try (Compactor c = Compactor.open(MergeFixture.config(home).build())) {
            MergeResult r = c.mergeClosedDays();
            assertThat(r.daysMerged()).as(r.describe()).isEqualTo(1);
            assertThat(r.duplicatesDropped()).isEqualTo(copied);
        }
        assertThat(filesOf(data, "2026-11-20")).hasSize(1);
        try (DuckDataset d = new DuckDataset(data)) {
            assertThat(d.count("SELECT count(*) FROM calls")).isEqualTo(900);
        }
    }

    @Test
    void shouldRebuildALostCheckpointFromMergedFilesAndNotCompactTheirCallsAgain(@TempDir Path home) throws Exception {
        given(home, 900);
        Path data = home.resolve("data");
        Map<Integer, Long> committed;
        try (Compactor c = Compactor.open(MergeFixture.config(home).queueRetention(CompactorConfig.KEEP_QUEUE_FOREVER).build())) {
            assertThat(c.mergeClosedDays().daysMerged()).isEqualTo(2);
            committed = c.committed();
        }
        try (Stream<Path> s = Files.list(DatasetLayout.metaDir(data))) {
            for (Path p : s.filter(p -> p.toString().endsWith(".checkpoint")).toList()) {
                Files.delete(p);
            }
        }
        try (Compactor c = Compactor.open(MergeFixture.config(home).queueRetention(CompactorConfig.KEEP_QUEUE_FOREVER).build())) {
            assertThat(c.committed()).isEqualTo(committed);
            assertThat(c.runOnce().callsWritten()).isZero();
        }
        try (DuckDataset d = new DuckDataset(data)) {
            assertThat(d.count("SELECT count(*) FROM calls")).isEqualTo(900);
        }
    }

    @Test
    void shouldMergeAroundADamagedFileAndReportADayThatCannotBeMerged(@TempDir Path home) throws Exception {
        given(home, 900);
        Path data = home.resolve("data");
        Map<String, String> before = rows(data);
        // 2026-11-20: one file's footer destroyed (truncated); 2026-11-21: one file's pages overwritten
        List<Path> day20 = filesOf(data, "2026-11-20");
        Path truncated = day20.get(1);
        List<Path> day21 = filesOf(data, "2026-11-21");
        Path garbled = day21.get(0);
        long lost;
        try (DuckDataset d = new DuckDataset(data)) {
            lost = d.count("SELECT count(*) FROM read_parquet(['" + truncated + "', '" + garbled + "'])");
        }
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(truncated, java.nio.file.StandardOpenOption.WRITE)) {
            ch.truncate(ch.size() / 2);
        }
        byte[] bytes = Files.readAllBytes(garbled);
        java.util.Arrays.fill(bytes, 4, bytes.length / 2, (byte) 0x5a);
        Files.write(garbled, bytes);
        MergeResult r;
        try (Compactor c = Compactor.open(MergeFixture.config(home).build())) {
            List<String> steps = new ArrayList<>();
            r = c.mergeClosedDays(steps::add);
            assertThat(steps).anyMatch(s -> s.startsWith("skipping calls/date=2026-11-20/" + truncated.getFileName()));
            assertThat(steps).anyMatch(s -> s.startsWith("cannot merge the calls files of 2026-11-21"));
            assertThat(c.stats().lastError()).contains("2026-11-21");
        }
        assertThat(r.daysMerged()).as(r.describe()).isEqualTo(1);
        assertThat(filesOf(data, "2026-11-20")).hasSize(2).contains(truncated);
        assertThat(filesOf(data, "2026-11-21")).as("left as it was").isEqualTo(day21);
        try (Stream<Path> s = Files.walk(data)) {
            assertThat(s.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp") || n.endsWith(".journal"));
        }
        // every call outside the two damaged files is still there, once
        Files.delete(truncated);
        Files.delete(garbled);
        Map<String, String> after = rows(data);
        assertThat(before).containsAllEntriesOf(after);
        assertThat(after).hasSize(before.size() - (int) lost);
    }

    @Test
    void shouldRejectBadMergeSettingsByName() {
        Path home = Path.of("unused");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> CompactorConfig.builder(home).mergeFileBytes(10).build())
                .hasMessageContaining("mergeFileBytes");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> CompactorConfig.builder(home).mergeGrace(java.time.Duration.ofMinutes(-1)).build())
                .hasMessageContaining("mergeGrace");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> CompactorConfig.builder(home).mergeRowGroupBytes(1).build())
                .hasMessageContaining("mergeRowGroupBytes");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> CompactorConfig.builder(home).mergeZstdLevel(23).build())
                .hasMessageContaining("mergeZstdLevel must be 1..22, was 23");
        assertThat(CompactorConfig.builder(home).build().mergeZstdLevel()).isEqualTo(CompactorConfig.DEFAULT_MERGE_ZSTD_LEVEL);
    }

    static long epoch(Path data) throws java.io.IOException {
        return CallsFileListing.readEpoch(data);
    }
}
