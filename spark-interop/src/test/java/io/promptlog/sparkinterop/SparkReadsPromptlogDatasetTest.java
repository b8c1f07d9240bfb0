package io.promptlog.sparkinterop;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.length;
import static org.apache.spark.sql.functions.sum;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Spark 4 (local mode) reads {@code calls/} and {@code system_prompts/} of a dataset the promptlog CLI
 * wrote (with closed days merged), joins them, and gets the same answers as the reader. The dataset and the reader's answers come
 * from the CLI jar run in a child JVM (promptlog's Parquet version must not share Spark's class path).
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class SparkReadsPromptlogDatasetTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path tmp;
    static Path home;
    static SparkSession spark;

    @BeforeAll
    static void writeDatasetAndStartSpark() throws Exception {
        home = tmp.resolve("home");
        // two compaction runs, so each day has several small files, then merged: Spark reads merged files
        // next to small ones (the last day is not closed yet, or has a single file)
        cli("generate", "--count", "400", "--dir", home.toString(), "--no-progress", "--seed", "99");
        cli("compact", "--dir", home.toString(), "--retain", "all", "--redact", "none");
        // the second half a multi-turn chat: merged files dictionary-encode the contents it re-sends
        cli("generate", "--count", "400", "--seq-start", "400", "--dir", home.toString(), "--no-progress", "--seed", "99",
                "--chat-turns", "4");
        cli("compact", "--dir", home.toString(), "--retain", "all", "--redact", "none", "--merge");
        try (java.util.stream.Stream<Path> files = Files.walk(home.resolve("data/calls"))) {
            assertThat(files.map(f -> f.getFileName().toString())).as("merged files").anyMatch(n -> n.startsWith("merged_"));
        }
        spark = SparkSession.builder().master("local[1]").appName("promptlog-interop")
                .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "1")
                .config("spark.driver.host", "127.0.0.1").config("spark.sql.session.timeZone", "UTC")
                .getOrCreate();
    }

    @AfterAll
    static void stopSpark() {
        if (spark != null) {
            spark.stop();
        }
    }

    /** Runs the promptlog CLI jar in a child JVM; returns its stdout, failing with its stderr. */
    static String cli(String... args) throws Exception {
        String jar = System.getProperty("promptlog.jar");
        assertThat(jar).as("system property promptlog.jar").isNotNull();
        assertThat(new File(jar)).as("the promptlog CLI jar: build it with mvn -pl cli -am package").exists();
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(Arrays.asList(System.getProperty("promptlog.jvmFlags", "").trim().split("\\s+")));
        cmd.add("-Xmx1g");
        cmd.add("-jar");
        cmd.add(jar);
        cmd.addAll(Arrays.asList(args));
        Path out = Files.createTempFile(tmp, "out", ".txt");
        Path err = Files.createTempFile(tmp, "err", ".txt");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("promptlog " + String.join(" ", args) + " timed out");
        }
        String stderr = Files.readString(err, StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as("promptlog %s\n%s", String.join(" ", args), stderr).isZero();
        return Files.readString(out, StandardCharsets.UTF_8);
    }

    static JsonNode readerQuery(String sql) throws Exception {
        return JSON.readTree(cli("query", "--dir", home.toString(), "--format", "json", sql));
    }

    @Test
    void shouldJoinCallsWithSystemPromptsAndMatchTheReader() throws Exception {
        String data = home.resolve("data").toString();
        Dataset<Row> calls = spark.read().parquet(data + "/calls");
        Dataset<Row> prompts = spark.read().parquet(data + "/system_prompts");
        List<Row> rows = calls.join(prompts, "system_prompt_hash")
                .groupBy(col("date"), col("request_model"))
                .agg(count("*").as("calls"), sum(length(col("system_prompt"))).as("prompt_chars"),
                        sum(col("input_tokens")).as("input_tokens"))
                .orderBy(col("date"), col("request_model")).collectAsList();
        JsonNode expected = readerQuery("SELECT CAST(date AS VARCHAR) AS date, request_model, count(*) AS calls, "
                + "sum(length(system_prompt)) AS prompt_chars, sum(input_tokens) AS input_tokens FROM calls_full "
                + "GROUP BY ALL ORDER BY date, request_model");
        assertThat(rows).hasSize(expected.size());
        long total = 0;
        for (int i = 0; i < rows.size(); i++) {
            Row r = rows.get(i);
            JsonNode e = expected.get(i);
            assertThat(r.get(0).toString()).isEqualTo(e.get("date").asText());
            assertThat(r.getString(1)).isEqualTo(e.get("request_model").asText());
            assertThat(r.getLong(2)).isEqualTo(e.get("calls").asLong());
            assertThat(r.getLong(3)).isEqualTo(e.get("prompt_chars").asLong());
            assertThat(r.getLong(4)).isEqualTo(e.get("input_tokens").asLong());
            total += r.getLong(2);
        }
        assertThat(total).isEqualTo(800);
    }

    @Test
    void shouldSeeTheContractTypesAndTheSameCall() throws Exception {
        String data = home.resolve("data").toString();
        Dataset<Row> calls = spark.read().parquet(data + "/calls");
        assertThat(calls.schema().apply("date").dataType()).isEqualTo(DataTypes.DateType);
        assertThat(calls.schema().apply("start_time").dataType()).isEqualTo(DataTypes.TimestampType);
        assertThat(calls.schema().apply("messages").dataType().simpleString())
                .isEqualTo("array<struct<role:string,content:string,name:string,tool_call_id:string>>");
        assertThat(calls.schema().apply("attributes").dataType().simpleString()).isEqualTo("map<string,string>");

        JsonNode e = readerQuery("SELECT call_id, strftime(start_time, '%Y-%m-%d %H:%M:%S.%f') AS t, "
                + "messages[1].content AS first_message, attributes['seq'] AS seq, response "
                + "FROM calls WHERE attributes['seq'] = '777'").get(0);
        Row r = calls.where(col("attributes").getItem("seq").equalTo("777"))
                .selectExpr("call_id", "date_format(start_time, 'yyyy-MM-dd HH:mm:ss.SSSSSS')", "messages[0].content",
                        "attributes['seq']", "response").collectAsList().get(0);
        assertThat(r.getString(0)).isEqualTo(e.get("call_id").asText());
        assertThat(r.getString(1)).isEqualTo(e.get("t").asText());
        assertThat(r.getString(2)).isEqualTo(e.get("first_message").asText());
        assertThat(r.getString(3)).isEqualTo("777");
        assertThat(r.getString(4)).isEqualTo(e.get("response").isNull() ? null : e.get("response").asText());
    }

    @Test
    void shouldReadTheDictionaryEncodedMessageContentsOfMergedFiles() throws Exception {
        long dictionaryChunks = 0;
        try (java.util.stream.Stream<Path> files = Files.walk(home.resolve("data/calls"))) {
            for (Path f : files.filter(f -> f.getFileName().toString().startsWith("merged_")).toList()) {
                org.apache.parquet.hadoop.metadata.ParquetMetadata footer = org.apache.parquet.hadoop.ParquetFileReader.readFooter(
                        new org.apache.hadoop.conf.Configuration(), new org.apache.hadoop.fs.Path(f.toUri()));
                for (org.apache.parquet.hadoop.metadata.BlockMetaData b : footer.getBlocks()) {
                    for (org.apache.parquet.hadoop.metadata.ColumnChunkMetaData c : b.getColumns()) {
                        if (c.getPath().toDotString().equals("messages.list.element.content") && c.hasDictionaryPage()) {
                            dictionaryChunks++;
                        }
                    }
                }
            }
        }
        assertThat(dictionaryChunks).as("merged content chunks with a dictionary").isPositive();
        // every message content of every call (seq 400-799: chats re-sending their conversation), as the reader sees it
        JsonNode expected = readerQuery("SELECT attributes['seq'] AS seq, to_json(list_transform(messages, lambda m: m.content))::VARCHAR AS c "
                + "FROM calls WHERE CAST(attributes['seq'] AS INTEGER) >= 400 ORDER BY 1");
        List<Row> rows = spark.read().parquet(home.resolve("data").toString() + "/calls")
                .where(col("attributes").getItem("seq").cast("int").geq(400))
                .selectExpr("attributes['seq'] AS seq", "to_json(transform(messages, m -> m.content)) AS c")
                .orderBy(col("seq")).collectAsList();
        assertThat(rows).hasSize(400).hasSize(expected.size());
        for (int i = 0; i < rows.size(); i++) {
            assertThat(rows.get(i).getString(0)).isEqualTo(expected.get(i).get("seq").asText());
            assertThat(JSON.readTree(rows.get(i).getString(1))).as("seq %s", rows.get(i).getString(0))
                    .isEqualTo(JSON.readTree(expected.get(i).get("c").asText()));
        }
    }
}
