package io.promptlog.reader.internal;

import io.promptlog.format.DatasetSchema;
import io.promptlog.reader.PromptLogReaderException;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;

import static io.promptlog.reader.internal.JdbcValues.exec;
import static io.promptlog.reader.internal.JdbcValues.scalar;

/**
 * The embedded DuckDB connection and the views over one dataset (and the live queue): {@code calls} =
 * {@code calls_compacted} (the Parquet files, hive {@code date} partition) + {@code calls_live} (queue calls
 * not compacted yet, never counted twice), {@code system_prompts}, {@code tool_definitions} and
 * {@code calls_full}. Queries run through {@link #retry()} so a corrupt file is set aside, not fatal.
 *
 * <p>The views are built on first need ({@link #ensureBuilt()}), not at {@link #open}: reading the live
 * queue and binding a view over every file of a long-lived dataset take seconds, and a lookup of one call by
 * its UUIDv7 id needs neither ({@link #daySources}: only files of that day). When the views are to be locked
 * down ({@code SqlLockdown}), the lock is applied right after they are built, before any user SQL runs:
 * until then the connection runs only promptlog's own statements.
 */
public final class DatasetViews implements AutoCloseable {
    private final Connection conn;
    private final DatasetFiles files;
    private final Path queueDir;
    private final Warnings warnings = new Warnings();
    private final CorruptFileRetry retry;
    private final SpillDirectory spill;
    private final CurrentLayoutFiles currentLayout = new CurrentLayoutFiles();
    private final LookupFiles lookupFiles = new LookupFiles(DatasetSchema.START_TIME);
    private final LookupFiles textFiles = new LookupFiles(DatasetSchema.FIRST_SEEN);
    private final TextLocations textLocations = new TextLocations();
    private Lock lock;
    private boolean built;
    private long liveRows;

    /** Applied to the connection once the views are built (the reader's SQL access rules). */
    @FunctionalInterface
    public interface Lock {
        void apply(Connection conn, Path dataDir) throws SQLException;
    }

    private DatasetViews(Connection conn, SpillDirectory spill, Path dataDir, Path queueDir, Lock lock) {
        this.conn = conn;
        this.spill = spill;
        this.files = new DatasetFiles(dataDir);
        this.queueDir = queueDir;
        this.lock = lock;
        this.retry = new CorruptFileRetry(conn, files, () -> {
            if (built) {
                build();
            }
            return null;
        }, warnings);
    }

    /** System property: the DuckDB memory limit of a reader (a DuckDB size, such as {@code 512MB}); default {@value #DEFAULT_MEMORY_LIMIT}. */
    public static final String MEMORY_LIMIT_PROPERTY = "promptlog.reader.memoryLimit";
    public static final String DEFAULT_MEMORY_LIMIT = "1GB";

    /**
     * Starts DuckDB in memory; the views are built on first need.
     *
     * @param queueDir the queue of the live view, or null for none
     * @param lock     applied once, right after the views are first built (null: none)
     */
    public static DatasetViews open(Path dataDir, Path queueDir, Lock lock) {
        Connection c;
        try {
            c = DriverManager.getConnection("jdbc:duckdb:");
        } catch (SQLException e) {
            throw new PromptLogReaderException("cannot start embedded DuckDB: " + e.getMessage(), e);
        } catch (LinkageError e) {
            // DuckDB's JNI library did not load (ExceptionInInitializerError the first time, NoClassDefFoundError
            // after): say which file is missing instead of letting an Error with a 60-line trace reach the caller
            throw new PromptLogReaderException(nativeLibraryMissing(e), e);
        }
        SpillDirectory spill;
        try {
            spill = SpillDirectory.create();
        } catch (RuntimeException e) {
            closeQuietly(c);
            throw new PromptLogReaderException(e.getMessage(), e);
        }
        DatasetViews v = new DatasetViews(c, spill, dataDir, queueDir, lock);
        try {
            // an open reader answers many queries over the same immutable files: read each footer once
            exec(c, "SET parquet_metadata_cache = true");
            // bounded memory: what does not fit (a live view of a long backlog, a large sort) goes to a private
            // directory, never to DuckDB's default ./.tmp
            exec(c, "SET temp_directory = " + stringLiteral(spill.path().toString()));
            String limit = System.getProperty(MEMORY_LIMIT_PROPERTY, DEFAULT_MEMORY_LIMIT);
            try {
                exec(c, "SET memory_limit = " + stringLiteral(limit));
            } catch (SQLException e) {
                throw new PromptLogReaderException("bad -D" + MEMORY_LIMIT_PROPERTY + "=" + limit
                        + " (a size such as 512MB or 2GB): " + e.getMessage(), e);
            }
            return v;
        } catch (SQLException e) {
            v.close();
            throw new PromptLogReaderException("cannot configure embedded DuckDB: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            v.close();
            throw e;
        }
    }

    /** Builds the views (reading the live queue and listing every file) unless done already. */
    public void ensureBuilt() {
        if (!built) {
            refresh();
        }
    }

    /** Lists the files again, takes a new snapshot of the queue and rebuilds the views. */
    public void refresh() {
        // live first: it reads the compactor's checkpoint, so every file committed up to that checkpoint is
        // there when the files are listed (a file committed in between is in both, and the anti-join in
        // build() drops its rows from the live side); listing first missed such a batch entirely
        try {
            LiveView.load(conn, queueDir, files.dataDir(), warnings);
        } catch (SQLException e) {
            throw new PromptLogReaderException("cannot load the live queue view: " + e.getMessage(), e);
        }
        files.scan();
        built = true;
        retry.run(() -> {
            build();
            return null;
        });
        // files set aside by the listing itself (no Parquet magic, unreadable): a query answered without them
        // must say so, like one whose file DuckDB failed on (CorruptFileRetry reports those)
        warnings.reportSkips(files.skipped());
        if (lock != null) {
            Lock l = lock;
            lock = null;
            try {
                l.apply(conn, files.dataDir());
            } catch (SQLException e) {
                throw new PromptLogReaderException("cannot lock down DuckDB: " + e.getMessage(), e);
            }
        }
    }

    /**
     * The SQL table expressions a lookup of a call that started in {@code [fromMicros, toMicros)} of {@code date}
     * queries, in turn, until it finds the call: each has the columns of {@code calls_full} for the rows
     * compacted into some of that day's files, over those files only, with the system prompt and tools texts
     * NULL ({@link #compactedText} fetches them for the one row found: joining the text tables would read
     * every hash they hold, millions when each call's system prompt is distinct). First the files a binary
     * search over the day's runs of files finds ({@link LookupFiles#likely}), then every other file whose
     * statistics may hold the time ({@link LookupFiles#rest}, built only when asked for). None when the day has
     * no such file. For the lookup of one call, which must not bind every file of the dataset, nor every file
     * of its day.
     */
    public Iterable<String> daySources(java.time.LocalDate date, long fromMicros, long toMicros) {
        List<Path> day = files.callsOn(date);
        return () -> new java.util.Iterator<>() {
            private int step;
            private LookupFiles.Selection first;
            private String next;

            @Override
            public boolean hasNext() {
                while (next == null && step < 2) {
                    LookupFiles.Selection s = step++ == 0
                            ? (first = lookupFiles.likely(day, fromMicros, toMicros))
                            : lookupFiles.rest(day, fromMicros, toMicros, first.files());
                    next = s.files().isEmpty() ? null : daySource(s);
                }
                return next != null;
            }

            @Override
            public String next() {
                if (!hasNext()) {
                    throw new java.util.NoSuchElementException();
                }
                String n = next;
                next = null;
                return n;
            }
        };
    }

    private String daySource(LookupFiles.Selection day) {
        return textless(callsScan(day.files(), !day.allCurrent()));
    }

    /**
     * The text stored under {@code hash} in the files of text table {@code t}, or null when none holds it, for
     * a compacted call that started at {@code startMicros}. A text shared by many calls comes from memory
     * while the file that held it is unchanged ({@link TextLocations}). Else first the files whose
     * {@code first_seen} statistics a binary search finds holding that time: a text first stored with this
     * call's batch is there (one file of thousands when every call's system prompt is distinct); then every
     * other file, where each file's bloom filter on the hash column lets the query skip it without reading
     * its hashes (and what is found there is remembered).
     */
    public String compactedText(DatasetSchema.TextTable t, String hash, long startMicros) throws SQLException {
        if (!files.textsScanned()) {
            files.scanTexts();
        }
        List<Path> all = files.texts(t);
        String remembered = textLocations.text(t, hash, all);
        if (remembered != null) {
            return remembered;
        }
        List<Path> likely = textFiles.likely(all, startMicros, startMicros + 1).files();
        String[] found = textIn(t, likely, hash);
        if (found == null && likely.size() < all.size()) {
            java.util.Set<Path> searched = new java.util.HashSet<>(likely);
            found = textIn(t, all.stream().filter(p -> !searched.contains(p)).toList(), hash);
            if (found != null) {
                // read again from that file alone, after taking what identifies its content
                Path file = Path.of(found[1]);
                var before = TextLocations.attributes(file);
                String[] again = textIn(t, List.of(file), hash);
                if (again != null) {
                    textLocations.put(t, hash, file, before, again[0]);
                }
            }
        }
        return found == null ? null : found[0];
    }

    /** The text under {@code hash} in these files and the file it came from, or null. */
    private String[] textIn(DatasetSchema.TextTable t, List<Path> paths, String hash) throws SQLException {
        if (paths.isEmpty()) {
            return null;
        }
        String sql = "SELECT " + t.textColumn() + ", filename FROM read_parquet(" + fileList(paths)
                + ", union_by_name = true, filename = true) WHERE " + t.hashColumn() + " = " + stringLiteral(hash) + " LIMIT 1";
        try (java.sql.Statement st = conn.createStatement(); java.sql.ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? new String[] {rs.getString(1), rs.getString(2)} : null;
        }
    }

    /** The files' schemas are unified by column name only when a file of an older layout is listed. */
    private String callsScan(List<Path> paths) {
        return callsScan(paths, !currentLayout.allCurrent(conn, paths));
    }

    private static String callsScan(List<Path> paths, boolean byName) {
        return "read_parquet(" + fileList(paths) + ", hive_partitioning = true, union_by_name = " + byName + ", hive_types = {'"
                + DatasetSchema.DATE + "': DATE})";
    }

    private void build() throws SQLException {
        if (files.calls().isEmpty()) {
            exec(conn, "CREATE OR REPLACE TEMP TABLE calls_empty (" + DatasetSchema.duckDbColumns(DatasetSchema.CALLS_VIEW) + ")");
            exec(conn, "CREATE OR REPLACE VIEW calls_compacted AS SELECT * FROM calls_empty");
        } else {
            currentLayout.retainOnly(files.calls());
            exec(conn, "CREATE OR REPLACE VIEW calls_compacted AS SELECT * FROM " + callsScan(files.calls()));
        }
        textView(DatasetSchema.SYSTEM_PROMPTS, files.systemPrompts());
        textView(DatasetSchema.TOOL_DEFINITIONS, files.toolDefinitions());
        // The live rows not compacted yet. The committed index already excludes compacted records; the
        // anti-join on call_id also covers a compaction that lands between reading progress and listing files.
        // A call_id logged twice (an app retrying with its own id) is shown once: its first record. Only the
        // row ids of the rows left out are kept (usually none), not a second copy of the live rows.
        exec(conn, "CREATE OR REPLACE TABLE calls_live_dropped AS SELECT l.rowid AS r FROM calls_live_raw l WHERE EXISTS ("
                + "SELECT 1 FROM calls_compacted c WHERE c.call_id = l.call_id "
                + "AND c.start_time >= (SELECT min(start_time) FROM calls_live_raw)) "
                + "UNION SELECT r FROM (SELECT l.rowid AS r, row_number() OVER (PARTITION BY l.call_id ORDER BY l.start_time) AS n "
                + "FROM calls_live_raw l) WHERE n > 1");
        liveRows = ((Number) scalar(conn, "SELECT (SELECT count(*) FROM calls_live_raw) - (SELECT count(*) FROM calls_live_dropped)"))
                .longValue();
        exec(conn, "CREATE OR REPLACE VIEW calls_live AS SELECT * FROM calls_live_raw WHERE rowid NOT IN (SELECT r FROM calls_live_dropped)");
        exec(conn, "CREATE OR REPLACE VIEW calls AS SELECT * FROM calls_compacted UNION ALL BY NAME SELECT * FROM calls_live");
        // texts seen only in live calls (each once, chars as Java char counts like the compactor's)
        liveTextView(DatasetSchema.SYSTEM_PROMPTS);
        liveTextView(DatasetSchema.TOOL_DEFINITIONS);
        exec(conn, "CREATE OR REPLACE VIEW calls_full AS " + withTexts("calls"));
    }

    /** The rows of the view {@code calls} with their system prompt and tools texts joined in ({@code calls_full}). */
    private static String withTexts(String callsView) {
        return "SELECT c.*, sp.system_prompt, td.tools FROM " + callsView + " c "
                + "LEFT JOIN system_prompts sp ON c.system_prompt_hash = sp.system_prompt_hash "
                + "LEFT JOIN tool_definitions td ON c.tools_hash = td.tools_hash";
    }

    /**
     * A SQL table expression with the rows of {@code from} (a calls view or table expression) and the columns
     * of {@code calls_full}, the system prompt and tools texts NULL: what a lookup of one call reads before it
     * fetches that call's texts by hash ({@link #compactedText}, {@link #liveText}) instead of joining whole
     * text tables.
     */
    public static String textless(String from) {
        return "(SELECT c.*, CAST(NULL AS VARCHAR) AS " + DatasetSchema.SYSTEM_PROMPTS.textColumn() + ", CAST(NULL AS VARCHAR) AS "
                + DatasetSchema.TOOL_DEFINITIONS.textColumn() + " FROM " + from + " c)";
    }

    /** The text under {@code hash} among the live calls' texts (every live call's texts are there), or null. */
    public String liveText(DatasetSchema.TextTable t, String hash) throws SQLException {
        ensureBuilt();
        return LiveView.text(conn, t, hash);
    }

    private void textView(DatasetSchema.TextTable table, List<Path> paths) throws SQLException {
        String name = table.dir() + "_compacted";
        if (paths.isEmpty()) {
            exec(conn, "CREATE OR REPLACE TABLE " + name + "_empty (" + DatasetSchema.duckDbColumns(table.columns()) + ")");
            exec(conn, "CREATE OR REPLACE VIEW " + name + " AS SELECT * FROM " + name + "_empty");
        } else {
            exec(conn, "CREATE OR REPLACE VIEW " + name + " AS SELECT * FROM read_parquet(" + fileList(paths)
                    + ", union_by_name = true)");
        }
    }

    private void liveTextView(DatasetSchema.TextTable t) throws SQLException {
        exec(conn, "CREATE OR REPLACE VIEW " + t.dir() + " AS SELECT * FROM " + t.dir() + "_compacted UNION ALL BY NAME "
                + "SELECT hash AS " + t.hashColumn() + ", text AS " + t.textColumn() + ", chars, first_seen FROM live_texts "
                + "WHERE kind = '" + LiveView.kind(t) + "' AND hash NOT IN (SELECT " + t.hashColumn() + " FROM " + t.dir() + "_compacted)");
    }

    /** A DuckDB list literal of file paths (the views name their files; paths cannot be bound parameters there). */
    static String fileList(List<Path> paths) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < paths.size(); i++) {
            sb.append(i == 0 ? "" : ", ").append(stringLiteral(paths.get(i).toString()));
        }
        return sb.append(']').toString();
    }

    /** A SQL string literal, for the few places DuckDB takes no parameter (file lists, COPY targets). */
    public static String stringLiteral(String s) {
        return "'" + s.replace("'", "''") + "'";
    }

    /** Whether the view over the calls files unifies their schemas by name (builds the views). */
    public boolean callsBoundByName() {
        ensureBuilt();
        return !files.calls().isEmpty() && !currentLayout.allCurrent(conn, files.calls());
    }

    public Connection connection() {
        return conn;
    }

    public DatasetFiles files() {
        return files;
    }

    public CorruptFileRetry retry() {
        return retry;
    }

    public Warnings warnings() {
        return warnings;
    }

    /** Calls in the live view (builds the views). */
    public long liveRows() {
        ensureBuilt();
        return liveRows;
    }

    /** The queue directory of the live view, or null. */
    public Path queueDir() {
        return queueDir;
    }

    @Override
    public void close() {
        try {
            conn.close();
        } catch (SQLException e) {
            throw new PromptLogReaderException("closing DuckDB failed: " + e.getMessage(), e);
        } finally {
            spill.close();
        }
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException ignored) {
            // failing anyway
        }
    }

    /** The one-line message for a DuckDB whose native library cannot be loaded, with its root cause. */
    static String nativeLibraryMissing(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return "cannot load DuckDB's native library (" + root.getMessage() + "): promptlog.jar needs the"
                + " libduckdb_java.so_<os>_<arch> files built beside it (cli/target) in the same directory";
    }
}
