package io.promptlog.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.promptlog.reader.PromptLogReader;
import io.promptlog.reader.TestHomes;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(240)
class ExportImportCommandsTest {
    private static final long SEED = 23;

    @TempDir
    static Path tmp;
    static Path home;

    @BeforeAll
    static void logAndCompact() throws Exception {
        home = tmp.resolve("home");
        TestHomes.generate(home, 300, 0, SEED);
        // the writer sets the truncated flag itself (only when it cuts text): log this one unflagged
        TestHomes.append(home, TestHomes.everyFieldCall().toBuilder().truncated(false).build());
        TestHomes.compact(home, "all", "none");
    }

    @Test
    void shouldRoundTripEveryFieldThroughExportImportCompactExport() throws Exception {
        Path a = tmp.resolve("a.jsonl");
        Cli.Result e1 = Cli.run("export", "--dir", home.toString(), "--format", "jsonl", "--out", a.toString());
        assertThat(e1.code()).as(e1.toString()).isZero();
        assertThat(e1.err()).contains("exported 301 calls");
        List<String> linesA = Files.readAllLines(a, StandardCharsets.UTF_8);
        assertThat(linesA).hasSize(301);
        assertThat(linesA).anySatisfy(l -> assertThat(l).startsWith("{\"call_id\":\"c-1\"").contains("\"top_k\":40")
                .contains("\"reasoning_tokens\":5").contains("\"start_time\":\"2026-11-20T00:00:00.123456Z\""));

        Path home2 = tmp.resolve("home2");
        Cli.Result imp = Cli.run("import", a.toString(), "--dir", home2.toString());
        assertThat(imp.code()).as(imp.toString()).isZero();
        assertThat(imp.err()).contains("imported 301 calls");
        // import only fills the queue; compaction is compact's job
        assertThat(home2.resolve("data").resolve("calls")).doesNotExist();
        Cli.Result comp = Cli.run("compact", "--dir", home2.toString(), "--retain", "all", "--redact", "none");
        assertThat(comp.code()).as(comp.toString()).isZero();
        Path b = tmp.resolve("b.jsonl");
        Cli.Result e2 = Cli.run("export", "--dir", home2.toString(), "--format", "jsonl", "--out", b.toString());
        assertThat(e2.code()).as(e2.toString()).isZero();
        List<String> linesB = Files.readAllLines(b, StandardCharsets.UTF_8);
        assertThat(linesB).hasSize(linesA.size());
        for (int i = 0; i < linesA.size(); i++) {
            assertThat(linesB.get(i)).as("line %d", i + 1).isEqualTo(linesA.get(i));
        }
    }

    @Test
    void shouldImportGoodLinesAndReportMalformedOnesWithLineNumbersAndReasons() throws Exception {
        Path f = tmp.resolve("mixed.jsonl");
        Files.writeString(f, String.join("\n",
                "{\"call_id\":\"ok-1\",\"request_model\":\"gpt-4o\",\"start_time\":\"2026-11-27T10:00:00.000001Z\"}",
                "{\"call_id\":\"bad-1\",\"input_tokens\":\"many\"}",
                "not json at all",
                "",
                "{\"call_id\":\"ok-2\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
                "{\"call_id\":\"bad-2\",\"colour\":\"red\"}") + "\n", StandardCharsets.UTF_8);
        Path h = tmp.resolve("mixed-home");
        Cli.Result r = Cli.run("import", f.toString(), "--dir", h.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("mixed.jsonl:2: skipped: input_tokens must be a 64-bit integer, got \"many\"")
                .contains("mixed.jsonl:3: skipped: not valid JSON")
                .contains("mixed.jsonl:6: skipped: unknown field \"colour\"")
                .contains("imported 2 calls").contains("skipped 3 malformed line(s)");
        try (PromptLogReader reader = PromptLogReader.openHome(h)) {
            assertThat(reader.sql("SELECT string_agg(call_id, ',' ORDER BY call_id) FROM calls").scalar()).isEqualTo("ok-1,ok-2");
        }
        Cli.Result missing = Cli.run("import", tmp.resolve("nope.jsonl").toString(), "--dir", h.toString());
        assertThat(missing.code()).isEqualTo(1);
        assertThat(missing.err()).contains("no such file");
    }

    @Test
    void shouldExportAnOpenAiChatEvaluationSet() throws Exception {
        Path f = tmp.resolve("eval.jsonl");
        Cli.Result r = Cli.run("export", "--dir", home.toString(), "--where", "status = 'ok' AND prompt_name = 'prompt-0'",
                "--format", "openai-chat", "--out", f.toString());
        assertThat(r.code()).as(r.toString()).isZero();
        List<String> lines = Files.readAllLines(f, StandardCharsets.UTF_8);
        assertThat(lines).isNotEmpty();
        long expected;
        try (PromptLogReader reader = PromptLogReader.openHome(home)) {
            expected = ((Number) reader.sql("SELECT count(*) FROM calls WHERE status = 'ok' AND prompt_name = 'prompt-0' "
                    + "AND response IS NOT NULL").scalar()).longValue();
        }
        assertThat(lines).hasSize((int) expected);
        for (String l : lines) {
            JsonNode m = Json.MAPPER.readTree(l).get("messages");
            assertThat(m.get(0).get("role").asText()).isEqualTo("system");
            assertThat(m.get(m.size() - 1).get("role").asText()).isEqualTo("assistant");
            assertThat(m.size()).isGreaterThanOrEqualTo(3);
        }
    }

    @Test
    void shouldExportParquetThatDuckDbReadsBack() throws Exception {
        Path f = tmp.resolve("errors.parquet");
        Cli.Result r = Cli.run("export", "--dir", home.toString(), "--where", "status = 'error'", "--format", "parquet",
                "--out", f.toString());
        assertThat(r.code()).as(r.toString()).isZero();
        // reading a file outside the dataset needs the explicit opt-out
        try (PromptLogReader reader = PromptLogReader.openHome(home, io.promptlog.reader.SqlAccess.UNRESTRICTED)) {
            Object errors = reader.sql("SELECT count(*) FROM calls WHERE status = 'error'").scalar();
            assertThat(reader.sql("SELECT count(*) FROM read_parquet(?) WHERE system_prompt IS NOT NULL AND status = 'error'",
                    f.toString()).scalar()).isEqualTo(errors);
        }
        Cli.Result bad = Cli.run("export", "--dir", home.toString(), "--where", "no_such_col = 1", "--format", "jsonl",
                "--out", tmp.resolve("x.jsonl").toString());
        assertThat(bad.code()).isEqualTo(1);
        assertThat(bad.err()).contains("no_such_col");
        assertThat(Cli.run("export", "--dir", home.toString(), "--format", "csv", "--out", "x").code()).isEqualTo(2);
    }

    static List<String> lines(String s) {
        return new ArrayList<>(List.of(s.split("\n")));
    }
}
