package io.promptlog.benchmarks;

import com.fasterxml.jackson.core.JsonGenerator;
import com.github.luben.zstd.ZstdOutputStream;
import io.promptlog.compactor.CompactionResult;
import io.promptlog.compactor.Compactor;
import io.promptlog.compactor.CompactorConfig;
import io.promptlog.compactor.MergeResult;
import io.promptlog.compactor.Redactors;
import io.promptlog.compactor.RetentionPolicy;
import io.promptlog.synthetic.SyntheticCalls;
import io.promptlog.writer.CallField;
import io.promptlog.writer.LlmCall;

import java.io.BufferedWriter;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Compaction speed and storage size, promptlog against DuckDB, same calls, same machine, same run.
 *
 * <p>Workload: {@link SyntheticCalls} with 24 system prompts of 1-60 KB (skewed choice), unique user
 * messages and responses. Every call is written once to: JSONL chunk files of {@code fileCalls} calls
 * (canonical JSON, the system prompt text in every line), a zstd stream of the same JSONL, and three
 * promptlog homes (value path, one shard, background compaction off):
 * <ul>
 *   <li>A: compacted once at the end with every text retained: the timed compaction run;</li>
 *   <li>B: compacted as a stream, every {@code fileCalls} calls, every text retained;</li>
 *   <li>C: the same stream with the default retention policy.</li>
 * </ul>
 * and B's streamed dataset once more, copied and then merged by the day merge ({@code Compactor.mergeClosedDays};
 * the synthetic calls' days are long closed): a service's steady state, as its background compactor leaves
 * each closed day ({@code promptlog_stream_all_merged}); and DuckDB's one-shot file once more at the merged
 * files' zstd level ({@code duckdb_one_file_at_merge_level}).
 * DuckDB (JDBC, {@code SET threads=1}, explicit column types so it does not spend time inferring) then
 * converts the JSONL to zstd Parquet with {@code COPY ... (FORMAT parquet, COMPRESSION zstd)}: once for
 * all calls (timed; one file: its best case, the Parquet dictionary folds repeated prompts) and once per
 * chunk (the compactor's file cadence: each file repeats the prompts it uses).
 *
 * <p>{@code --chat-turns T}: the multi-turn chat workload instead ({@link SyntheticCalls#chat}: conversations
 * of T calls, each re-sending the conversation so far), the same 24 system prompts.
 *
 * <p>{@code --repeats R}: after the runs above, R alternations of the timed compaction (home A again, into
 * a fresh dataset) and DuckDB's one-shot COPY, each timed in wall time and in CPU time of the process (every
 * thread: GC, JIT and DuckDB's own); {@code alternation} gives each run and the medians of the per-run
 * ratios. On a loaded machine the CPU ratio is the stable one: wall time then mostly measures the scheduler.
 *
 * <p>{@code --zstd-level L}: the zstd level of every compaction (default: the compactor's default);
 * {@code --merge-zstd-level L}: the merged files' zstd level (default: the compactor's default).
 *
 * <pre>storage --calls 50000 --file-calls 5000 [--chat-turns T] [--repeats R] [--zstd-level L] [--merge-zstd-level L] [--out result.json]</pre>
 */
public final class StorageCompaction {
    private StorageCompaction() {
    }

    public static void main(String[] args) throws Exception {
        int calls = 50_000;
        int fileCalls = 5_000;
        int chatTurns = 0;
        int repeats = 1;
        int mergeZstdLevel = CompactorConfig.DEFAULT_MERGE_ZSTD_LEVEL;
        int zstdLevel = CompactorConfig.DEFAULT_ZSTD_LEVEL;
        Path out = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--calls" -> calls = Integer.parseInt(args[++i]);
                case "--file-calls" -> fileCalls = Integer.parseInt(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                case "--chat-turns" -> chatTurns = Integer.parseInt(args[++i]);
                case "--repeats" -> repeats = Integer.parseInt(args[++i]);
                case "--merge-zstd-level" -> mergeZstdLevel = Integer.parseInt(args[++i]);
                case "--zstd-level" -> zstdLevel = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + "; usage: storage [--calls 50000] [--file-calls 5000] [--chat-turns T] [--repeats R]"
                        + " [--zstd-level L] [--merge-zstd-level L] [--out result.json]");
            }
        }
        if (calls < 1 || fileCalls < 1 || chatTurns < 0 || repeats < 1) {
            throw new IllegalArgumentException("--calls, --file-calls and --repeats must be >= 1, --chat-turns >= 0");
        }
        Path root = Files.createTempDirectory("promptlog-storage-");
        try {
            String json = run(root, calls, fileCalls, chatTurns, repeats, zstdLevel, mergeZstdLevel);
            System.out.println(json);
            if (out != null) {
                Files.writeString(out, json + "\n");
            }
        } finally {
            BenchFiles.delete(root);
        }
    }

    static String run(Path root, int n, int fileCalls, int chatTurns, int repeats, int zstdLevel, int mergeZstdLevel) throws Exception {
        SyntheticCalls synthetic = chatTurns == 0 ? new SyntheticCalls(Workload.SEED, 24, 1024, 60 * 1024)
                : SyntheticCalls.chat(Workload.SEED, 24, 1024, 60 * 1024, chatTurns);
        Path jsonlDir = Files.createDirectories(root.resolve("jsonl"));
        BenchHome a = new BenchHome(root.resolve("a"), RetentionPolicy.all(), zstdLevel);
        BenchHome b = new BenchHome(root.resolve("b"), RetentionPolicy.all(), zstdLevel);
        BenchHome c = new BenchHome(root.resolve("c"), RetentionPolicy.defaults(), zstdLevel);
        CountingStream zstdBytes = new CountingStream();
        long jsonlBytes = 0;
        long streamNanos = 0;
        int chunks = 0;
        try (ZstdOutputStream zstd = new ZstdOutputStream(zstdBytes, 3)) {
            JsonGenerator zg = CanonicalJson.FACTORY.createGenerator(
                    new BufferedWriter(new OutputStreamWriter(zstd, StandardCharsets.UTF_8), 1 << 16));
            for (int start = 0; start < n; start += fileCalls) {
                int end = Math.min(n, start + fileCalls);
                Path chunk = jsonlDir.resolve(String.format(Locale.ROOT, "calls-%05d.jsonl", chunks++));
                try (BufferedWriter w = Files.newBufferedWriter(chunk, StandardCharsets.UTF_8);
                     JsonGenerator g = CanonicalJson.FACTORY.createGenerator(w)) {
                    for (int seq = start; seq < end; seq++) {
                        LlmCall call = synthetic.call(seq);
                        BenchCall bc = new BenchCall(call);
                        CanonicalJson.write(bc, g);
                        g.writeRaw('\n');
                        CanonicalJson.write(bc, zg);
                        zg.writeRaw('\n');
                        a.append(call);
                        b.append(call);
                        c.append(call);
                    }
                }
                jsonlBytes += Files.size(chunk);
                long t0 = System.nanoTime();
                b.compactor.runOnce();
                c.compactor.runOnce();
                streamNanos += System.nanoTime() - t0;
            }
            zg.close();
        }
        long queueBytes = a.log.stats().appendedBytes();
        // the steady state of a service: B's streamed dataset after the background day merge (a copy, so the
        // streamed figures above stay those of the small files)
        Path merged = root.resolve("b-merged");
        BenchFiles.copyTree(b.data, merged);
        long mergeCpu0 = processCpuNanos();
        long mergeT0 = System.nanoTime();
        MergeResult mr;
        try (Compactor m = Compactor.open(CompactorConfig.builder(b.home).dataDir(merged)
                .retention(RetentionPolicy.all()).queueRetention(CompactorConfig.KEEP_QUEUE_FOREVER)
                .mergeZstdLevel(mergeZstdLevel).build())) {
            mr = m.mergeClosedDays();
        }
        long mergeNanos = System.nanoTime() - mergeT0;
        long mergeCpu = processCpuNanos() - mergeCpu0;
        if (mr.calls() != n) {
            throw new IllegalStateException("the day merge wrote " + mr.calls() + " calls, expected " + n + ": " + mr.describe());
        }
        // the timed compaction: everything at once, one thread (the calling one); the stream runs of B
        // and C above have warmed the JIT. Then the same queue again into a second dataset, redaction off.
        long cpu0 = processCpuNanos();
        long t0 = System.nanoTime();
        CompactionResult ra = a.compactor.runOnce();
        long compactNanos = System.nanoTime() - t0;
        long compactCpu = processCpuNanos() - cpu0;
        CompactionResult rn;
        long noRedactNanos;
        Path dataNoRedact = root.resolve("a-data-noredact");
        try (Compactor plain = Compactor.open(CompactorConfig.builder(a.home).dataDir(dataNoRedact).zstdLevel(zstdLevel)
                .retention(RetentionPolicy.all()).redactor(Redactors.none())
                .queueRetention(CompactorConfig.KEEP_QUEUE_FOREVER).build())) {
            long t1 = System.nanoTime();
            rn = plain.runOnce();
            noRedactNanos = System.nanoTime() - t1;
        }
        BenchFiles.delete(dataNoRedact);
        a.close();
        b.close();
        c.close();

        // DuckDB: one shot over all chunks (timed), then one file per chunk
        Path duck = Files.createDirectories(root.resolve("duck"));
        long duckNanos;
        long duckOneShotBytes;
        long duckOneShotLevelBytes;
        long duckChunkBytes = 0;
        long rowsA;
        long rowsDuck;
        String plColumns;
        String plOneShotColumns;
        String plMergedColumns;
        String duckColumnsTop;
        long duckCpu;
        List<long[]> alternation = new ArrayList<>();
        try (Connection conn = DriverManager.getConnection("jdbc:duckdb:");
             Statement st = conn.createStatement()) {
            st.execute("SET threads=1");
            st.execute("SET preserve_insertion_order=true");
            String cols = duckColumns();
            Path oneShot = duck.resolve("oneshot.parquet");
            long dc0 = processCpuNanos();
            long d0 = System.nanoTime();
            duckCopy(st, jsonlDir + "/*.jsonl", cols, oneShot);
            duckNanos = System.nanoTime() - d0;
            duckCpu = processCpuNanos() - dc0;
            // same-run alternation: compactor (fresh dataset, default redaction), then DuckDB, R times
            for (int r = 0; r < repeats; r++) {
                Path dataR = root.resolve("a-data-repeat");
                try (Compactor again = Compactor.open(CompactorConfig.builder(a.home).dataDir(dataR).zstdLevel(zstdLevel)
                        .retention(RetentionPolicy.all()).queueRetention(CompactorConfig.KEEP_QUEUE_FOREVER).build())) {
                    long c0 = processCpuNanos();
                    long w0 = System.nanoTime();
                    long written = again.runOnce().callsWritten();
                    alternation.add(new long[] {System.nanoTime() - w0, processCpuNanos() - c0, 0, 0});
                    if (written != n) {
                        throw new IllegalStateException("repeat compaction wrote " + written + " calls, expected " + n);
                    }
                }
                BenchFiles.delete(dataR);
                Path dst = duck.resolve("repeat.parquet");
                long c0 = processCpuNanos();
                long w0 = System.nanoTime();
                duckCopy(st, jsonlDir + "/*.jsonl", cols, dst);
                long[] row = alternation.get(r);
                row[2] = System.nanoTime() - w0;
                row[3] = processCpuNanos() - c0;
                Files.delete(dst);
            }
            duckOneShotBytes = Files.size(oneShot);
            // the same one-shot file at the merged files' zstd level: how much of the difference is the level
            Path oneShotLevel = duck.resolve("oneshot-level.parquet");
            st.execute("COPY (SELECT * FROM read_json(" + lit(jsonlDir + "/*.jsonl") + ", format='newline_delimited', columns=" + cols
                    + ")) TO " + lit(oneShotLevel.toString()) + " (FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL " + mergeZstdLevel + ")");
            duckOneShotLevelBytes = Files.size(oneShotLevel);
            rowsDuck = count(st, "SELECT count(*) FROM read_parquet(" + lit(oneShot.toString()) + ")");
            for (int i = 0; i < chunks; i++) {
                Path src = jsonlDir.resolve(String.format(Locale.ROOT, "calls-%05d.jsonl", i));
                Path dst = duck.resolve(String.format(Locale.ROOT, "chunk-%05d.parquet", i));
                duckCopy(st, src.toString(), cols, dst);
                duckChunkBytes += Files.size(dst);
            }
            rowsA = count(st, "SELECT count(*) FROM read_parquet(" + lit(a.data + "/calls/**/*.parquet") + ")");
            plColumns = columnBytes(st, b.data + "/calls/**/*.parquet", n);
            plOneShotColumns = columnBytes(st, a.data + "/calls/**/*.parquet", n);
            plMergedColumns = columnBytes(st, merged + "/calls/**/*.parquet", n);
            long rowsMerged = count(st, "SELECT count(*) FROM read_parquet(" + lit(merged + "/calls/**/*.parquet") + ")");
            if (rowsMerged != n) {
                throw new IllegalStateException("DuckDB reads " + rowsMerged + " calls in the merged dataset, expected " + n);
            }
            duckColumnsTop = columnBytes(st, oneShot.toString(), n);
        }
        if (rowsA != n || rowsDuck != n || ra.callsWritten() != n || rn.callsWritten() != n) {
            throw new IllegalStateException("row counts differ: promptlog " + rowsA + " (compactor said "
                    + ra.callsWritten() + "), duckdb " + rowsDuck + ", expected " + n);
        }
        double secs = compactNanos / 1e9;
        double dsecs = duckNanos / 1e9;
        String alternations = alternationJson(alternation, n);
        return String.format(Locale.ROOT, "{\"calls\":%d,\"file_calls\":%d,\"chat_turns\":" + chatTurns + ",\"jsonl_bytes\":%d,\"queue_bytes\":%d,"
                        + "\"compactor\":{\"seconds\":%.3f,\"calls_per_s\":%.0f,\"jsonl_mb_per_s\":%.1f,\"queue_mb_per_s\":%.1f,"
                        + "\"files\":%d,\"cpu_seconds\":%.3f},\"compactor_no_redaction\":{\"seconds\":%.3f,\"calls_per_s\":%.0f,"
                        + "\"jsonl_mb_per_s\":%.1f},\"duckdb_copy\":{\"seconds\":%.3f,\"calls_per_s\":%.0f,\"jsonl_mb_per_s\":%.1f,\"cpu_seconds\":%.3f},"
                        + "\"alternation\":" + alternations + ","
                        + "\"stream_compaction_seconds\":%.3f,"
                        + "\"zstd_level\":" + zstdLevel + ",\"day_merge\":{\"zstd_level\":" + mergeZstdLevel + ",\"seconds\":%.3f,\"cpu_seconds\":%.3f,\"files_merged\":%d,\"files_written\":%d},"
                        + "\"bytes_per_call\":{\"jsonl\":%.1f,\"jsonl_zstd\":%.1f,\"duckdb_one_file\":%.1f,"
                        + "\"duckdb_per_chunk\":%.1f,\"promptlog_one_shot_all\":%.1f,\"promptlog_stream_all\":%.1f,"
                        + "\"promptlog_stream_default\":%.1f,\"promptlog_stream_all_merged\":%.1f,"
                        + "\"duckdb_one_file_at_merge_level\":%.1f},"
                        + "\"promptlog_stream_all_parts\":{\"calls\":%d,\"system_prompts\":%d,\"other\":%d},"
                        + "\"promptlog_stream_default_parts\":{\"calls\":%d,\"system_prompts\":%d,\"other\":%d},"
                        + "\"columns_bytes_per_call\":{\"promptlog_stream_all_calls\":%s,\"promptlog_one_shot_all_calls\":%s,"
                        + "\"promptlog_stream_all_merged_calls\":%s,\"duckdb_one_file\":%s}}",
                n, fileCalls, jsonlBytes, queueBytes,
                secs, n / secs, jsonlBytes / 1e6 / secs, queueBytes / 1e6 / secs, ra.filesWritten(), compactCpu / 1e9,
                noRedactNanos / 1e9, n / (noRedactNanos / 1e9), jsonlBytes / 1e6 / (noRedactNanos / 1e9),
                dsecs, n / dsecs, jsonlBytes / 1e6 / dsecs, duckCpu / 1e9,
                streamNanos / 1e9,
                mergeNanos / 1e9, mergeCpu / 1e9, mr.filesMerged(), mr.filesWritten(),
                jsonlBytes / (double) n, zstdBytes.count / (double) n, duckOneShotBytes / (double) n,
                duckChunkBytes / (double) n, a.datasetBytes("") / (double) n, b.datasetBytes("") / (double) n,
                c.datasetBytes("") / (double) n, BenchFiles.parquetBytes(merged) / (double) n, duckOneShotLevelBytes / (double) n,
                b.datasetBytes("calls"), b.datasetBytes("system_prompts"),
                b.datasetBytes("") - b.datasetBytes("calls") - b.datasetBytes("system_prompts"),
                c.datasetBytes("calls"), c.datasetBytes("system_prompts"),
                c.datasetBytes("") - c.datasetBytes("calls") - c.datasetBytes("system_prompts"),
                plColumns, plOneShotColumns, plMergedColumns, duckColumnsTop);
    }

    /** DuckDB's column types for the canonical JSON, from the one schema ({@link CallField}). */
    static String duckColumns() {
        List<String> cols = new ArrayList<>();
        for (CallField f : CallField.all()) {
            String type = switch (f.type()) {
                case STRING -> "VARCHAR";
                case INT64 -> "BIGINT";
                case FLOAT64 -> "DOUBLE";
                case BOOL -> "BOOLEAN";
                case TIMESTAMP_MICROS -> "TIMESTAMPTZ";
                case STRING_LIST -> "VARCHAR[]";
                case MESSAGES -> "STRUCT(role VARCHAR, content VARCHAR, name VARCHAR, tool_call_id VARCHAR)[]";
                case ATTRIBUTES -> "MAP(VARCHAR, VARCHAR)";
            };
            cols.add(f.column() + ": '" + type + "'");
        }
        return "{" + String.join(", ", cols) + "}";
    }

    private static void duckCopy(Statement st, String jsonl, String cols, Path dst) throws Exception {
        st.execute("COPY (SELECT * FROM read_json(" + lit(jsonl) + ", format='newline_delimited', columns=" + cols
                + ")) TO " + lit(dst.toString()) + " (FORMAT parquet, COMPRESSION zstd)");
    }

    /** CPU time of this whole process (every thread: GC and JIT included; DuckDB's native threads too). */
    static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /**
     * The alternating runs ({@code [compactor wall, compactor cpu, duckdb wall, duckdb cpu]} nanos each) as JSON:
     * every run's calls/s, and the medians of the per-run ratios (wall and CPU).
     */
    static String alternationJson(List<long[]> runs, int n) {
        List<String> rows = new ArrayList<>();
        double[] wall = new double[runs.size()];
        double[] cpu = new double[runs.size()];
        for (int i = 0; i < runs.size(); i++) {
            long[] r = runs.get(i);
            wall[i] = (double) r[2] / r[0];
            cpu[i] = (double) r[3] / r[1];
            rows.add(String.format(Locale.ROOT, "{\"compactor_calls_per_s\":%.0f,\"compactor_calls_per_cpu_s\":%.0f,"
                            + "\"duckdb_calls_per_s\":%.0f,\"duckdb_calls_per_cpu_s\":%.0f}",
                    n / (r[0] / 1e9), n / (r[1] / 1e9), n / (r[2] / 1e9), n / (r[3] / 1e9)));
        }
        return String.format(Locale.ROOT, "{\"runs\":[%s],\"median_ratio_calls_per_s\":%.3f,\"median_ratio_calls_per_cpu_s\":%.3f}",
                String.join(",", rows), median(wall), median(cpu));
    }

    static double median(double[] v) {
        double[] s = v.clone();
        java.util.Arrays.sort(s);
        return s.length == 0 ? Double.NaN : s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    /** Every column of some Parquet files, compressed bytes per call, largest first, as a JSON object. */
    private static String columnBytes(Statement st, String glob, int n) throws Exception {
        List<String> parts = new ArrayList<>();
        try (ResultSet rs = st.executeQuery("SELECT path_in_schema, sum(total_compressed_size) AS b FROM parquet_metadata("
                + lit(glob) + ") GROUP BY 1 ORDER BY 2 DESC")) {
            while (rs.next()) {
                parts.add(String.format(Locale.ROOT, "\"%s\":%.1f", rs.getString(1).replace("\"", "'"),
                        rs.getLong(2) / (double) n));
            }
        }
        return "{" + String.join(",", parts) + "}";
    }

    private static long count(Statement st, String sql) throws Exception {
        try (ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    static String lit(String s) {
        return "'" + s.replace("'", "''") + "'";
    }

    /** Counts bytes written, discards them. */
    private static final class CountingStream extends OutputStream {
        long count;

        @Override
        public void write(int b) {
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            count += len;
        }
    }
}
