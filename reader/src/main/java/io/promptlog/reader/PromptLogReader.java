package io.promptlog.reader;

import io.promptlog.reader.internal.DatasetFiles;
import io.promptlog.reader.internal.JdbcValues;
import io.promptlog.reader.internal.LiveArrow;
import io.promptlog.reader.internal.LiveQueue;
import io.promptlog.reader.internal.LiveTexts;
import io.promptlog.format.Checkpoint;
import io.promptlog.format.DatasetSchema;
import io.promptlog.writer.PromptLogHome;
import org.apache.arrow.c.ArrowArrayStream;
import org.apache.arrow.c.Data;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.duckdb.DuckDBConnection;
import org.duckdb.DuckDBResultSet;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * SQL over a promptlog dataset, in an embedded in-memory DuckDB (no server). Views:
 * <ul>
 *   <li>{@code calls}: every call, compacted ({@code calls_compacted}, with the {@code date} partition) and
 *   live ({@code calls_live}: still in the queue, not compacted yet), never counted twice;</li>
 *   <li>{@code system_prompts}, {@code tool_definitions}: each distinct text once, keyed by hash;</li>
 *   <li>{@code calls_full}: {@code calls} joined with the {@code system_prompt} and {@code tools} texts.</li>
 * </ul>
 * The live part is a snapshot taken at {@link #open} and on {@link #refreshLive()}. Parquet files that
 * turn out corrupt are set aside and named in {@link #warnings()}; the others stay queried.
 *
 * <pre>{@code
 * try (PromptLogReader r = PromptLogReader.openHome(Path.of("promptlog-home"))) {
 *     QueryResult q = r.sql("SELECT request_model, count(*) FROM calls GROUP BY ALL");
 *     String body = r.replayRequest(callId);
 * }
 * }</pre>
 * Not thread-safe: one reader per thread.
 */
public final class PromptLogReader implements AutoCloseable {
    private static final int MAX_FILE_RETRIES = 32;

    private final DatasetFiles files;
    private final Path queueDir;
    private final Connection conn;
    private final List<String> warnings = new ArrayList<>();
    private final java.util.Set<Path> reportedSkips = new java.util.HashSet<>();
    private Consumer<String> warningListener;
    private long liveRows;

    private PromptLogReader(Path dataDir, Path queueDir, Connection conn) {
        this.files = new DatasetFiles(dataDir);
        this.queueDir = queueDir;
        this.conn = conn;
    }

    /** A bare dataset directory (no live view). */
    public static PromptLogReader open(Path datasetDir) {
        return open(datasetDir, null);
    }

    /**
     * A dataset directory plus the queue directory whose not-yet-compacted calls form the live view
     * (null for none).
     *
     * @throws PromptLogReaderException when neither exists
     */
    public static PromptLogReader open(Path datasetDir, Path queueDir) {
        boolean hasData = Files.isDirectory(datasetDir);
        boolean hasQueue = queueDir != null && Files.isDirectory(queueDir);
        if (!hasData && !hasQueue) {
            throw new PromptLogReaderException("no promptlog dataset at " + datasetDir.toAbsolutePath()
                    + (queueDir == null ? "" : " and no queue at " + queueDir.toAbsolutePath())
                    + " (log some calls, or run `promptlog generate` then `promptlog compact`)");
        }
        if (Files.exists(datasetDir) && !Files.isDirectory(datasetDir)) {
            throw new PromptLogReaderException(datasetDir + " is not a directory");
        }
        Connection c;
        try {
            c = DriverManager.getConnection("jdbc:duckdb:");
        } catch (SQLException e) {
            throw new PromptLogReaderException("cannot start embedded DuckDB: " + e.getMessage(), e);
        }
        PromptLogReader r = new PromptLogReader(datasetDir, hasQueue ? queueDir : null, c);
        try {
            r.files.scan();
            r.loadLive();
            r.withFileRetries(() -> {
                r.buildViews();
                return null;
            });
            return r;
        } catch (RuntimeException e) {
            r.close();
            throw e;
        }
    }

    /** The dataset {@code home/data} with the live view of {@code home/queue}. */
    public static PromptLogReader openHome(Path home) {
        return open(PromptLogHome.dataDir(home), PromptLogHome.queueDir(home));
    }

    // ---- views -------------------------------------------------------------------------------------

    private void loadLive() {
        try {
            loadLiveOrFail();
        } catch (SQLException e) {
            throw new PromptLogReaderException("cannot load the live queue view: " + e.getMessage(), e);
        }
    }

    private void loadLiveOrFail() throws SQLException {
        exec("DROP TABLE IF EXISTS calls_live_raw");
        exec("CREATE OR REPLACE TABLE live_texts (kind VARCHAR, hash VARCHAR, text VARCHAR, chars BIGINT, "
                + "first_seen TIMESTAMP WITH TIME ZONE)");
        if (queueDir == null) {
            exec("CREATE TABLE calls_live_raw (" + DatasetSchema.duckDbColumns(DatasetSchema.CALLS_VIEW) + ")");
            return;
        }
        LiveTexts texts = new LiveTexts();
        try (LiveQueue source = new LiveQueue(queueDir, Checkpoint.committed(queueDir, files.dataDir()));
             BufferAllocator allocator = new RootAllocator();
             ArrowArrayStream stream = ArrowArrayStream.allocateNew(allocator)) {
            ArrowReader reader = LiveArrow.reader(allocator, source, texts);
            Data.exportArrayStream(allocator, reader, stream);
            conn.unwrap(DuckDBConnection.class).registerArrowStream("promptlog_live_stream", stream);
            // Chronicle tailers belong to the thread that uses them: with one DuckDB thread the scan pulls
            // every batch on this thread (worker threads would have the queue cursor refuse them)
            String threads = String.valueOf(scalarQuery("SELECT current_setting('threads')"));
            exec("SET threads = 1");
            try {
                exec("CREATE TABLE calls_live_raw AS SELECT * FROM promptlog_live_stream");
            } finally {
                exec("SET threads = " + Integer.parseInt(threads));
            }
            for (String p : source.problems()) {
                warn("queue: " + p);
            }
            if (source.corruptRecords() > 0) {
                warn("queue: " + source.corruptRecords() + " corrupt record(s) not shown");
            }
        }
        try (PreparedStatement ps = conn.prepareStatement("INSERT INTO live_texts VALUES (?, ?, ?, ?, make_timestamptz(?))")) {
            addTexts(ps, "system_prompt", texts.prompts());
            addTexts(ps, "tools", texts.tools());
            ps.executeBatch();
        }
    }

    private static void addTexts(PreparedStatement ps, String kind, Iterable<LiveTexts.Text> texts) throws SQLException {
        for (LiveTexts.Text t : texts) {
            ps.setString(1, kind);
            ps.setString(2, t.hash());
            ps.setString(3, t.text());
            ps.setLong(4, t.text().length());
            if (t.firstSeenMicros() == Long.MAX_VALUE) {
                ps.setNull(5, java.sql.Types.BIGINT);
            } else {
                ps.setLong(5, t.firstSeenMicros());
            }
            ps.addBatch();
        }
    }

    private void buildViews() throws SQLException {
        String callsSource = files.calls().isEmpty() ? null
                : "read_parquet(" + fileList(files.calls()) + ", hive_partitioning = true, union_by_name = true, "
                + "hive_types = {'date': DATE})";
        if (callsSource == null) {
            exec("CREATE OR REPLACE TEMP TABLE calls_empty (" + DatasetSchema.duckDbColumns(DatasetSchema.CALLS_VIEW) + ")");
            exec("CREATE OR REPLACE VIEW calls_compacted AS SELECT * FROM calls_empty");
        } else {
            exec("CREATE OR REPLACE VIEW calls_compacted AS SELECT * FROM " + callsSource);
        }
        textView(DatasetSchema.SYSTEM_PROMPTS, files.systemPrompts());
        textView(DatasetSchema.TOOL_DEFINITIONS, files.toolDefinitions());
        // The live rows not compacted yet. The committed index already excludes compacted records; the
        // anti-join on call_id also covers a compaction that lands between reading progress and listing files.
        exec("CREATE OR REPLACE TABLE calls_live_new AS SELECT * FROM calls_live_raw l WHERE NOT EXISTS ("
                + "SELECT 1 FROM calls_compacted c WHERE c.call_id = l.call_id "
                + "AND c.start_time >= (SELECT min(start_time) FROM calls_live_raw))");
        liveRows = ((Number) scalarQuery("SELECT count(*) FROM calls_live_new")).longValue();
        exec("CREATE OR REPLACE VIEW calls_live AS SELECT * FROM calls_live_new");
        exec("CREATE OR REPLACE VIEW calls AS SELECT * FROM calls_compacted UNION ALL BY NAME SELECT * FROM calls_live");
        // texts seen only in live calls (each once, chars as Java char counts like the compactor's)
        exec("CREATE OR REPLACE VIEW system_prompts AS SELECT * FROM system_prompts_compacted UNION ALL BY NAME "
                + "SELECT hash AS system_prompt_hash, text AS system_prompt, chars, first_seen FROM live_texts "
                + "WHERE kind = 'system_prompt' AND hash NOT IN (SELECT system_prompt_hash FROM system_prompts_compacted)");
        exec("CREATE OR REPLACE VIEW tool_definitions AS SELECT * FROM tool_definitions_compacted UNION ALL BY NAME "
                + "SELECT hash AS tools_hash, text AS tools, chars, first_seen FROM live_texts "
                + "WHERE kind = 'tools' AND hash NOT IN (SELECT tools_hash FROM tool_definitions_compacted)");
        exec("CREATE OR REPLACE VIEW calls_full AS SELECT c.*, sp.system_prompt, td.tools FROM calls c "
                + "LEFT JOIN system_prompts sp ON c.system_prompt_hash = sp.system_prompt_hash "
                + "LEFT JOIN tool_definitions td ON c.tools_hash = td.tools_hash");
    }

    private void textView(DatasetSchema.TextTable table, List<Path> paths) throws SQLException {
        String name = table.dir() + "_compacted";
        if (paths.isEmpty()) {
            exec("CREATE OR REPLACE TABLE " + name + "_empty (" + DatasetSchema.duckDbColumns(table.columns()) + ")");
            exec("CREATE OR REPLACE VIEW " + name + " AS SELECT * FROM " + name + "_empty");
        } else {
            exec("CREATE OR REPLACE VIEW " + name + " AS SELECT * FROM read_parquet(" + fileList(paths)
                    + ", union_by_name = true)");
        }
    }

    private static String fileList(List<Path> paths) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < paths.size(); i++) {
            sb.append(i == 0 ? "" : ", ").append(sqlString(paths.get(i).toString()));
        }
        return sb.append(']').toString();
    }

    /** A SQL string literal. */
    public static String sqlString(String s) {
        return "'" + s.replace("'", "''") + "'";
    }

    /**
     * Takes a new snapshot of the queue (calls logged since open) and re-lists the Parquet files (the
     * compactor may have added some).
     */
    public void refreshLive() {
        files.scan();
        loadLive();
        withFileRetries(() -> {
            buildViews();
            return null;
        });
    }

    // ---- queries -----------------------------------------------------------------------------------

    /**
     * Runs one SQL statement over the views and returns all its rows.
     *
     * @throws PromptLogReaderException with DuckDB's message when the SQL is bad
     */
    public QueryResult sql(String sql) {
        return withFileRetries(() -> {
            try (Statement st = conn.createStatement()) {
                boolean hasRows = st.execute(sql);
                if (!hasRows) {
                    return new QueryResult(List.of(), List.of(), List.of());
                }
                try (ResultSet rs = st.getResultSet()) {
                    return JdbcValues.readAll(rs);
                }
            }
        });
    }

    /** Streams the rows of a query to {@code rowConsumer}, one JDBC row at a time (for large exports). */
    public void sqlEach(String sql, SqlRowConsumer rowConsumer) {
        withFileRetries(() -> {
            try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery(sql)) {
                while (rs.next()) {
                    rowConsumer.accept(rs);
                }
            }
            return null;
        });
    }

    /** Receives one row of {@link #sqlEach}. */
    @FunctionalInterface
    public interface SqlRowConsumer {
        void accept(ResultSet row) throws SQLException;
    }

    /**
     * Runs a query and returns its result as Arrow record batches, for analytics code. Close the result
     * (which closes the reader) before closing the allocator.
     */
    public ArrowResult sqlArrow(String sql, BufferAllocator allocator) {
        return withFileRetries(() -> {
            Statement st = conn.createStatement();
            try {
                DuckDBResultSet rs = (DuckDBResultSet) st.executeQuery(sql);
                ArrowReader reader = (ArrowReader) rs.arrowExportStream(allocator, 8192);
                return new ArrowResult(reader, st);
            } catch (SQLException | RuntimeException e) {
                st.close();
                throw e;
            }
        });
    }

    /** One call with everything retained (system prompt and tools text included), or empty when unknown. */
    public Optional<StoredCall> call(String callId) {
        List<StoredCall> found = new ArrayList<>();
        forEachCall("call_id = " + sqlString(callId), found::add);
        return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
    }

    /** Like {@link #call} but fails with a clear message when the id is unknown. */
    public StoredCall requireCall(String callId) {
        return call(callId).orElseThrow(() -> new PromptLogReaderException("unknown call id \"" + callId
                + "\": no such call in " + describeSources()));
    }

    /**
     * Every call matching a SQL predicate over {@code calls_full} columns (null for all), oldest first.
     */
    public void forEachCall(String where, Consumer<StoredCall> consumer) {
        String sql = "SELECT " + CallRows.selectList() + " FROM calls_full"
                + (where == null || where.isBlank() ? "" : " WHERE " + where) + " ORDER BY start_time, call_id";
        sqlEach(sql, rs -> consumer.accept(CallRows.read(rs)));
    }

    /**
     * The exact request body to resend this call: OpenAI Chat Completions JSON, or Anthropic Messages JSON
     * when the call's provider is anthropic.
     *
     * @throws PromptLogReaderException when the call is unknown or its text was not retained
     */
    public String replayRequest(String callId) {
        return ReplayRequests.forCall(requireCall(callId));
    }

    // ---- state -------------------------------------------------------------------------------------

    /** Problems found so far that did not stop the reader: corrupt files set aside, unreadable queue records. */
    public List<String> warnings() {
        List<String> out = new ArrayList<>(warnings);
        for (Map.Entry<Path, String> e : files.skipped().entrySet()) {
            out.add(skipWarning(e.getKey(), e.getValue()));
        }
        return out;
    }

    /** Calls in the live view (in the queue, not compacted). */
    public long liveCallCount() {
        return liveRows;
    }

    /** Parquet files of calls being queried. */
    public int callFileCount() {
        return files.calls().size();
    }

    public Path dataDir() {
        return files.dataDir();
    }

    /** The queue directory of the live view, or null. */
    public Path queueDir() {
        return queueDir;
    }

    /** True when there is no call at all, compacted or live. */
    public boolean isEmpty() {
        return ((Number) sql("SELECT count(*) FROM (SELECT 1 FROM calls LIMIT 1)").scalar()).longValue() == 0;
    }

    String describeSources() {
        return files.dataDir() + (queueDir == null ? "" : " or the queue " + queueDir);
    }

    @Override
    public void close() {
        try {
            conn.close();
        } catch (SQLException e) {
            throw new PromptLogReaderException("closing DuckDB failed: " + e.getMessage(), e);
        }
    }

    // ---- plumbing ----------------------------------------------------------------------------------

    @FunctionalInterface
    private interface SqlWork<T> {
        T run() throws SQLException;
    }

    /**
     * Runs work over the views; when DuckDB fails on one of the dataset's files, sets that file aside
     * (or re-lists files when it vanished), rebuilds the views and tries again.
     */
    private <T> T withFileRetries(SqlWork<T> work) {
        boolean rebuild = false;
        for (int attempt = 0; ; attempt++) {
            try {
                if (rebuild) {
                    buildViews();
                }
                return work.run();
            } catch (SQLException e) {
                String msg = e.getMessage();
                if (attempt >= MAX_FILE_RETRIES || !mayBeAFileProblem(msg)) {
                    throw new PromptLogReaderException(cleanMessage(msg), e);
                }
                Path bad = files.mentionedIn(msg);
                if (bad != null && Files.exists(bad)) {
                    files.skip(bad, firstLine(cleanMessage(msg)));
                } else if (bad != null) {
                    files.scan(); // it vanished (the compactor replaced it): list again
                } else {
                    // DuckDB did not say which file: find the unreadable ones
                    Map<Path, String> found = files.probe(conn, true);
                    if (found.isEmpty()) {
                        throw new PromptLogReaderException(cleanMessage(msg), e);
                    }
                    found.forEach(files::skip);
                }
                rebuild = true;
                reportSkips();
            }
        }
    }

    /** Parser, binder, catalog and conversion errors are the query's fault; others may come from a file. */
    private static boolean mayBeAFileProblem(String msg) {
        if (msg == null) {
            return false;
        }
        String m = msg.strip();
        return !(m.startsWith("Parser Error") || m.startsWith("Binder Error") || m.startsWith("Catalog Error")
                || m.startsWith("Conversion Error") || m.startsWith("Out of Range Error")
                || m.startsWith("Constraint Error") || m.startsWith("Not implemented Error")
                || m.startsWith("Invalid Input Error: Could not convert") || m.startsWith("Interrupt"));
    }

    private static String cleanMessage(String msg) {
        if (msg == null) {
            return "query failed";
        }
        return msg.strip();
    }

    private static String firstLine(String s) {
        int i = s.indexOf('\n');
        return i < 0 ? s : s.substring(0, i);
    }

    private void exec(String sql) throws SQLException {
        try (Statement st = conn.createStatement()) {
            st.execute(sql);
        }
    }

    private Object scalarQuery(String sql) throws SQLException {
        try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getObject(1);
        }
    }

    void warn(String w) {
        warnings.add(w);
        if (warningListener != null) {
            warningListener.accept(w);
        }
    }

    /**
     * Receives each warning (see {@link #warnings()}) as it happens; those found so far are delivered at
     * once. For tools that show problems while they work, such as a corrupt file set aside mid-query.
     */
    public void warningListener(Consumer<String> listener) {
        this.warningListener = listener;
        for (String w : warnings) {
            listener.accept(w);
        }
        reportSkips();
    }

    private void reportSkips() {
        for (Map.Entry<Path, String> e : files.skipped().entrySet()) {
            if (warningListener != null && reportedSkips.add(e.getKey())) {
                warningListener.accept(skipWarning(e.getKey(), e.getValue()));
            }
        }
    }

    private static String skipWarning(Path file, String reason) {
        return "skipped corrupt Parquet file " + file + ": " + reason;
    }

}
