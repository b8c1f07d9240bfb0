package io.promptlog.reader;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every door of the default {@link SqlAccess#DATASET_ONLY} reader, tried against the real DuckDB. */
@Timeout(120)
class SqlLockdownTest {
    @TempDir
    static Path tmp;
    static Path home;
    static Path outside;
    static PromptLogReader reader;

    @BeforeAll
    static void logCompactAndOpen() throws Exception {
        home = tmp.resolve("home");
        TestHomes.generate(home, 40, 0, 5);
        TestHomes.compact(home, "all", "default");
        TestHomes.generate(home, 5, 40, 5); // some live calls too
        outside = Files.writeString(tmp.resolve("outside.csv"), "secret,value\nroot,hunter2\n");
        reader = PromptLogReader.openHome(home);
    }

    @AfterAll
    static void close() {
        reader.close();
    }

    static String lit(Object p) {
        return "'" + p.toString().replace("'", "''") + "'";
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "SELECT * FROM read_text('/etc/shadow')",
            "SELECT * FROM read_text('/etc/passwd')",
            "SELECT * FROM read_blob('/etc/hostname')",
            "SELECT * FROM glob('/etc/*')",
            "SELECT * FROM read_csv('https://example.com/x.csv')",
            "SELECT * FROM read_parquet('s3://bucket/x.parquet')",
    })
    void shouldRefuseToReadFilesOrUrlsOutsideTheDataset(String sql) {
        assertThatThrownBy(() -> reader.sql(sql)).isInstanceOf(PromptLogReaderException.class)
                .hasMessageContaining("reads only the dataset").hasMessageContaining("--unrestricted-sql");
    }

    @Test
    void shouldRefuseAPathThatEscapesTheDatasetWithDotDotOrTheSiblingFile() {
        String escape = home.resolve("data").toAbsolutePath() + "/../../outside.csv";
        assertThatThrownBy(() -> reader.sql("SELECT * FROM read_csv(" + lit(escape) + ")"))
                .hasMessageContaining("reads only the dataset");
        assertThatThrownBy(() -> reader.sql("SELECT * FROM read_csv(" + lit(outside) + ")"))
                .hasMessageContaining("reads only the dataset");
        assertThatThrownBy(() -> reader.sql("SELECT * FROM read_text(" + lit(home.resolve("queue").resolve("text-hash.key")) + ")"))
                .hasMessageContaining("reads only the dataset");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "COPY (SELECT 1) TO '/tmp/promptlog-lockdown-test.csv'",
            "COPY calls TO '{data}/calls/evil.parquet' (FORMAT parquet)",
            "ATTACH '/tmp/promptlog-lockdown-test.duckdb' AS x",
            "ATTACH ':memory:' AS m",
            "INSTALL httpfs",
            "LOAD httpfs",
            "SET threads = 1",
            "SET enable_external_access = true",
            "RESET lock_configuration",
            "PRAGMA threads = 4",
            "CREATE TABLE t AS SELECT 1",
            "EXPORT DATABASE '/tmp/promptlog-lockdown-export'",
            "CREATE SECRET (TYPE s3, KEY_ID 'x', SECRET 'y')",
            "SELECT 1; COPY (SELECT 1) TO '/tmp/promptlog-lockdown-test.csv'",
            "EXPLAIN ANALYZE COPY (SELECT 1) TO '/tmp/promptlog-lockdown-test.csv'",
            "CALL pragma_version()",
    })
    void shouldRefuseEveryStatementThatWritesAttachesInstallsOrChangesSettings(String sqlTemplate) {
        String sql = sqlTemplate.replace("{data}", home.resolve("data").toAbsolutePath().toString());
        assertThatThrownBy(() -> reader.sql(sql)).isInstanceOf(PromptLogReaderException.class)
                .hasMessageContaining("promptlog's SQL is read-only and reads only the dataset");
        assertThat(Path.of("/tmp/promptlog-lockdown-test.csv")).doesNotExist();
        assertThat(Path.of("/tmp/promptlog-lockdown-test.duckdb")).doesNotExist();
        assertThat(home.resolve("data/calls/evil.parquet")).doesNotExist();
    }

    @Test
    void shouldRefuseAWritingStatementSmuggledIntoAPredicateOrThroughArrow() {
        assertThatThrownBy(() -> reader.forEachCall("1=1 ORDER BY 1; COPY (SELECT 1) TO '/tmp/promptlog-lockdown-test.csv'; SELECT 1 WHERE 1=1", c -> { }))
                .hasMessageContaining("read-only");
        try (org.apache.arrow.memory.RootAllocator a = new org.apache.arrow.memory.RootAllocator()) {
            assertThatThrownBy(() -> reader.sqlArrow("COPY (SELECT 1) TO '/tmp/promptlog-lockdown-test.csv'", a))
                    .hasMessageContaining("read-only");
        }
        assertThat(Path.of("/tmp/promptlog-lockdown-test.csv")).doesNotExist();
    }

    @Test
    void shouldStillAnswerEveryReadOnlyFormOverTheViews() {
        assertThat(((Number) reader.sql("SELECT count(*) FROM calls").scalar()).longValue()).isEqualTo(45);
        assertThat(((Number) reader.sql("WITH x AS (SELECT * FROM calls_full) SELECT count(*) FROM x").scalar()).longValue()).isEqualTo(45);
        assertThat(((Number) reader.sql("FROM calls_live SELECT count(*)").scalar()).longValue()).isEqualTo(5);
        assertThat(reader.sql("DESCRIBE calls").rows()).isNotEmpty();
        assertThat(reader.sql("SHOW TABLES").rows()).isNotEmpty();
        assertThat(reader.sql("SUMMARIZE SELECT duration_us FROM calls").rows()).isNotEmpty();
        assertThat(reader.sql("EXPLAIN SELECT count(*) FROM calls").rows()).isNotEmpty();
        assertThat(reader.sql("SELECT current_setting('enable_external_access') AS e, current_setting('lock_configuration') AS l")
                .rows().get(0)).containsExactly(false, true);
        // a Parquet file of the dataset may be read directly
        String glob = home.resolve("data").toAbsolutePath() + "/calls/**/*.parquet";
        assertThat(((Number) reader.sql("SELECT count(*) FROM read_parquet(" + lit(glob) + ")").scalar()).longValue()).isEqualTo(40);
    }

    @Test
    void shouldStayLockedAfterRefreshingTheLiveView() {
        try (PromptLogReader r = PromptLogReader.openHome(home)) {
            r.refreshLive();
            assertThat(((Number) r.sql("SELECT count(*) FROM calls").scalar()).longValue()).isEqualTo(45);
            assertThatThrownBy(() -> r.sql("SELECT * FROM read_csv(" + lit(outside) + ")")).hasMessageContaining("reads only the dataset");
            assertThatThrownBy(() -> r.sql("SET enable_external_access = true")).hasMessageContaining("read-only");
        }
    }

    @Test
    void shouldBehaveAsPlainDuckDbWhenTheUserOptsOut() throws Exception {
        try (PromptLogReader r = PromptLogReader.openHome(home, SqlAccess.UNRESTRICTED)) {
            assertThat(r.access()).isEqualTo(SqlAccess.UNRESTRICTED);
            assertThat(r.sql("SELECT secret FROM read_csv(" + lit(outside) + ")").rows()).containsExactly(List.of("root"));
            Path copy = tmp.resolve("copy.csv");
            r.sql("COPY (SELECT 1 AS one) TO " + lit(copy));
            assertThat(copy).exists();
        }
    }

    @Test
    void shouldExportParquetThroughTheLockedReaderWithoutOpeningAnyOtherFile() throws Exception {
        Path target = tmp.resolve("export").resolve("x.parquet");
        Files.createDirectories(target.getParent());
        assertThat(reader.exportParquet("status = 'error'", target)).isEqualTo(
                ((Number) reader.sql("SELECT count(*) FROM calls WHERE status = 'error'").scalar()).longValue());
        try (Stream<Path> s = Files.list(target.getParent())) {
            assertThat(s.toList()).containsExactly(target);
        }
        assertThatThrownBy(() -> reader.exportParquet("1=1; COPY (SELECT 1) TO '/tmp/promptlog-lockdown-test.csv'; SELECT 1",
                tmp.resolve("export").resolve("y.parquet"))).hasMessageContaining("read-only");
    }
}
