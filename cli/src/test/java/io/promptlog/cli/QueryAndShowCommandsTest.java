package io.promptlog.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.promptlog.reader.CanonicalJson;
import io.promptlog.reader.TestHomes;
import io.promptlog.synthetic.SyntheticCalls;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(180)
class QueryAndShowCommandsTest {
    private static final long SEED = 5;

    @TempDir
    static Path tmp;
    static Path home;
    static String dir;

    @BeforeAll
    static void logAndCompact() throws Exception {
        home = tmp.resolve("home");
        dir = home.toString();
        TestHomes.generate(home, 200, 0, SEED);
        TestHomes.compact(home, "all", "none");
        TestHomes.generate(home, 20, 200, SEED); // live, not compacted
    }

    @Test
    void shouldPrintHelpForEveryCommand() {
        for (String cmd : new String[]{"demo", "generate", "compact", "query", "show", "replay", "export", "import",
                "stats", "tail"}) {
            Cli.Result r = Cli.run(cmd, "--help");
            assertThat(r.code()).as(cmd).isZero();
            assertThat(r.out()).as(cmd).startsWith("Usage: promptlog " + cmd);
        }
        assertThat(Cli.run("--help").code()).isZero();
    }

    @Test
    void shouldExitWithTwoOnBadUsage() {
        assertThat(Cli.run("no-such-command").code()).isEqualTo(2);
        assertThat(Cli.run("query").code()).isEqualTo(2);
        assertThat(Cli.run("query", "--dir", dir, "SELECT 1", "--format", "xml").code()).isEqualTo(2);
        Cli.Result r = Cli.run("generate", "--count", "-5", "--dir", tmp.resolve("g").toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--count must be >= 0, was -5");
    }

    @Test
    void shouldQueryCompactedAndLiveCallsAsTableCsvAndJson() throws Exception {
        Cli.Result t = Cli.run("query", "--dir", dir, "SELECT count(*) AS n, count(DISTINCT call_id) AS ids FROM calls");
        assertThat(t.code()).as(t.toString()).isZero();
        assertThat(t.out()).contains("220").contains("(1 row)");
        Cli.Result c = Cli.run("query", "--dir", dir, "--format", "csv",
                "SELECT retention_reason, count(*) AS n FROM calls GROUP BY 1 ORDER BY 1");
        assertThat(c.out()).isEqualTo("retention_reason,n\r\nall,200\r\nlive,20\r\n");
        Cli.Result j = Cli.run("query", "--dir", dir, "--format", "json",
                "SELECT call_id, start_time, attributes, duration_us FROM calls ORDER BY start_time LIMIT 2");
        JsonNode a = Json.MAPPER.readTree(j.out());
        assertThat(a.size()).isEqualTo(2);
        assertThat(a.get(0).get("start_time").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}Z");
        assertThat(a.get(0).get("attributes").get("seq").asText()).isEqualTo("0");
        assertThat(a.get(0).get("duration_us").isIntegralNumber()).isTrue();
        // a bare dataset directory: compacted calls only
        Cli.Result d = Cli.run("query", "--data", home.resolve("data").toString(), "--format", "csv", "SELECT count(*) AS n FROM calls");
        assertThat(d.out()).isEqualTo("n\r\n200\r\n");
    }

    @Test
    void shouldReportBadSqlWithDuckDbsMessageAndExitOne() {
        Cli.Result r = Cli.run("query", "--dir", dir, "SELECT nope FROM calls");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).startsWith("error: Binder Error").contains("nope");
    }

    @Test
    void shouldFailClearlyOnMissingOrEmptyDatasets() throws Exception {
        Cli.Result missing = Cli.run("query", "--dir", tmp.resolve("absent").toString(), "SELECT 1");
        assertThat(missing.code()).isEqualTo(1);
        assertThat(missing.err()).contains("no promptlog home at " + tmp.resolve("absent").toAbsolutePath());
        Path empty = Files.createDirectories(tmp.resolve("empty").resolve("data"));
        Cli.Result e = Cli.run("query", "--dir", empty.getParent().toString(), "SELECT 1");
        assertThat(e.code()).isEqualTo(1);
        assertThat(e.err()).contains("empty promptlog home");
        Cli.Result bare = Cli.run("stats", "--data", tmp.resolve("absent-data").toString());
        assertThat(bare.code()).isEqualTo(1);
        assertThat(bare.err()).contains("no dataset directory at");
    }

    @Test
    void shouldShowAWholeCallReadableAndAsCanonicalJson() throws Exception {
        String id = Cli.run("query", "--dir", dir, "--format", "csv", "SELECT call_id FROM calls WHERE attributes['seq'] = '3'")
                .out().split("\r\n")[1];
        var expected = new SyntheticCalls(SEED).call(3).toBuilder().callId(id).build();
        Cli.Result show = Cli.run("show", "--dir", dir, id);
        assertThat(show.code()).as(show.toString()).isZero();
        assertThat(show.out()).contains("call " + id).contains("── system prompt (" + expected.systemPrompt().length() + " chars) ──")
                .contains(expected.systemPrompt()).contains(expected.response() == null ? "status" : expected.response())
                .contains("request_model        " + expected.requestModel());
        Cli.Result json = Cli.run("show", "--dir", dir, "--json", id);
        assertThat(Json.MAPPER.readTree(json.out()).toString()).isEqualTo(CanonicalJson.write(expected));
        // a live call shows too
        String liveId = Cli.run("query", "--dir", dir, "--format", "csv", "SELECT call_id FROM calls_live LIMIT 1").out().split("\r\n")[1];
        assertThat(Cli.run("show", "--dir", dir, liveId).out()).contains("live: in the queue");
        Cli.Result unknown = Cli.run("show", "--dir", dir, "nope");
        assertThat(unknown.code()).isEqualTo(1);
        assertThat(unknown.err()).contains("unknown call id \"nope\"");
    }

    @Test
    void shouldPrintTheReplayRequestBody() throws Exception {
        String id = Cli.run("query", "--dir", dir, "--format", "csv", "SELECT call_id FROM calls WHERE provider = 'openai' LIMIT 1")
                .out().split("\r\n")[1];
        Cli.Result r = Cli.run("replay", "--dir", dir, id);
        assertThat(r.code()).as(r.toString()).isZero();
        JsonNode body = Json.MAPPER.readTree(r.out());
        assertThat(body.get("messages").get(0).get("role").asText()).isEqualTo("system");
        assertThat(body.has("model")).isTrue();
    }

    @Test
    void shouldGenerateCallsWithAcknowledgements() {
        Path g = tmp.resolve("gen");
        Cli.Result r = Cli.run("generate", "--count", "50", "--dir", g.toString(), "--ack-every", "20", "--no-progress");
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.out()).isEqualTo("acked 20\nacked 40\nacked 50\n");
        Cli.Result q = Cli.run("query", "--dir", g.toString(), "--format", "csv", "SELECT count(*) AS n FROM calls_live");
        assertThat(q.out()).isEqualTo("n\r\n50\r\n");
    }
}
