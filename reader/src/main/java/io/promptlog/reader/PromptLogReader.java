package io.promptlog.reader;

import io.promptlog.reader.internal.DatasetViews;
import io.promptlog.reader.internal.JdbcValues;
import io.promptlog.reader.internal.SqlLockdown;
import org.apache.arrow.c.ArrowArrayStream;
import org.apache.arrow.c.Data;
import org.apache.arrow.memory.RootAllocator;
import org.duckdb.DuckDBConnection;
import io.promptlog.writer.PromptLogHome;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.duckdb.DuckDBResultSet;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
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
 * The live part is a snapshot taken by the first query after {@link #open} or {@link #refreshLive()} (the
 * queue and the file listing are read on first need: {@link #call} of a UUIDv7 id found in its day's files
 * reads neither the queue nor any other day's files). Parquet files that turn out corrupt are set aside and
 * named in {@link #warnings()}; the others stay queried.
 *
 * <pre>{@code
 * try (PromptLogReader r = PromptLogReader.openHome(Path.of("promptlog-home"))) {
 *     QueryResult q = r.sql("SELECT request_model, count(*) FROM calls GROUP BY ALL");
 *     String body = r.replayRequest(callId);
 * }
 * }</pre>
 * Values go into SQL as parameters ({@code ?}), never spliced: {@code r.sql("SELECT * FROM calls WHERE
 * request_model = ? AND start_time >= ?", model, since)}.
 *
 * <p>This class is the query API; the DuckDB connection and views, the live queue view and the
 * corrupt-file handling are in {@code internal} ({@code DatasetViews}, {@code LiveView},
 * {@code CorruptFileRetry}). Not thread-safe: one reader per thread.
 *
 * <p>By default ({@link SqlAccess#DATASET_ONLY}) the SQL reads only the dataset and writes nothing (see
 * {@link SqlAccess} for what is refused, how, and the opt-out); files are written only by
 * {@link #exportParquet}.
 */
public final class PromptLogReader implements AutoCloseable {
    private static final int ARROW_BATCH_ROWS = 8192;

    private final SqlAccess access;
    private DatasetViews views;
    private Consumer<String> warningListener;

    private PromptLogReader(DatasetViews views, SqlAccess access) {
        this.views = views;
        this.access = access;
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
        return open(datasetDir, queueDir, SqlAccess.DATASET_ONLY);
    }

    /** Like {@link #open(Path, Path)}, with the given {@link SqlAccess}. */
    public static PromptLogReader open(Path datasetDir, Path queueDir, SqlAccess access) {
        java.util.Objects.requireNonNull(access, "access");
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
        return new PromptLogReader(views(datasetDir.toAbsolutePath().normalize(), hasQueue ? queueDir : null, access), access);
    }

    private static DatasetViews views(Path dataDir, Path queueDir, SqlAccess access) {
        return DatasetViews.open(dataDir, queueDir, access == SqlAccess.DATASET_ONLY ? SqlLockdown::apply : null);
    }

    /** The dataset {@code home/data} with the live view of {@code home/queue}. */
    public static PromptLogReader openHome(Path home) {
        return openHome(home, SqlAccess.DATASET_ONLY);
    }

    /** Like {@link #openHome(Path)}, with the given {@link SqlAccess}. */
    public static PromptLogReader openHome(Path home, SqlAccess access) {
        return open(PromptLogHome.dataDir(home), PromptLogHome.queueDir(home), access);
    }

    /** What SQL through this reader may touch. */
    public SqlAccess access() {
        return access;
    }

    /**
     * Takes a new snapshot of the queue (calls logged since open) and re-lists the Parquet files (the
     * compactor may have added some).
     */
    public void refreshLive() {
        if (access == SqlAccess.UNRESTRICTED) {
            views.refresh();
            return;
        }
        // a locked DuckDB cannot be reconfigured (the live load needs one thread for a while): start afresh
        DatasetViews old = views;
        views = views(old.files().dataDir(), old.queueDir(), access);
        old.close();
        if (warningListener != null) {
            views.warnings().listener(warningListener, views.files().skipped());
        }
    }

    // ---- queries -----------------------------------------------------------------------------------

    /**
     * Runs one SQL statement over the views and returns all its rows. Each {@code ?} in the SQL takes the
     * next of {@code params} (a String, Long, Integer, Double, Boolean, ...), bound by a prepared statement.
     *
     * @throws PromptLogReaderException with DuckDB's message when the SQL is bad
     */
    public QueryResult sql(String sql, Object... params) {
        views.ensureBuilt();
        return views.retry().run(() -> {
            checkAccess(sql);
            try (Statement st = statement(sql, params)) {
                boolean hasRows = isPrepared(params) ? ((PreparedStatement) st).execute() : st.execute(sql);
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
    public void sqlEach(String sql, SqlRowConsumer rowConsumer, Object... params) {
        views.ensureBuilt();
        views.retry().run(() -> {
            checkAccess(sql);
            try (Statement st = statement(sql, params); ResultSet rs = query(st, sql, params)) {
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
    public ArrowResult sqlArrow(String sql, BufferAllocator allocator, Object... params) {
        views.ensureBuilt();
        return views.retry().run(() -> {
            checkAccess(sql);
            Statement st = statement(sql, params);
            try {
                DuckDBResultSet rs = (DuckDBResultSet) query(st, sql, params);
                ArrowReader reader = (ArrowReader) rs.arrowExportStream(allocator, ARROW_BATCH_ROWS);
                return new ArrowResult(reader, st);
            } catch (SQLException | RuntimeException e) {
                st.close();
                throw e;
            }
        });
    }

    /**
     * One call with everything retained (system prompt and tools text included), or empty when unknown.
     *
     * <p>A UUIDv7 id (as the writer generates) names its start millisecond: the lookup first reads only
     * the files of that date's partition whose {@code start_time} statistics hold that millisecond, the file a
     * binary search over the day's files finds first (no other file is bound, no other day's file is listed
     * or checked, and the live queue is not read), and in them the row groups whose {@code start_time} range
     * holds it; then every other file of that day whose statistics may hold it; then that millisecond in the
     * live view; then every file and the whole live view when the call is not there (an id the application
     * chose itself, or a start time it set apart from the id). Each step reads the call's row without its
     * texts; the system prompt and tools are then fetched by hash, one text each (a live call's from the
     * queue's texts), never by joining the text tables, which hold one prompt per call when a service
     * templates its prompts.
     */
    public Optional<StoredCall> call(String callId) {
        // over the views of now: refreshLive() may replace them
        return new CallLookup(views, this::sqlEach).call(callId);
    }

    /** Like {@link #call} but fails with a clear message when the id is unknown. */
    public StoredCall requireCall(String callId) {
        return call(callId).orElseThrow(() -> new PromptLogReaderException("unknown call id \"" + callId
                + "\": no such call in " + describeSources()));
    }

    /**
     * Every call matching a SQL predicate over {@code calls_full} columns (null for all), oldest first;
     * each {@code ?} in the predicate takes the next of {@code params}.
     */
    public void forEachCall(String where, Consumer<StoredCall> consumer, Object... params) {
        String sql = "SELECT " + CallRows.selectList() + " FROM calls_full" + whereClause(where)
                + " ORDER BY start_time, call_id";
        sqlEach(sql, rs -> consumer.accept(CallRows.read(rs)), params);
    }

    /**
     * Writes the calls matching a SQL predicate over {@code calls_full} (null for all; each {@code ?} takes the
     * next of {@code params}), oldest first, as one zstd Parquet file with every {@code calls_full} column.
     * {@code file} must not exist yet; the caller sets its mode (the CLI writes a 0600 temp file in a private
     * directory and renames it). The rows are selected by this reader's DuckDB and streamed as Arrow into a
     * second DuckDB that may write only {@code file} and runs only this COPY: user SQL never runs where
     * files can be written.
     *
     * @return the rows written
     */
    public long exportParquet(String where, Path file, Object... params) {
        String select = "SELECT * FROM calls_full" + whereClause(where) + " ORDER BY start_time, call_id";
        Path target = file.toAbsolutePath().normalize();
        views.ensureBuilt();
        return views.retry().run(() -> {
            checkAccess(select);
            try (BufferAllocator allocator = new RootAllocator();
                 Statement st = statement(select, params);
                 Connection out = DriverManager.getConnection("jdbc:duckdb:")) {
                SqlLockdown.applyForExport(out, target);
                DuckDBResultSet rs = (DuckDBResultSet) query(st, select, params);
                try (ArrowArrayStream stream = ArrowArrayStream.allocateNew(allocator)) {
                    Data.exportArrayStream(allocator, (ArrowReader) rs.arrowExportStream(allocator, ARROW_BATCH_ROWS), stream);
                    out.unwrap(DuckDBConnection.class).registerArrowStream("promptlog_export_rows", stream);
                    try (Statement w = out.createStatement()) {
                        if (w.execute("COPY (SELECT * FROM promptlog_export_rows) TO "
                                + DatasetViews.stringLiteral(target.toString()) + " (FORMAT parquet, COMPRESSION zstd)")) {
                            try (ResultSet count = w.getResultSet()) {
                                return count.next() ? count.getLong(1) : 0L;
                            }
                        }
                        return Math.max(0L, (long) w.getUpdateCount());
                    }
                }
            }
        });
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
        return views.warnings().all(views.files().skipped());
    }

    /**
     * Receives each warning (see {@link #warnings()}) as it happens; those found so far are delivered at
     * once. For tools that show problems while they work, such as a corrupt file set aside mid-query.
     */
    public void warningListener(Consumer<String> listener) {
        this.warningListener = listener;
        views.warnings().listener(listener, views.files().skipped());
    }

    /** Calls in the live view (in the queue, not compacted). */
    public long liveCallCount() {
        return views.liveRows();
    }

    /** Parquet files of calls being queried. */
    public int callFileCount() {
        views.ensureBuilt();
        return views.files().calls().size();
    }

    public Path dataDir() {
        return views.files().dataDir();
    }

    /** The queue directory of the live view, or null. */
    public Path queueDir() {
        return views.queueDir();
    }

    /** True when there is no call at all, compacted or live. */
    public boolean isEmpty() {
        return ((Number) sql("SELECT count(*) FROM (SELECT 1 FROM calls LIMIT 1)").scalar()).longValue() == 0;
    }

    String describeSources() {
        return dataDir() + (queueDir() == null ? "" : " or the queue " + queueDir());
    }

    @Override
    public void close() {
        views.close();
    }

    // ---- plumbing ----------------------------------------------------------------------------------

    private void checkAccess(String sql) throws SQLException {
        if (access == SqlAccess.DATASET_ONLY) {
            SqlLockdown.requireReadOnly(views.connection(), sql);
        }
    }

    /** A plain statement without parameters (so any SQL runs, several statements included), else a prepared one. */
    private Statement statement(String sql, Object[] params) throws SQLException {
        if (!isPrepared(params)) {
            return views.connection().createStatement();
        }
        PreparedStatement ps = views.connection().prepareStatement(sql);
        try {
            int expected = ps.getParameterMetaData().getParameterCount();
            if (expected != params.length) {
                throw new PromptLogReaderException("the SQL has " + expected + " parameter(s) (?) but " + params.length
                        + " value(s) were given: " + sql);
            }
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            return ps;
        } catch (SQLException | RuntimeException e) {
            ps.close();
            throw e;
        }
    }

    /** DuckDB's plain statements are PreparedStatements too: whether to bind is decided by the parameters alone. */
    private static boolean isPrepared(Object[] params) {
        return params != null && params.length > 0;
    }

    private static ResultSet query(Statement st, String sql, Object[] params) throws SQLException {
        return isPrepared(params) ? ((PreparedStatement) st).executeQuery() : st.executeQuery(sql);
    }

    private static String whereClause(String where) {
        return where == null || where.isBlank() ? "" : " WHERE " + where;
    }
}
