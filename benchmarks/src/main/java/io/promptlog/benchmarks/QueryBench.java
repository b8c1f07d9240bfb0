package io.promptlog.benchmarks;

import com.fasterxml.jackson.core.JsonGenerator;
import io.promptlog.compactor.CompactionResult;
import io.promptlog.compactor.Compactor;
import io.promptlog.compactor.CompactorConfig;
import io.promptlog.compactor.RetentionPolicy;
import io.promptlog.reader.PromptLogReader;
import io.promptlog.reader.QueryResult;
import io.promptlog.reader.StoredCall;
import io.promptlog.synthetic.SyntheticCalls;
import io.promptlog.writer.AppendStatus;
import io.promptlog.writer.CallRecorder;
import io.promptlog.writer.LlmCall;
import io.promptlog.writer.PromptLog;
import io.promptlog.writer.PromptLogConfig;

import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
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
 * lookups on different ids); medians are reported. The group-by results of both sides are compared.
 *
 * <pre>query --calls 1000000 [--repeats 7] [--out result.json]</pre>
 */
public final class QueryBench {
    static final String GROUP_BY = "SELECT request_model, CAST(start_time AS DATE) AS day, count(*) AS calls, "
            + "quantile_cont(duration_us, 0.5) AS p50_us, quantile_cont(duration_us, 0.99) AS p99_us "
            + "FROM %s GROUP BY ALL ORDER BY request_model, day";

    private QueryBench() {
    }

    public static void main(String[] args) throws Exception {
        int n = 1_000_000;
        int repeats = 7;
        Path out = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--calls" -> n = Integer.parseInt(args[++i]);
                case "--repeats" -> repeats = Integer.parseInt(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                case "--help" -> {
                    System.out.println("usage: query [--calls 1000000] [--repeats 7] [--out result.json]");
                    return;
                }
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + "; usage: query [--calls 1000000] [--repeats 7] [--out result.json]");
            }
        }
        if (n < 100 || repeats < 1) {
            throw new IllegalArgumentException("--calls must be >= 100 and --repeats >= 1");
        }
        Path root = Files.createTempDirectory("promptlog-query-");
        try {
            String json = run(root, n, repeats);
            System.out.println(json);
            if (out != null) {
                Files.writeString(out, json + "\n");
            }
        } finally {
            StorageCompaction.delete(root);
        }
    }

    static String run(Path root, int n, int repeats) throws Exception {
        long spacing = 30L * 86_400_000_000L / n;
        SyntheticCalls synthetic = new SyntheticCalls(Workload.SEED, 24, 512, 4096,
                SyntheticCalls.DEFAULT_BASE_MICROS, spacing);
        Path home = root.resolve("home");
        Path jsonl = root.resolve("calls.jsonl");
        SplittableRandom rnd = new SplittableRandom(Workload.SEED);
        List<String> ids = new ArrayList<>();
        long t0 = System.nanoTime();
        try (PromptLog log = PromptLog.open(PromptLogConfig.builder(home).shardCount(1).backgroundCompaction(false).build());
             BufferedWriter w = Files.newBufferedWriter(jsonl, StandardCharsets.UTF_8);
             JsonGenerator g = CanonicalJson.FACTORY.createGenerator(w)) {
            for (int seq = 0; seq < n; seq++) {
                LlmCall call = synthetic.call(seq);
                CanonicalJson.write(new BenchCall(call), g);
                g.writeRaw('\n');
                int st;
                try (CallRecorder r = log.begin()) {
                    synthetic.record(r, seq);
                    st = r.commit();
                }
                if (!AppendStatus.isAppended(st)) {
                    throw new IllegalStateException("append failed: " + AppendStatus.describe(st));
                }
                if (ids.size() < repeats + 1 && rnd.nextInt(Math.max(1, n / (4 * (repeats + 1)))) == 0) {
                    ids.add(call.callId());
                }
            }
        }
        while (ids.size() < repeats + 1) {
            ids.add(synthetic.call(rnd.nextInt(n)).callId());
        }
        long generated = System.nanoTime();
        CompactionResult cr;
        try (Compactor c = Compactor.open(CompactorConfig.builder(home).retention(RetentionPolicy.all()).build())) {
            cr = c.runOnce();
        }
        if (cr.callsWritten() != n) {
            throw new IllegalStateException("compactor wrote " + cr.callsWritten() + " of " + n + " calls");
        }
        long compacted = System.nanoTime();
        Path duckFile = root.resolve("duckdb.parquet");
        try (Connection conn = DriverManager.getConnection("jdbc:duckdb:"); Statement st = conn.createStatement()) {
            st.execute("COPY (SELECT * FROM read_json(" + StorageCompaction.lit(jsonl.toString())
                    + ", format='newline_delimited', columns=" + StorageCompaction.duckColumns() + ")) TO "
                    + StorageCompaction.lit(duckFile.toString()) + " (FORMAT parquet, COMPRESSION zstd)");
        }
        Files.delete(jsonl);
        long converted = System.nanoTime();
        System.err.printf(Locale.ROOT, "# query data: %d calls generated in %.1f s, compacted in %.1f s, DuckDB file in %.1f s%n",
                n, (generated - t0) / 1e9, (compacted - generated) / 1e9, (converted - compacted) / 1e9);

        double[] plLookup = new double[repeats];
        double[] plGroup = new double[repeats];
        double[] dkLookup = new double[repeats];
        double[] dkGroup = new double[repeats];
        QueryResult plResult = null;
        List<List<Object>> dkResult = null;
        long openNanos;
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
        }
        try (Connection conn = DriverManager.getConnection("jdbc:duckdb:");
             PreparedStatement lookup = conn.prepareStatement("SELECT * FROM read_parquet("
                     + StorageCompaction.lit(duckFile.toString()) + ") WHERE call_id = ?");
             Statement st = conn.createStatement()) {
            for (int i = 0; i <= repeats; i++) {
                long a = System.nanoTime();
                lookup.setString(1, ids.get(i));
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
        }
        if (plResult.rowCount() != dkResult.size()
                || !String.valueOf(plResult.rows().get(0).get(2)).equals(String.valueOf(dkResult.get(0).get(2)))) {
            throw new IllegalStateException("group-by results differ: promptlog " + plResult.rowCount()
                    + " rows, DuckDB " + dkResult.size());
        }
        long plBytes = dirBytes(home.resolve("data"));
        return String.format(Locale.ROOT, "{\"calls\":%d,\"repeats\":%d,\"reader_open_ms\":%.1f,"
                        + "\"promptlog_dataset_bytes\":%d,\"duckdb_file_bytes\":%d,\"group_rows\":%d,"
                        + "\"point_lookup\":{\"promptlog_ms\":%.2f,\"duckdb_ms\":%.2f},"
                        + "\"group_by\":{\"promptlog_ms\":%.2f,\"duckdb_ms\":%.2f}}",
                n, repeats, openNanos / 1e6, plBytes, Files.size(duckFile), dkResult.size(),
                median(plLookup), median(dkLookup), median(plGroup), median(dkGroup));
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static long dirBytes(Path p) throws java.io.IOException {
        try (var w = Files.walk(p)) {
            return w.filter(f -> f.toString().endsWith(".parquet")).mapToLong(f -> f.toFile().length()).sum();
        }
    }
}
