package io.promptlog.cli;

import io.promptlog.compactor.CompactorConfig;
import io.promptlog.compactor.CompactorStats;
import io.promptlog.reader.PromptLogReader;
import io.promptlog.reader.QueryResult;
import io.promptlog.reader.StoredCall;
import io.promptlog.synthetic.Generate;
import io.promptlog.synthetic.GenerateOptions;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Generates realistic LLM calls through the writer, compacts them with the default policy, "
                + "and shows what promptlog gives you: counts, storage per call vs raw JSON, top system prompts, latency "
                + "and token percentiles per model, one call in full, and how DuckDB and Spark read the same files."})
final class DemoCommand implements Callable<Integer> {
    /** The raw-JSON baseline serializes every 10th call (the same seeded calls): a tenth of the CPU. */
    static final int JSON_SAMPLE_EVERY = 10;

    @Option(names = "--dir", paramLabel = "D", description = "an empty or new directory for the demo home (default: a new temporary directory)")
    Path dir;

    @Option(names = "--count", defaultValue = "200000", paramLabel = "N", description = "calls to generate (default: ${DEFAULT-VALUE})")
    long count;

    @Option(names = "--threads", defaultValue = "1", paramLabel = "T", description = "logging threads (default: ${DEFAULT-VALUE}; the compactor runs alongside)")
    int threads;

    @Option(names = "--seed", defaultValue = "42", paramLabel = "X", description = "generator seed (default: ${DEFAULT-VALUE})")
    long seed;

    @CommandLine.ParentCommand
    PromptLogCli parent;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (count < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--count must be >= 1, was " + count);
        }
        Path home = dir != null ? dir : Files.createTempDirectory("promptlog-demo-");
        if (Files.isDirectory(home) && !isEmpty(home)) {
            throw new PromptLogCli.CliFailure(home.toAbsolutePath() + " is not empty: the demo needs a new or empty directory");
        }
        PrintWriter out = spec.commandLine().getOut();
        GenerateOptions go;
        try {
            go = GenerateOptions.builder().home(home).count(count).threads(threads).seed(seed).progress(false).build();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        long t0 = System.nanoTime();
        out.printf("promptlog demo: %,d synthetic calls in %s%n%n", count, home.toAbsolutePath());
        out.flush();

        RawJsonSize rawJson = new RawJsonSize(seed, count, JSON_SAMPLE_EVERY);
        rawJson.start();
        DemoPipeline.Outcome run = DemoPipeline.run(home, go, count, parent.err);
        long rawJsonBytes = rawJson.await(parent.err);
        double rawJsonPerCall = (double) rawJsonBytes / rawJson.measuredCalls();
        Generate.Result g = run.generated();
        double genSecs = g.elapsedNanos() / 1e9;
        CompactorStats cs = run.compacted();
        double compactSecs = run.compactDoneNanos() / 1e9;

        try (PromptLogReader r = PromptLogReader.openHome(home)) {
            for (String w : r.warnings()) {
                parent.err.println("warning: " + w);
            }
            Demo.print(out, r, home, g, genSecs, cs, compactSecs, rawJsonPerCall);
        }
        String queueNote = "";
        if (dir == null && cs.callsWritten() == g.appended()) {
            // a temporary home: every call is in Parquet now, so the raw queue (GBs) need not stay in /tmp
            long queueBytes = treeSize(home.resolve("queue"));
            deleteTree(home.resolve("queue"));
            queueNote = String.format(" (its %,d-byte raw queue, all compacted, was removed)", queueBytes);
        }
        out.printf("%ndemo finished in %.1f s; the dataset stays in %s%s%n", (System.nanoTime() - t0) / 1e9,
                home.toAbsolutePath(), queueNote);
        out.flush();
        return 0;
    }

    private static long treeSize(Path d) throws IOException {
        try (Stream<Path> s = Files.walk(d)) {
            return s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    private static void deleteTree(Path d) throws IOException {
        try (Stream<Path> s = Files.walk(d)) {
            for (Path p : (Iterable<Path>) s.sorted(java.util.Comparator.reverseOrder())::iterator) {
                Files.delete(p);
            }
        }
    }

    private static boolean isEmpty(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.findAny().isEmpty();
        }
    }

    /** Prints the demo's report. */
    static final class Demo {
        private Demo() {
        }

        static void print(PrintWriter out, PromptLogReader r, Path home, Generate.Result g, double genSecs,
                          CompactorStats cs, double compactSecs, double rawJsonPerCall) throws IOException {
            Path data = home.resolve("data");
            long calls = num(r.sql("SELECT count(*) FROM calls").scalar());
            long datasetBytes = treeBytes(data);
            out.println("── what was logged ──");
            QueryResult overview = r.sql("SELECT count(*) AS calls, count(*) FILTER (WHERE status = 'error') AS errors, "
                    + "count(*) FILTER (WHERE flagged) AS flagged, count(*) FILTER (WHERE text_retained) AS text_retained, "
                    + "count(DISTINCT system_prompt_hash) AS system_prompts, count(DISTINCT request_model) AS models, "
                    + "min(start_time) AS first_call, max(start_time) AS last_call FROM calls");
            ResultFormat.table(overview, out, 40);
            out.printf("writer:    %,d calls appended in %.1f s (%,.0f calls/s), %,d dropped; queue %,d bytes%n",
                    g.appended(), genSecs, g.appended() / genSecs, g.dropped(), g.stats().appendedBytes());
            out.printf("compactor: %,d calls -> %,d Parquet files, running alongside, done %.1f s after the start; text kept "
                            + "for %,d calls (default policy: errors, flagged, prompt-injection rule, 10%% sample), %,d redactions%n",
                    cs.callsWritten(), cs.filesWritten(), compactSecs, cs.textRetained(), cs.redactions());
            out.println();
            out.println("── storage per call ──");
            out.printf("raw JSON (canonical JSONL, system prompt inline):  %,10.0f bytes/call  (measured on every %dth call)%n",
                    rawJsonPerCall, JSON_SAMPLE_EVERY);
            out.printf("queue (binary records, before compaction):          %,10.0f bytes/call%n",
                    (double) g.stats().appendedBytes() / g.appended());
            out.printf("Parquet dataset (zstd, prompts stored once):        %,10.0f bytes/call  (%,d bytes total)%n",
                    (double) datasetBytes / calls, datasetBytes);
            out.printf("-> %.0fx smaller than raw JSON (text of %.0f%% of calls kept; with --retain all it keeps every text)%n",
                    rawJsonPerCall * calls / datasetBytes, 100.0 * cs.textRetained() / Math.max(1, cs.callsWritten()));
            out.println();
            out.println("── top system prompts by calls ──");
            ResultFormat.table(r.sql("SELECT left(c.system_prompt_hash, 12) AS system_prompt_hash, any_value(c.prompt_name) AS prompt_name, "
                    + "count(*) AS calls, any_value(s.chars) AS chars, "
                    + "left(regexp_replace(any_value(s.system_prompt), '\\s+', ' ', 'g'), 48) AS starts_with "
                    + "FROM calls c LEFT JOIN system_prompts s USING (system_prompt_hash) GROUP BY c.system_prompt_hash "
                    + "ORDER BY calls DESC LIMIT 5"), out, 60);
            out.println();
            out.println("── latency and tokens per model ──");
            ResultFormat.table(r.sql("SELECT request_model AS model, count(*) AS calls, "
                    + "round(100.0 * count(*) FILTER (WHERE status = 'error') / count(*), 1) AS error_pct, "
                    + "round(quantile_cont(duration_us, 0.5) / 1000) AS p50_ms, round(quantile_cont(duration_us, 0.95) / 1000) AS p95_ms, "
                    + "round(quantile_cont(duration_us, 0.99) / 1000) AS p99_ms, "
                    + "quantile_disc(input_tokens, 0.5) AS in_tok_p50, quantile_disc(input_tokens, 0.95) AS in_tok_p95, "
                    + "quantile_disc(output_tokens, 0.5) AS out_tok_p50, quantile_disc(output_tokens, 0.95) AS out_tok_p95, "
                    + "round(sum(cost_usd), 2) AS cost_usd FROM calls GROUP BY 1 ORDER BY calls DESC"), out, 40);
            out.println();
            Object sampleId = r.sql("SELECT call_id FROM calls WHERE text_retained AND status = 'ok' AND len(messages) > 1 "
                    + "ORDER BY start_time LIMIT 1").rows().stream().findFirst().map(l -> l.get(0)).orElse(null);
            if (sampleId == null) {
                sampleId = r.sql("SELECT call_id FROM calls ORDER BY start_time LIMIT 1").scalar();
            }
            out.println("── promptlog show " + sampleId + " (texts cut at 300 chars here) ──");
            StoredCall s = r.requireCall(sampleId.toString());
            CallText.print(s, out, 300);
            out.println();
            String abs = data.toAbsolutePath().toString();
            out.println("── the same files from other engines ──");
            out.println("DuckDB:");
            out.println("  duckdb -c \"SELECT request_model, count(*) AS calls, median(duration_us) FROM read_parquet('" + abs
                    + "/calls/**/*.parquet', hive_partitioning=true) GROUP BY ALL ORDER BY calls DESC\"");
            out.println("Spark (spark-shell):");
            out.println("  spark.read.parquet(\"" + abs + "/calls\").join(spark.read.parquet(\"" + abs
                    + "/system_prompts\"), \"system_prompt_hash\").groupBy(\"prompt_name\").count().show()");
            out.println("promptlog:");
            out.println("  ./promptlog query --dir " + home.toAbsolutePath() + " \"SELECT date, count(*) FROM calls GROUP BY ALL ORDER BY 1\"");
            out.println("  ./promptlog stats --dir " + home.toAbsolutePath() + " --by model");
            out.println("  ./promptlog replay --dir " + home.toAbsolutePath() + " " + sampleId);
            out.flush();
        }

        private static long num(Object o) {
            return ((Number) o).longValue();
        }

        static long treeBytes(Path dir) throws IOException {
            if (!Files.isDirectory(dir)) {
                return 0;
            }
            try (Stream<Path> s = Files.walk(dir)) {
                return s.filter(p -> p.getFileName().toString().endsWith(".parquet") && Files.isRegularFile(p))
                        .mapToLong(p -> {
                            try {
                                return Files.size(p);
                            } catch (IOException e) {
                                throw new java.io.UncheckedIOException(e);
                            }
                        }).sum();
            }
        }
    }
}
