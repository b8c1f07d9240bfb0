package io.promptlog.benchmarks;

import com.fasterxml.jackson.core.JsonGenerator;
import io.promptlog.compactor.CompactionResult;
import io.promptlog.compactor.Compactor;
import io.promptlog.compactor.CompactorConfig;
import io.promptlog.compactor.RetentionPolicy;
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
import java.sql.Statement;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The query benchmark's data set ({@link QueryBench}): the calls logged, compacted as a service's compactor
 * would (a file every K calls) and written once more by DuckDB into its own file; and what a compactor
 * costs when it opens such a data set. Building is kept apart from measuring, so the measurement reads like
 * the list of what is timed.
 */
final class QueryData {
    private QueryData() {
    }

    /**
     * A JSON fragment (leading comma): a compactor opened on the data set (nothing left to compact) and run
     * once, as after an app's restart: how long that takes and the heap it then keeps (used heap after a full
     * GC, before and after; the stored texts' hashes are in a mapped scratch file, outside the heap).
     */
    static String compactorStart(Path home) throws Exception {
        Runtime rt = Runtime.getRuntime();
        System.gc();
        long before = rt.totalMemory() - rt.freeMemory();
        long t0 = System.nanoTime();
        try (Compactor c = Compactor.open(CompactorConfig.builder(home).retention(RetentionPolicy.all()).build())) {
            CompactionResult r = c.runOnce();
            long ms = (System.nanoTime() - t0) / 1_000_000;
            if (r.callsWritten() != 0) {
                throw new IllegalStateException("compactor found " + r.callsWritten() + " calls left to compact");
            }
            System.gc();
            long after = rt.totalMemory() - rt.freeMemory();
            return String.format(Locale.ROOT, ",\"compactor_start\":{\"ms\":%d,\"heap_kept_mb\":%.1f}", ms,
                    (after - before) / 1e6);
        }
    }

    /** Logs and compacts the calls, writes DuckDB's file of the same calls; returns the calls files written. */
    static int generate(Path root, SyntheticCalls synthetic, int n, int repeats, int fileCalls, boolean metadataOnly,
                                boolean distinctPrompts, List<String> ids, double[] phases) throws Exception {
        Path home = root.resolve("home");
        Path jsonl = root.resolve("calls.jsonl");
        SplittableRandom rnd = new SplittableRandom(Workload.SEED);
        long t0 = System.nanoTime();
        long compactNanos = 0;
        long written = 0;
        int files = 0;
        try (PromptLog log = PromptLog.open(PromptLogConfig.builder(home).shardCount(1).backgroundCompaction(false).build());
             Compactor compactor = Compactor.open(CompactorConfig.builder(home).retention(RetentionPolicy.all()).build());
             BufferedWriter w = Files.newBufferedWriter(jsonl, StandardCharsets.UTF_8);
             JsonGenerator g = CanonicalJson.FACTORY.createGenerator(w)) {
            for (int seq = 0; seq < n; seq++) {
                LlmCall call = synthetic.call(seq);
                if (metadataOnly) {
                    LlmCall.Builder b = call.toBuilder().messages(null).response(null).tools(null);
                    if (distinctPrompts) {
                        b.systemPrompt(call.systemPrompt() + "\nThe customer is #" + seq + ".");
                    }
                    call = b.build();
                }
                CanonicalJson.write(new BenchCall(call), g);
                g.writeRaw('\n');
                int st;
                if (metadataOnly) {
                    st = log.append(call);
                } else {
                    try (CallRecorder r = log.begin()) {
                        synthetic.record(r, seq);
                        st = r.commit();
                    }
                }
                if (!AppendStatus.isAppended(st)) {
                    throw new IllegalStateException("append failed: " + AppendStatus.describe(st));
                }
                if (ids.size() < repeats + 1 && rnd.nextInt(Math.max(1, n / (4 * (repeats + 1)))) == 0) {
                    ids.add(call.callId());
                }
                if (fileCalls > 0 && (seq + 1) % fileCalls == 0) {
                    long c0 = System.nanoTime();
                    CompactionResult cr = compactor.runOnce();
                    compactNanos += System.nanoTime() - c0;
                    written += cr.callsWritten();
                    files += cr.filesWritten();
                }
            }
            long c0 = System.nanoTime();
            CompactionResult cr = compactor.runOnce();
            compactNanos += System.nanoTime() - c0;
            written += cr.callsWritten();
            files += cr.filesWritten();
        }
        if (written != n) {
            throw new IllegalStateException("compactor wrote " + written + " of " + n + " calls");
        }
        while (ids.size() < repeats + 1) {
            ids.add(synthetic.call(rnd.nextInt(n)).callId());
        }
        long compacted = System.nanoTime();
        long generated = compacted - compactNanos;
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
        phases[0] = (generated - t0) / 1e9;
        phases[1] = (compacted - generated) / 1e9;
        phases[2] = (converted - compacted) / 1e9;
        return files;
    }
}
