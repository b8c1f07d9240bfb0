package io.promptlog.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.promptlog.benchmarks.sink.CallSink;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns a results directory ({@code jmh-t1.json}, {@code jmh-t4.json}, {@code paced.jsonl},
 * {@code storage.json}, {@code query.json}, {@code machine.txt}) into the markdown tables of
 * {@code benchmarks/README.md}: medians and ratios against each peer, and each target checked.
 * Missing files are reported as missing, never filled in.
 */
public final class Report {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private final StringBuilder md = new StringBuilder();
    private List<Jmh> writerRuns = List.of();

    private Report() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: report RESULTS_DIR");
        }
        System.out.print(new Report().render(Path.of(args[0])));
    }

    record Jmh(String sink, String size, int threads, double p50, double p99, double p999, double allocNorm,
               long samples) {
    }

    private String render(Path dir) throws IOException {
        Path machine = dir.resolve("machine.txt");
        if (Files.exists(machine)) {
            md.append("```\n").append(Files.readString(machine).trim()).append("\n```\n\n");
        }
        List<Jmh> jmh = new ArrayList<>();
        for (String f : List.of("jmh-t1.json", "jmh-t4.json")) {
            Path p = dir.resolve(f);
            if (Files.exists(p)) {
                jmh.addAll(readJmh(p));
            } else {
                md.append("(").append(f).append(" missing)\n\n");
            }
        }
        appendTables(jmh);
        List<Jmh> writer = new ArrayList<>();
        for (String f : List.of("jmh-writer-t1.json", "jmh-writer-t4.json")) {
            Path p = dir.resolve(f);
            if (Files.exists(p)) {
                writer.addAll(readJmh(p));
            }
        }
        writerTable(writer);
        this.writerRuns = writer;
        pacedTable(dir.resolve("paced.jsonl"));
        storageTable(dir.resolve("storage.json"));
        if (Files.exists(dir.resolve("storage-chat.json"))) {
            storageTable(dir.resolve("storage-chat.json"));
        }
        queryTable(dir.resolve("query.json"));
        targets(jmh, dir);
        return md.toString();
    }

    private static List<Jmh> readJmh(Path p) throws IOException {
        List<Jmh> out = new ArrayList<>();
        for (JsonNode b : MAPPER.readTree(p.toFile())) {
            JsonNode pm = b.get("primaryMetric");
            JsonNode pc = pm.get("scorePercentiles");
            double alloc = Double.NaN;
            Iterator<Map.Entry<String, JsonNode>> it = b.path("secondaryMetrics").fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                if (e.getKey().endsWith("gc.alloc.rate.norm")) {
                    alloc = e.getValue().get("score").asDouble();
                }
            }
            // the committed result files keep the sample count instead of JMH's raw histograms
            long samples = pm.path("rawSampleCount").asLong(0);
            for (JsonNode fork : pm.path("rawDataHistogram")) {
                for (JsonNode iter : fork) {
                    for (JsonNode bucket : iter) {
                        samples += bucket.get(1).asLong();
                    }
                }
            }
            out.add(new Jmh(b.get("params").get("sink").asText(), b.get("params").get("size").asText(),
                    b.get("threads").asInt(), pc.get("50.0").asDouble(), pc.get("99.0").asDouble(),
                    pc.get("99.9").asDouble(), alloc, samples));
        }
        return out;
    }

    private void appendTables(List<Jmh> jmh) {
        if (jmh.isEmpty()) {
            return;
        }
        md.append("### Append cost per call (JMH SampleTime, calling thread; ratios = peer / promptlog)\n\n");
        for (int threads : new int[] {1, 4}) {
            for (String size : List.of("1k", "4k", "16k")) {
                Jmh ours = find(jmh, "promptlog", size, threads);
                List<Jmh> rows = new ArrayList<>();
                for (String s : CallSink.NAMES) {
                    Jmh j = find(jmh, s, size, threads);
                    if (j != null) {
                        rows.add(j);
                    }
                }
                if (rows.isEmpty()) {
                    continue;
                }
                md.append("**").append(size).append(", ").append(threads).append(threads == 1 ? " thread" : " threads")
                        .append("**\n\n| sink | p50 us | p99 us | p99.9 us | B/call | p50 ratio | p99.9 ratio |\n")
                        .append("|---|---:|---:|---:|---:|---:|---:|\n");
                for (Jmh j : rows) {
                    md.append(String.format(Locale.ROOT, "| %s | %.2f | %.2f | %.1f | %s | %s | %s |\n", j.sink,
                            j.p50 / 1000, j.p99 / 1000, j.p999 / 1000, bytes(j.allocNorm),
                            ratio(j.p50, ours == null ? Double.NaN : ours.p50),
                            ratio(j.p999, ours == null ? Double.NaN : ours.p999)));
                }
                md.append('\n');
            }
        }
    }

    private void writerTable(List<Jmh> writer) {
        if (writer.isEmpty()) {
            return;
        }
        md.append("### Writer, 4 KB calls: threads and shards (JMH SampleTime, 3 forks x 3 iterations; us)\n\n")
                .append("| sink | threads | p50 | p99 | p99.9 | B/call (JVM-wide) | samples |\n|---|---:|---:|---:|---:|---:|---:|\n");
        for (String s : List.of("promptlog", "promptlog-1shard", "chronicle-floor")) {
            for (int t : new int[] {1, 4}) {
                Jmh j = find(writer, s, "4k", t);
                if (j != null) {
                    md.append(String.format(Locale.ROOT, "| %s | %d | %.2f | %.2f | %.1f | %s | %d |\n", s, t,
                            j.p50 / 1000, j.p99 / 1000, j.p999 / 1000, bytes(j.allocNorm), j.samples));
                }
            }
        }
        Jmh one = find(writer, "promptlog", "4k", 1);
        Jmh four = find(writer, "promptlog", "4k", 4);
        Jmh fourOne = find(writer, "promptlog-1shard", "4k", 4);
        if (one != null && four != null) {
            md.append(String.format(Locale.ROOT, "\np99.9 4 threads / 1 thread: default shards %.2fx", four.p999 / one.p999));
            if (fourOne != null) {
                md.append(String.format(Locale.ROOT, ", shardCount(1) %.2fx", fourOne.p999 / one.p999));
            }
            md.append(" (issue #2 limit: 5x)\n");
        }
        md.append('\n');
    }

    private static String bytes(double b) {
        return Double.isNaN(b) ? "n/a" : String.format(Locale.ROOT, "%.0f", b);
    }

    private static String ratio(double a, double b) {
        if (Double.isNaN(a) || Double.isNaN(b) || b == 0) {
            return "n/a";
        }
        return String.format(Locale.ROOT, "%.2fx", a / b);
    }

    private static Jmh find(List<Jmh> jmh, String sink, String size, int threads) {
        for (Jmh j : jmh) {
            if (j.sink.equals(sink) && j.size.equals(size) && j.threads == threads) {
                return j;
            }
        }
        return null;
    }

    private List<JsonNode> paced(Path p) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        if (Files.exists(p)) {
            for (String line : Files.readAllLines(p)) {
                if (!line.isBlank()) {
                    out.add(MAPPER.readTree(line));
                }
            }
        }
        return out;
    }

    private void pacedTable(Path p) throws IOException {
        List<JsonNode> rows = paced(p);
        if (rows.isEmpty()) {
            md.append("(paced.jsonl missing)\n\n");
            return;
        }
        md.append("### Paced latency, 4 KB calls (open loop, coordinated-omission corrected; us)\n\n")
                .append("| sink | calls/s | threads | calls | dropped | caller B/call | resp p50 | p99 | p99.9 | p99.99 | max | serv p50 | p99 | p99.9 |\n")
                .append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (JsonNode r : rows) {
            JsonNode rs = r.get("response_ns");
            JsonNode sv = r.get("service_ns");
            md.append(String.format(Locale.ROOT, "| %s | %d | %d | %d | %d | %.0f | %s | %s | %s | %s | %s | %s | %s | %s |\n",
                    r.get("sink").asText(), r.get("rate").asInt(), r.get("threads").asInt(), r.get("calls").asLong(),
                    r.get("dropped").asLong(), r.path("caller_bytes_per_call").asDouble(), us(rs, "p50"), us(rs, "p99"), us(rs, "p99.9"), us(rs, "p99.99"),
                    us(rs, "max"), us(sv, "p50"), us(sv, "p99"), us(sv, "p99.9")));
        }
        md.append('\n');
    }

    private static String us(JsonNode h, String k) {
        return String.format(Locale.ROOT, "%.1f", h.get(k).asLong() / 1000.0);
    }

    private void storageTable(Path p) throws IOException {
        if (!Files.exists(p)) {
            md.append("(storage.json missing)\n\n");
            return;
        }
        JsonNode s = MAPPER.readTree(p.toFile());
        String workload = s.path("chat_turns").asInt() > 0
                ? ", multi-turn chat of " + s.get("chat_turns").asInt() + " turns per conversation" : "";
        md.append(String.format(Locale.ROOT, "### Compaction, one thread (%d calls, %.0f bytes/call as JSONL%s)\n\n",
                s.get("calls").asLong(), s.get("jsonl_bytes").asDouble() / s.get("calls").asDouble(), workload));
        md.append("| converter | seconds | calls/s | MB/s (JSONL-equivalent) | ratio vs DuckDB |\n|---|---:|---:|---:|---:|\n");
        double duck = s.get("duckdb_copy").get("calls_per_s").asDouble();
        for (String k : List.of("compactor", "compactor_no_redaction", "duckdb_copy")) {
            JsonNode c = s.get(k);
            if (c == null) {
                continue;
            }
            md.append(String.format(Locale.ROOT, "| %s | %.2f | %.0f | %.1f | %.2fx |\n", k, c.get("seconds").asDouble(),
                    c.get("calls_per_s").asDouble(), c.get("jsonl_mb_per_s").asDouble(), c.get("calls_per_s").asDouble() / duck));
        }
        JsonNode alt = s.get("alternation");
        if (alt != null && alt.path("runs").size() > 0) {
            md.append(String.format(Locale.ROOT, "\nSame-run alternation, %d runs each (compactor, then DuckDB COPY): "
                            + "median ratio of calls/s %.2fx, of calls per CPU-second (whole process) %.2fx.\n\n"
                            + "| run | compactor calls/s | DuckDB calls/s | compactor calls/CPU-s | DuckDB calls/CPU-s |\n|---|---:|---:|---:|---:|\n",
                    alt.get("runs").size(), alt.get("median_ratio_calls_per_s").asDouble(),
                    alt.get("median_ratio_calls_per_cpu_s").asDouble()));
            int i = 1;
            for (JsonNode r : alt.get("runs")) {
                md.append(String.format(Locale.ROOT, "| %d | %.0f | %.0f | %.0f | %.0f |\n", i++,
                        r.get("compactor_calls_per_s").asDouble(), r.get("duckdb_calls_per_s").asDouble(),
                        r.get("compactor_calls_per_cpu_s").asDouble(), r.get("duckdb_calls_per_cpu_s").asDouble()));
            }
        }
        md.append(String.format(Locale.ROOT, "\n### Storage, bytes per call (files of %d calls where streamed%s)\n\n",
                s.get("file_calls").asInt(), workload));
        md.append("| format | bytes/call | vs DuckDB one file |\n|---|---:|---:|\n");
        JsonNode b = s.get("bytes_per_call");
        double ref = b.get("duckdb_one_file").asDouble();
        Map<String, String> names = new LinkedHashMap<>();
        names.put("jsonl", "raw JSONL");
        names.put("jsonl_zstd", "zstd JSONL (level 3, one stream)");
        names.put("duckdb_one_file", "DuckDB Parquet, one file");
        names.put("duckdb_per_chunk", "DuckDB Parquet, one file per chunk");
        names.put("promptlog_one_shot_all", "promptlog dataset, one compaction, 100% text");
        names.put("promptlog_stream_all", "promptlog dataset, streamed, 100% text");
        names.put("promptlog_stream_default", "promptlog dataset, streamed, default policy");
        for (Map.Entry<String, String> e : names.entrySet()) {
            JsonNode v = b.get(e.getKey());
            if (v != null) {
                md.append(String.format(Locale.ROOT, "| %s | %.0f | %.2fx |\n", e.getValue(), v.asDouble(), v.asDouble() / ref));
            }
        }
        md.append('\n');
    }

    private void queryTable(Path p) throws IOException {
        if (!Files.exists(p)) {
            md.append("(query.json missing)\n\n");
            return;
        }
        JsonNode q = MAPPER.readTree(p.toFile());
        md.append("### Query (").append(q.get("calls").asLong()).append(" calls");
        if (q.has("calls_files")) {
            md.append(", ").append(q.get("calls_files").asLong()).append(" calls files")
                    .append(q.path("metadata_only").asBoolean() ? ", metadata only" : ", 100% text");
        }
        md.append("; median of ").append(q.get("repeats").asInt())
                .append(" runs, ms)\n\n| query | promptlog reader | DuckDB over its Parquet | ratio |\n|---|---:|---:|---:|\n");
        queryRows(q, "");
        JsonNode merged = q.get("after_merge");
        if (merged != null && merged.has("point_lookup")) {
            queryRows(merged, String.format(Locale.ROOT, "after merge (%d files), ", merged.get("calls_files").asLong()));
        }
        md.append('\n');
    }

    /** The rows of one layout's measurements (the small files, or the merged days). */
    private void queryRows(JsonNode q, String label) {
        for (String k : List.of("point_lookup", "steady_lookup", "missing_id_lookup", "group_by")) {
            JsonNode r = q.get(k);
            if (r == null) {
                continue;
            }
            md.append(String.format(Locale.ROOT, "| %s%s | %.1f | %.1f | %.2fx |\n", label, k, r.get("promptlog_ms").asDouble(),
                    r.get("duckdb_ms").asDouble(), r.get("promptlog_ms").asDouble() / r.get("duckdb_ms").asDouble()));
        }
        if (q.hasNonNull("show_end_to_end_ms")) {
            md.append(String.format(Locale.ROOT, "| %s`promptlog show` end to end (java -jar) | %.0f | | |\n", label,
                    q.get("show_end_to_end_ms").asDouble()));
        }
        if (q.hasNonNull("show_launcher_ms")) {
            md.append(String.format(Locale.ROOT, "| %s`./promptlog show` end to end | %.0f | | |\n", label,
                    q.get("show_launcher_ms").asDouble()));
        }
    }

    /** The read-side targets of query.json: lookup <= 50 ms and show <= 1.5 s at 10 M calls, group-by <= 1.2x. */
    private void queryTargets(Path dir) throws IOException {
        Path p = dir.resolve("query.json");
        if (!Files.exists(p)) {
            return;
        }
        JsonNode q = MAPPER.readTree(p.toFile());
        String at = q.get("calls").asLong() + " calls";
        double lookup = q.get("point_lookup").get("promptlog_ms").asDouble();
        md.append(String.format(Locale.ROOT, "| point lookup by call_id <= 50 ms through an open reader (%s; each after a group-by) | %.1f ms | %s |\n",
                at, lookup, met(lookup <= 50, q)));
        JsonNode steady = q.get("steady_lookup");
        if (steady != null) {
            double ms = steady.get("promptlog_ms").asDouble();
            md.append(String.format(Locale.ROOT, "| point lookup by call_id <= 50 ms through an open reader (%s; %d in a row) | %.1f ms | %s |\n",
                    at, steady.get("lookups").asInt(), ms, met(ms <= 50, q)));
        }
        // the target is the command users run: through the launcher when it was timed
        String showKey = q.hasNonNull("show_launcher_ms") ? "show_launcher_ms" : "show_end_to_end_ms";
        if (q.hasNonNull(showKey)) {
            double show = q.get(showKey).asDouble();
            md.append(String.format(Locale.ROOT, "| `show` <= 1.5 s end to end (%s%s) | %.0f ms | %s |\n", at,
                    showKey.equals("show_launcher_ms") ? ", ./promptlog" : ", java -jar", show, show <= 1500 ? "yes" : "no"));
        }
        JsonNode g = q.get("group_by");
        double ratio = g.get("promptlog_ms").asDouble() / g.get("duckdb_ms").asDouble();
        md.append(String.format(Locale.ROOT, "| group-by per model per day within 1.2x of DuckDB over its own file (%s) | %.2fx | %s |\n",
                at, ratio, ratio <= 1.2 ? "yes" : "no"));
    }

    /** "yes" for a target met at the 10 M calls, "at this size" when met on a smaller data set. */
    private static String met(boolean met, JsonNode q) {
        return !met ? "no" : q.get("calls").asLong() >= 10_000_000 ? "yes" : "at this size";
    }

    private void targets(List<Jmh> jmh, Path dir) throws IOException {
        md.append("### Targets\n\n| target | measured | met |\n|---|---|---|\n");
        for (String size : List.of("1k", "4k", "16k")) {
            List<Jmh> src = find(writerRuns, "promptlog", size, 1) != null ? writerRuns : jmh;
            Jmh ours = find(src, "promptlog", size, 1);
            Jmh floor = find(src, "chronicle-floor", size, 1);
            if (ours != null && floor != null) {
                double r = ours.p50 / floor.p50;
                md.append(String.format(Locale.ROOT, "| p50 within 1.3x of raw Chronicle (%s, 1 thread%s) | %.2fx | %s |\n",
                        size, src == writerRuns ? ", writer-focus run" : "", r, r <= 1.3 ? "yes" : "no"));
            }
        }
        for (Jmh j : jmh) {
            if (j.sink.equals("promptlog")) {
                md.append(String.format(Locale.ROOT, "| 0 B allocated per call (%s, %d thr; JMH, all JVM threads) | %s B/call | %s |\n", j.size,
                        j.threads, bytes(j.allocNorm), j.allocNorm < 1 ? "yes" : "no"));
            }
        }
        List<Jmh> wsrc = find(writerRuns, "promptlog", "4k", 4) != null ? writerRuns : jmh;
        Jmh t1 = find(wsrc, "promptlog", "4k", 1);
        Jmh t4 = find(wsrc, "promptlog", "4k", 4);
        if (t1 != null && t4 != null) {
            double r = t4.p999 / t1.p999;
            md.append(String.format(Locale.ROOT, "| writer: p99.9 with 4 threads <= 5x 1 thread (4 KB, JMH) | %.2fx | %s |\n",
                    r, r <= 5 ? "yes" : "no"));
        }
        List<JsonNode> paced = paced(dir.resolve("paced.jsonl"));
        JsonNode ours = pacedRow(paced, "promptlog", 10_000, 4);
        JsonNode log4j = pacedRow(paced, "log4j2-async", 10_000, 4);
        if (ours != null && log4j != null) {
            double r = log4j.get("response_ns").get("p99.9").asDouble() / ours.get("response_ns").get("p99.9").asDouble();
            md.append(String.format(Locale.ROOT, "| p99.9 at 10k calls/s, 4 threads, >= 10x below Log4j2 async | %.2fx below | %s |\n",
                    r, r >= 10 ? "yes" : "no"));
        }
        Path sp = dir.resolve("storage.json");
        if (Files.exists(sp)) {
            JsonNode s = MAPPER.readTree(sp.toFile());
            double c = s.get("compactor").get("calls_per_s").asDouble() / s.get("duckdb_copy").get("calls_per_s").asDouble();
            String how = "DuckDB's calls/s";
            if (s.path("alternation").path("runs").size() > 0) {
                c = s.get("alternation").get("median_ratio_calls_per_s").asDouble();
                how = "DuckDB's calls/s (median of " + s.get("alternation").get("runs").size() + " alternations)";
            }
            md.append(String.format(Locale.ROOT, "| compaction at least as fast as DuckDB COPY, one thread | %.2fx %s | %s |\n",
                    c, how, c >= 1 ? "yes" : "no"));
            JsonNode b = s.get("bytes_per_call");
            double r = b.get("promptlog_stream_all").asDouble() / b.get("duckdb_one_file").asDouble();
            md.append(String.format(Locale.ROOT, "| bytes/call streamed (100%% text) <= DuckDB one file | %.2fx | %s |\n",
                    r, r <= 1 ? "yes" : "no"));
        }
        Path cp = dir.resolve("storage-chat.json");
        if (Files.exists(cp)) {
            JsonNode b = MAPPER.readTree(cp.toFile()).get("bytes_per_call");
            double r = b.get("promptlog_stream_all").asDouble() / b.get("duckdb_one_file").asDouble();
            md.append(String.format(Locale.ROOT, "| multi-turn chat: bytes/call streamed (100%% text) <= DuckDB one file | %.2fx | %s |\n",
                    r, r <= 1 ? "yes" : "no"));
        }
        queryTargets(dir);
        md.append('\n');
    }

    private static JsonNode pacedRow(List<JsonNode> rows, String sink, int rate, int threads) {
        for (JsonNode r : rows) {
            if (r.get("sink").asText().equals(sink) && r.get("rate").asInt() == rate && r.get("threads").asInt() == threads) {
                return r;
            }
        }
        return null;
    }
}
