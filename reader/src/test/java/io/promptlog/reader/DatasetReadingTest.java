package io.promptlog.reader;

import io.promptlog.reader.internal.DatasetViews;
import io.promptlog.synthetic.SyntheticCalls;
import io.promptlog.writer.LlmCall;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The reader over a dataset written by the real compactor, and plain DuckDB over the same files. */
@Timeout(180)
class DatasetReadingTest {
    private static final long SEED = 11;

    @TempDir
    static Path tmp;
    static Path home;

    @BeforeAll
    static void compactTwoBatches() throws Exception {
        home = tmp.resolve("home");
        TestHomes.generate(home, 400, 0, SEED);
        TestHomes.compact(home, "all", "none");
        TestHomes.generate(home, 400, 400, SEED);
        TestHomes.compact(home, "all", "none");
    }

    private Path copyOfData(String name) throws Exception {
        Path dst = tmp.resolve(name);
        Path src = home.resolve("data");
        try (Stream<Path> s = Files.walk(src)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Path t = dst.resolve(src.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        return dst;
    }

    private static List<Path> callFiles(Path data) throws Exception {
        try (Stream<Path> s = Files.walk(data.resolve("calls"))) {
            return s.filter(p -> p.toString().endsWith(".parquet")).sorted().toList();
        }
    }

    @Test
    void shouldServeEveryViewFromTheCompactedDataset() {
        try (PromptLogReader r = PromptLogReader.open(home.resolve("data"))) {
            assertThat(r.sql("SELECT count(*) FROM calls").scalar()).isEqualTo(800L);
            assertThat(r.sql("SELECT count(*) FROM calls_live").scalar()).isEqualTo(0L);
            QueryResult types = r.sql("SELECT typeof(date), typeof(start_time), typeof(messages), typeof(attributes) FROM calls LIMIT 1");
            assertThat(types.rows().get(0)).containsExactly("DATE", "TIMESTAMP WITH TIME ZONE",
                    "STRUCT(\"role\" VARCHAR, \"content\" VARCHAR, \"name\" VARCHAR, tool_call_id VARCHAR)[]", "MAP(VARCHAR, VARCHAR)");
            assertThat(r.sql("SELECT min(date) FROM calls").scalar()).isEqualTo(LocalDate.of(2026, 11, 20));
            assertThat(r.sql("SELECT count(*) FROM system_prompts").scalar())
                    .isEqualTo(r.sql("SELECT count(DISTINCT system_prompt_hash) FROM calls").scalar());
            assertThat(r.sql("SELECT count(*) FROM calls_full WHERE system_prompt IS NULL").scalar()).isEqualTo(0L);
            assertThat(r.sql("SELECT count(*) FROM calls_full WHERE tools_hash IS NOT NULL AND tools IS NULL").scalar()).isEqualTo(0L);
        }
    }

    @Test
    void shouldReturnOneCallWithEverythingRetainedIncludingTheSystemPromptText() {
        SyntheticCalls synth = new SyntheticCalls(SEED);
        try (PromptLogReader r = PromptLogReader.open(home.resolve("data"))) {
            for (int seq : new int[]{0, 17, 401, 799}) {
                String id = (String) r.sql("SELECT call_id FROM calls WHERE attributes['seq'] = '" + seq + "'").scalar();
                StoredCall got = r.requireCall(id);
                LlmCall expected = synth.call(seq).toBuilder().callId(id).build();
                assertThat(got.call()).isEqualTo(expected);
                assertThat(got.live()).isFalse();
                assertThat(got.retentionReason()).isEqualTo("all");
                assertThat(got.call().systemPrompt()).isEqualTo(expected.systemPrompt()).isNotEmpty();
            }
            assertThat(r.call("no-such-call")).isEmpty();
            assertThatThrownBy(() -> r.requireCall("no-such-call")).isInstanceOf(PromptLogReaderException.class)
                    .hasMessageContaining("unknown call id \"no-such-call\"");
        }
    }

    @Test
    void shouldReturnQueryResultsAsArrowBatches() throws Exception {
        try (PromptLogReader r = PromptLogReader.open(home.resolve("data"));
             BufferAllocator allocator = new RootAllocator()) {
            long rows = 0;
            List<String> fields = new ArrayList<>();
            try (ArrowResult a = r.sqlArrow("SELECT request_model, duration_us, messages FROM calls", allocator)) {
                while (a.reader().loadNextBatch()) {
                    VectorSchemaRoot root = a.reader().getVectorSchemaRoot();
                    rows += root.getRowCount();
                    if (fields.isEmpty()) {
                        root.getSchema().getFields().forEach(f -> fields.add(f.getName()));
                    }
                }
            }
            assertThat(rows).isEqualTo(800);
            assertThat(fields).containsExactly("request_model", "duration_us", "messages");
        }
    }

    @Test
    void shouldReportBadSqlWithDuckDbsMessage() {
        try (PromptLogReader r = PromptLogReader.open(home.resolve("data"))) {
            assertThatThrownBy(() -> r.sql("SELECT no_such_column FROM calls"))
                    .isInstanceOf(PromptLogReaderException.class).hasMessageContaining("no_such_column");
            assertThatThrownBy(() -> r.sql("SELEC 1")).isInstanceOf(PromptLogReaderException.class)
                    .hasMessageContaining("syntax error");
            assertThat(r.sql("SELECT 1 AS one").scalar()).isEqualTo(1);
        }
    }

    @Test
    void shouldFailClearlyOnAMissingDataset() {
        Path nowhere = tmp.resolve("nowhere");
        assertThatThrownBy(() -> PromptLogReader.open(nowhere)).isInstanceOf(PromptLogReaderException.class)
                .hasMessageContaining("no promptlog dataset at " + nowhere.toAbsolutePath());
    }

    /** Rows of the undamaged original of {@code file}, a file of the copy {@code data}. */
    private static long rowsInOriginalOf(Path data, Path file) {
        try (PromptLogReader r = PromptLogReader.open(home.resolve("data"))) {
            return ((Number) r.sql("SELECT count(*) FROM read_parquet(?)",
                    home.resolve("data").resolve(data.relativize(file).toString()).toString()).scalar()).longValue();
        }
    }

    @Test
    void shouldBindTheCallsViewByPositionWhenEveryFileHasTheCurrentLayout() throws Exception {
        Path data = copyOfData("current-layout");
        try (DatasetViews views = DatasetViews.open(data, null, null)) {
            assertThat(views.callsBoundByName()).isFalse();
        }
        try (PromptLogReader r = PromptLogReader.open(data)) {
            assertThat(r.sql("SELECT count(*), count(input_chars) FROM calls").rows())
                    .containsExactly(List.of(800L, 800L));
        }
    }

    /**
     * A file without the current layout's footer keys (here: written by plain DuckDB, one column short, as a
     * file of an older layout would be) makes the view unify the files by column name again: its rows are
     * read, the column it lacks is NULL. Bound by position instead, DuckDB fails on that file ("schema
     * mismatch") or, when it is listed first, takes its columns and loses {@code input_chars} for every file.
     */
    @Test
    void shouldReadAFileOfAnOlderLayoutWithTheColumnItLacksAsNull() throws Exception {
        Path data = copyOfData("older-layout");
        List<Path> files = callFiles(data);
        long rows = 0;
        for (Path old : List.of(files.get(0), files.get(files.size() - 1))) {
            rows += rowsInOriginalOf(data, old);
            Path tmpFile = old.resolveSibling("rewritten.tmp");
            try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement st = c.createStatement()) {
                st.execute("COPY (SELECT * EXCLUDE (input_chars) FROM read_parquet(" + literal(old.toString())
                        + ", hive_partitioning = false)) TO " + literal(tmpFile.toString()) + " (FORMAT parquet)");
            }
            Files.move(tmpFile, old, StandardCopyOption.REPLACE_EXISTING);
            try (DatasetViews views = DatasetViews.open(data, null, null)) {
                assertThat(views.callsBoundByName()).as(old.toString()).isTrue();
            }
            try (PromptLogReader r = PromptLogReader.open(data)) {
                assertThat(r.sql("SELECT count(*) FROM calls").scalar()).isEqualTo(800L);
                assertThat(r.sql("SELECT count(*) FROM calls WHERE input_chars IS NULL").scalar()).isEqualTo(rows);
                assertThat(r.warnings()).isEmpty();
            }
        }
    }

    @Test
    void shouldSetAsideATruncatedParquetFileNameItAndStillQueryTheOthers() throws Exception {
        Path data = copyOfData("truncated");
        List<Path> files = callFiles(data);
        assertThat(files).hasSizeGreaterThanOrEqualTo(2);
        Path bad = files.get(0);
        long rowsInBad = rowsInOriginalOf(data, bad);
        try (RandomAccessFile f = new RandomAccessFile(bad.toFile(), "rw")) {
            f.setLength(f.length() / 2);
        }
        try (PromptLogReader r = PromptLogReader.open(data)) {
            assertThat(r.sql("SELECT count(*) FROM calls").scalar()).isEqualTo(800L - rowsInBad);
            assertThat(r.warnings()).anySatisfy(w -> assertThat(w).contains(bad.toString()).contains("corrupt"));
        }
    }

    @Test
    void shouldSetAsideAParquetFileWithCorruptContentsNameItAndStillQueryTheOthers() throws Exception {
        Path data = copyOfData("scribbled");
        List<Path> files = callFiles(data);
        Path bad = files.get(files.size() - 1);
        long rowsInBad = rowsInOriginalOf(data, bad);
        // keep the magic bytes at both ends, scribble over the footer and metadata before them
        try (RandomAccessFile f = new RandomAccessFile(bad.toFile(), "rw")) {
            long n = f.length();
            byte[] junk = new byte[(int) Math.min(4096, n - 12)];
            java.util.Arrays.fill(junk, (byte) 0x5A);
            f.seek(n - 8 - junk.length);
            f.write(junk);
        }
        try (PromptLogReader r = PromptLogReader.open(data)) {
            assertThat(r.sql("SELECT count(*) FROM calls").scalar()).isEqualTo(800L - rowsInBad);
            assertThat(r.warnings()).anySatisfy(w -> assertThat(w).contains(bad.toString()));
        }
    }

    @Test
    void shouldSetAsideAParquetFileWhosePagesAreGarbageBehindAnIntactFooterAndNameIt() throws Exception {
        Path data = copyOfData("garbage-pages");
        List<Path> files = callFiles(data);
        Path bad = files.get(0);
        long rowsInBad = rowsInOriginalOf(data, bad);
        // the footer (and the magic at both ends) stays intact; every page before it is overwritten
        try (RandomAccessFile f = new RandomAccessFile(bad.toFile(), "rw")) {
            long n = f.length();
            f.seek(n - 8);
            int footer = Integer.reverseBytes(f.readInt());
            byte[] junk = new byte[(int) (n - 8 - footer - 4)];
            new java.util.Random(11).nextBytes(junk);
            f.seek(4);
            f.write(junk);
        }
        try (PromptLogReader r = PromptLogReader.open(data)) {
            QueryResult all = r.sql("SELECT call_id, response, messages FROM calls");
            assertThat(all.rows()).hasSize((int) (800 - rowsInBad));
            assertThat(r.warnings()).anySatisfy(w -> assertThat(w).contains(bad.toString()));
            assertThat(r.sql("SELECT count(*) FROM calls").scalar()).isEqualTo(800L - rowsInBad);
        }
    }

    @Test
    void shouldBeReadableByPlainDuckDbWithHivePartitioningAndGiveTheReadersAnswers() throws Exception {
        Path data = home.resolve("data");
        String glob = literal(data + "/calls/**/*.parquet");
        String prompts = literal(data + "/system_prompts/*.parquet");
        List<List<Object>> plain = new ArrayList<>();
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT c.date, c.request_model, count(*), sum(length(p.system_prompt)) "
                     + "FROM read_parquet(" + glob + ", hive_partitioning=true) c JOIN read_parquet(" + prompts
                     + ") p USING (system_prompt_hash) GROUP BY ALL ORDER BY ALL")) {
            while (rs.next()) {
                plain.add(List.of(rs.getObject(1), rs.getObject(2), rs.getObject(3), rs.getObject(4)));
            }
        }
        try (PromptLogReader r = PromptLogReader.open(data)) {
            QueryResult q = r.sql("SELECT date, request_model, count(*), sum(length(system_prompt)) FROM calls_full "
                    + "GROUP BY ALL ORDER BY ALL");
            assertThat(plain).isNotEmpty();
            assertThat(plain.get(0).get(0)).isInstanceOf(LocalDate.class);
            assertThat(q.rows()).isEqualTo(plain);
        }
    }

    /** A SQL string literal, for plain DuckDB JDBC. */
    private static String literal(String s) {
        return "'" + s.replace("'", "''") + "'";
    }
}
