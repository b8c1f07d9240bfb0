package io.promptlog.benchmarks;

import io.promptlog.compactor.Compactor;
import io.promptlog.compactor.CompactorConfig;
import io.promptlog.compactor.RetentionPolicy;
import io.promptlog.reader.PromptLogReader;
import io.promptlog.reader.QueryResult;
import io.promptlog.reader.StoredCall;
import io.promptlog.synthetic.SyntheticCalls;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Query speed: promptlog's dataset through its reader ({@link PromptLogReader}, embedded DuckDB over the
 * compactor's Parquet) against DuckDB over a Parquet file DuckDB wrote itself from the same calls.
 *
 * <p>Calls from {@link SyntheticCalls} (24 system prompts of 0.5-4 KB, spread over 30 days), every text
 * retained. Queries: a point lookup of one call by {@code call_id} returning the whole call (the reader's
 * {@code call(id)}: its system prompt joined back in; DuckDB: {@code SELECT *}), and per model per day
 * p50/p99 of {@code duration_us}. Each query runs once to warm up, then {@code repeats} times (point
 * lookups on different ids, picked at random over the whole data set, so from different days); medians are
 * reported. Then {@value #STEADY_LOOKUPS} lookups of other logged ids in a row, through the same open reader
 * ({@code steady_lookup}: its steady state; the lookups above each follow a group-by). Then 3 lookups of an id that was never logged (one logged id with its last digit changed: same
 * day, same millisecond). The group-by results of both sides are compared. When the data set is built, the
 * time of each phase goes into {@code build} (logging, compaction, DuckDB's file).
 *
 * <p>{@code --file-calls K} compacts after every K calls, so the dataset has the many files of a service
 * whose compactor runs every few minutes (default: one compaction at the end). {@code --metadata-only}
 * logs the calls without their texts (messages, response, tools; the system prompts stay), which keeps a
 * 10 M call run within this machine's disk and time (the point lookup and the group-by read metadata
 * columns). {@code --distinct-prompts} (with {@code --metadata-only}) gives every call its own system prompt
 * (one of the 24 with the call's customer number appended, as a service that templates its prompts logs
 * them), so the text table holds one prompt per call and the lookup must find one text among millions. {@code --promptlog-jar J} also times {@code java -jar J show <id> --data <dataset>} end to end
 * (JVM start included; median of 3 child processes), {@code --launcher ./promptlog} the same through the
 * launcher script, as users run it (C1 and its class data archive, made by one untimed run first). {@code --merge} then merges every day's small files
 * ({@code Compactor.mergeClosedDays}, its clock two days after the last call, as on a service that ran that
 * month) and measures the merged layout like the small files, DuckDB included, in the same run
 * ({@code after_merge}; with {@code --keep}, the kept data set stays merged). {@code compactor_start}: a
 * compactor opened on the data set and run once (nothing left to do), as after an app's restart: its time
 * and the heap it keeps ({@link QueryData} builds the data set and measures this).
 *
 * <p>{@code --keep DIR} builds the data set in DIR and leaves it there (with the ids it looks up, in
 * {@code ids.txt}); a later run with the same options and {@code --keep DIR} measures it again without
 * rebuilding it (the 10 M data set takes most of an hour to build).
 *
 * <pre>query --calls 1000000 [--repeats 7] [--file-calls K] [--metadata-only [--distinct-prompts]] [--merge] [--promptlog-jar J] [--launcher ./promptlog] [--out result.json] [--keep DIR]</pre>
 */
public final class QueryBench {
    static final String GROUP_BY = "SELECT request_model, CAST(start_time AS DATE) AS day, count(*) AS calls, "
            + "quantile_cont(duration_us, 0.5) AS p50_us, quantile_cont(duration_us, 0.99) AS p99_us "
            + "FROM %s GROUP BY ALL ORDER BY request_model, day";

    /** The ./promptlog launcher whose {@code show} is timed too (null: not timed). */
    private static Path launcher;

    private QueryBench() {
    }

    public static void main(String[] args) throws Exception {
        int n = 1_000_000;
        int repeats = 7;
        int fileCalls = 0;
        boolean metadataOnly = false;
        boolean distinctPrompts = false;
        boolean merge = false;
        Path promptlogJar = null;
        Path launcher = null;
        Path out = null;
        Path keep = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--calls" -> n = Integer.parseInt(args[++i]);
                case "--repeats" -> repeats = Integer.parseInt(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                case "--file-calls" -> fileCalls = Integer.parseInt(args[++i]);
                case "--metadata-only" -> metadataOnly = true;
                case "--distinct-prompts" -> distinctPrompts = true;
                case "--merge" -> merge = true;
                case "--promptlog-jar" -> promptlogJar = Path.of(args[++i]);
                case "--launcher" -> launcher = Path.of(args[++i]);
                case "--keep" -> keep = Path.of(args[++i]);
                case "--help" -> {
                    System.out.println("usage: " + USAGE);
                    return;
                }
                default -> throw new IllegalArgumentException("unknown option " + args[i] + "; usage: " + USAGE);
            }
        }
        if (n < 100 || repeats < 1 || fileCalls < 0) {
            throw new IllegalArgumentException("--calls must be >= 100, --repeats >= 1 and --file-calls >= 0");
        }
        if (distinctPrompts && !metadataOnly) {
            throw new IllegalArgumentException("--distinct-prompts needs --metadata-only (it rewrites each logged call's system prompt)");
        }
        if (promptlogJar != null && !Files.isRegularFile(promptlogJar)) {
            throw new IllegalArgumentException("--promptlog-jar: no file " + promptlogJar);
        }
        if (launcher != null && !Files.isRegularFile(launcher)) {
            throw new IllegalArgumentException("--launcher: no file " + launcher + " (the ./promptlog script)");
        }
        QueryBench.launcher = launcher;
        Path root = keep != null ? Files.createDirectories(keep) : Files.createTempDirectory("promptlog-query-");
        try {
            String json = run(root, n, repeats, fileCalls, metadataOnly, distinctPrompts, promptlogJar, merge);
            System.out.println(json);
            if (out != null) {
                Files.writeString(out, json + "\n");
            }
        } finally {
            if (keep == null) {
                BenchFiles.delete(root);
            }
        }
    }

    private static final String USAGE = "query [--calls 1000000] [--repeats 7] [--file-calls K] [--metadata-only [--distinct-prompts]] "
            + "[--merge] [--promptlog-jar J] [--launcher ./promptlog] [--out result.json] [--keep DIR]";

    static String run(Path root, int n, int repeats, int fileCalls, boolean metadataOnly, boolean distinctPrompts,
                      Path promptlogJar, boolean merge) throws Exception {
        long spacing = 30L * 86_400_000_000L / n;
        SyntheticCalls synthetic = new SyntheticCalls(Workload.SEED, 24, 512, 4096,
                SyntheticCalls.DEFAULT_BASE_MICROS, spacing);
        Path home = root.resolve("home");
        Path duckFile = root.resolve("duckdb.parquet");
        Path idsFile = root.resolve("ids.txt");
        List<String> ids;
        String build = "";
        if (Files.isRegularFile(idsFile)) {
            // a data set kept by an earlier run with --keep: measure it again
            List<String> lines = Files.readAllLines(idsFile);
            String[] header = lines.get(0).split(" ");
            if (Integer.parseInt(header[0]) != n || Integer.parseInt(header[1]) != fileCalls
                    || Boolean.parseBoolean(header[2]) != metadataOnly
                    || (header.length > 3 && Boolean.parseBoolean(header[3])) != distinctPrompts || lines.size() - 2 < repeats + 1) {
                throw new IllegalArgumentException("--keep " + root + " holds a data set of " + lines.get(0)
                        + " (calls file-calls metadata-only distinct-prompts), not of these options: use another directory");
            }
            ids = lines.subList(2, lines.size());
            System.err.println("# query data: reusing " + root);
        } else {
            ids = new ArrayList<>();
            double[] phases = new double[3];
            int files = QueryData.generate(root, synthetic, n, repeats, fileCalls, metadataOnly, distinctPrompts, ids, phases);
            build = String.format(Locale.ROOT, "\"build\":{\"log_s\":%.1f,\"compact_s\":%.1f,\"duckdb_file_s\":%.1f},",
                    phases[0], phases[1], phases[2]);
            List<String> lines = new ArrayList<>(List.of(n + " " + fileCalls + " " + metadataOnly + " " + distinctPrompts,
                    String.valueOf(files)));
            lines.addAll(ids);
            Files.write(idsFile, lines);
        }
        List<String> steadyIds = new ArrayList<>();
        SplittableRandom steadyRnd = new SplittableRandom(Workload.SEED + 1);
        while (steadyIds.size() < STEADY_LOOKUPS) {
            steadyIds.add(synthetic.call(steadyRnd.nextInt(n)).callId());
        }
        String json = "{\"calls\":" + n + ",\"repeats\":" + repeats + ",\"file_calls\":" + fileCalls
                + ",\"metadata_only\":" + metadataOnly + ",\"distinct_prompts\":" + distinctPrompts + "," + build
                + measure(home, duckFile, repeats, promptlogJar, ids, steadyIds) + QueryData.compactorStart(home);
        if (merge) {
            json += afterMerge(home, duckFile, ids, steadyIds, repeats, promptlogJar,
                    SyntheticCalls.DEFAULT_BASE_MICROS + (long) n * spacing);
        }
        return json + "}";
    }

    /**
     * Times the current layout: a JSON fragment (no braces) with the reader's open, point lookups of the ids
     * (each from its own day) and of an id that is not there, the group-by, the same against DuckDB's file,
     * sizes and {@code show} end to end.
     */
    private static String measure(Path home, Path duckFile, int repeats, Path promptlogJar, List<String> ids,
                                  List<String> steadyIds) throws Exception {
        double[] plSteady = new double[steadyIds.size()];
        double[] dkSteady = new double[steadyIds.size()];
        double[] plLookup = new double[repeats];
        double[] plGroup = new double[repeats];
        double[] dkLookup = new double[repeats];
        double[] dkGroup = new double[repeats];
        double[] plMissing = new double[MISSING_REPEATS];
        double[] dkMissing = new double[MISSING_REPEATS];
        String missing = missingId(ids.get(0));
        QueryResult plResult = null;
        List<List<Object>> dkResult = null;
        long openNanos;
        int files;
        long o0 = System.nanoTime();
        try (PromptLogReader reader = PromptLogReader.open(home.resolve("data"))) {
            openNanos = System.nanoTime() - o0;
            for (int i = 0; i <= repeats; i++) {
                long a = System.nanoTime();
                StoredCall found = reader.call(ids.get(i)).orElseThrow(
                        () -> new IllegalStateException("reader did not find a logged call"));
                long b = System.nanoTime();
                QueryResult q = reader.sql(String.format(Locale.ROOT, GROUP_BY, "calls"));
                long c = System.nanoTime();
                if (found == null || q.rowCount() == 0) {
                    throw new IllegalStateException("empty result");
                }
                if (i > 0) {
                    plLookup[i - 1] = (b - a) / 1e6;
                    plGroup[i - 1] = (c - b) / 1e6;
                }
                plResult = q;
            }
            for (int i = 0; i < MISSING_REPEATS; i++) {
                long a = System.nanoTime();
                if (reader.call(missing).isPresent()) {
                    throw new IllegalStateException("reader found a call that was never logged: " + missing);
                }
                plMissing[i] = (System.nanoTime() - a) / 1e6;
            }
            for (int i = 0; i < steadyIds.size(); i++) {
                long a = System.nanoTime();
                reader.call(steadyIds.get(i)).orElseThrow(() -> new IllegalStateException("reader did not find a logged call"));
                plSteady[i] = (System.nanoTime() - a) / 1e6;
            }
            files = reader.callFileCount();
        }
        try (Connection conn = DriverManager.getConnection("jdbc:duckdb:");
             PreparedStatement lookup = conn.prepareStatement("SELECT * FROM read_parquet("
                     + StorageCompaction.lit(duckFile.toString()) + ") WHERE call_id = ?");
             Statement st = conn.createStatement()) {
            for (int i = 0; i <= repeats; i++) {
                long a = System.nanoTime();
                int rows = duckLookup(lookup, ids.get(i));
                long b = System.nanoTime();
                List<List<Object>> res = new ArrayList<>();
                try (ResultSet rs = st.executeQuery(String.format(Locale.ROOT, GROUP_BY,
                        "read_parquet(" + StorageCompaction.lit(duckFile.toString()) + ")"))) {
                    while (rs.next()) {
                        List<Object> row = new ArrayList<>();
                        for (int col = 1; col <= 5; col++) {
                            row.add(rs.getObject(col));
                        }
                        res.add(row);
                    }
                }
                long c = System.nanoTime();
                if (rows != 1) {
                    throw new IllegalStateException("DuckDB found " + rows + " rows for one call_id");
                }
                if (i > 0) {
                    dkLookup[i - 1] = (b - a) / 1e6;
                    dkGroup[i - 1] = (c - b) / 1e6;
                }
                dkResult = res;
            }
            for (int i = 0; i < MISSING_REPEATS; i++) {
                long a = System.nanoTime();
                if (duckLookup(lookup, missing) != 0) {
                    throw new IllegalStateException("DuckDB found a call that was never logged: " + missing);
                }
                dkMissing[i] = (System.nanoTime() - a) / 1e6;
            }
            for (int i = 0; i < steadyIds.size(); i++) {
                long a = System.nanoTime();
                if (duckLookup(lookup, steadyIds.get(i)) != 1) {
                    throw new IllegalStateException("DuckDB did not find one row for a logged call_id");
                }
                dkSteady[i] = (System.nanoTime() - a) / 1e6;
            }
        }
        if (plResult.rowCount() != dkResult.size()
                || !String.valueOf(plResult.rows().get(0).get(2)).equals(String.valueOf(dkResult.get(0).get(2)))) {
            throw new IllegalStateException("group-by results differ: promptlog " + plResult.rowCount()
                    + " rows, DuckDB " + dkResult.size());
        }
        long plBytes = BenchFiles.parquetBytes(home.resolve("data"));
        double showMs = promptlogJar == null ? Double.NaN : ShowTiming.showMillis(ShowTiming.javaJar(promptlogJar), home.resolve("data"), ids, false);
        // through the launcher, as users run it (its first run makes the class data archive: not timed)
        double launcherMs = launcher == null ? Double.NaN
                : ShowTiming.showMillis(List.of("bash", launcher.toString()), home.resolve("data"), ids, true);
        return String.format(Locale.ROOT, "\"calls_files\":%d,\"reader_open_ms\":%.1f,"
                        + "\"promptlog_dataset_bytes\":%d,\"duckdb_file_bytes\":%d,\"group_rows\":%d,"
                        + "\"point_lookup\":{\"promptlog_ms\":%.2f,\"duckdb_ms\":%.2f},"
                        + "\"steady_lookup\":{\"promptlog_ms\":%.2f,\"duckdb_ms\":%.2f,\"lookups\":%d},"
                        + "\"missing_id_lookup\":{\"promptlog_ms\":%.2f,\"duckdb_ms\":%.2f},"
                        + "\"group_by\":{\"promptlog_ms\":%.2f,\"duckdb_ms\":%.2f},\"show_end_to_end_ms\":%s,"
                        + "\"show_launcher_ms\":%s",
                files, openNanos / 1e6, plBytes, Files.size(duckFile), dkResult.size(),
                median(plLookup), median(dkLookup), median(plSteady), median(dkSteady), steadyIds.size(), median(plMissing), median(dkMissing), median(plGroup), median(dkGroup),
                Double.isNaN(showMs) ? "null" : String.format(Locale.ROOT, "%.0f", showMs),
                Double.isNaN(launcherMs) ? "null" : String.format(Locale.ROOT, "%.0f", launcherMs));
    }

    /**
     * Lookups of logged ids (random, so from every day) in a row after everything else, through the same open
     * reader: its steady state, as in a service that looks calls up all day (median). The point lookups above
     * each follow a group-by that scanned the whole data set, the first of each day in that reader.
     */
    static final int STEADY_LOOKUPS = 50;

    /** Lookups of an id that was never logged, timed after the others (median). */
    private static final int MISSING_REPEATS = 3;

    /** Rows DuckDB's lookup returns for {@code id}, every column read. */
    private static int duckLookup(PreparedStatement lookup, String id) throws java.sql.SQLException {
        lookup.setString(1, id);
        int rows = 0;
        try (ResultSet rs = lookup.executeQuery()) {
            ResultSetMetaData md = rs.getMetaData();
            while (rs.next()) {
                for (int col = 1; col <= md.getColumnCount(); col++) {
                    rs.getObject(col);
                }
                rows++;
            }
        }
        return rows;
    }

    /**
     * An id that was never logged, in the same millisecond as {@code id} (its last hex digit changed): the
     * worst case for a lookup pruned by the UUIDv7's time, which lands on the very row group that would hold it.
     */
    static String missingId(String id) {
        char last = id.charAt(id.length() - 1);
        return id.substring(0, id.length() - 1) + (last == '0' ? '1' : '0');
    }

    /**
     * Merges every day's small calls files (clock two days after {@code lastMicros}), then measures the merged
     * layout as the small files were measured, DuckDB again included (same-run ratios): a JSON fragment
     * {@code ,"after_merge":{...}}.
     */
    private static String afterMerge(Path home, Path duckFile, List<String> ids, List<String> steadyIds, int repeats,
                                     Path promptlogJar, long lastMicros) throws Exception {
        java.time.Clock later = java.time.Clock.fixed(java.time.Instant.EPOCH.plus(lastMicros + 2 * 86_400_000_000L,
                java.time.temporal.ChronoUnit.MICROS), java.time.ZoneOffset.UTC);
        long m0 = System.nanoTime();
        io.promptlog.compactor.MergeResult r;
        try (Compactor c = Compactor.open(CompactorConfig.builder(home).retention(RetentionPolicy.all()).clock(later).build())) {
            r = c.mergeClosedDays();
        }
        double mergeS = (System.nanoTime() - m0) / 1e9;
        System.err.println("# " + r.describe() + String.format(Locale.ROOT, " in %.1f s", mergeS));
        return String.format(Locale.ROOT, ",\"after_merge\":{\"merge_s\":%.1f,\"days_merged\":%d,", mergeS, r.daysMerged())
                + measure(home, duckFile, repeats, promptlogJar, ids, steadyIds) + "}";
    }

    private static double median(double[] v) {
        return StorageCompaction.median(v);
    }
}
