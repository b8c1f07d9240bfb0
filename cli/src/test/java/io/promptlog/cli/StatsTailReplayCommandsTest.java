package io.promptlog.cli;

import java.time.Duration;
import io.promptlog.testsupport.Await;
import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;

import io.promptlog.reader.PromptLogReader;
import io.promptlog.reader.StoredCall;
import io.promptlog.reader.TestHomes;
import io.promptlog.writer.LlmCall;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(240)
class StatsTailReplayCommandsTest {
    private static final long SEED = 31;

    @TempDir
    static Path tmp;
    static Path home;
    static String dir;

    @BeforeAll
    static void logAndCompact() throws Exception {
        home = tmp.resolve("home");
        dir = home.toString();
        TestHomes.generate(home, 400, 0, SEED);
        TestHomes.compact(home, "all", "none");
    }

    private static String csvScalar(String sql) {
        Cli.Result r = Cli.run("query", "--dir", dir, "--format", "csv", sql);
        assertThat(r.code()).as(r.toString()).isZero();
        return r.out().split("\r\n")[1];
    }

    @Test
    void shouldPrintStatsOverallAndByEveryGrouping() throws Exception {
        Cli.Result all = Cli.run("stats", "--dir", dir, "--format", "json");
        assertThat(all.code()).as(all.toString()).isZero();
        JsonNode row = Json.MAPPER.readTree(all.out()).get(0);
        assertThat(row.get("calls").asLong()).isEqualTo(Long.parseLong(csvScalar("SELECT count(*) FROM calls")));
        assertThat(row.get("error_pct").asDouble()).isEqualTo(Double.parseDouble(csvScalar(
                "SELECT round(100.0 * count(*) FILTER (WHERE status = 'error') / count(*), 2) FROM calls")));
        assertThat(row.get("p50_ms").asDouble()).isEqualTo(Double.parseDouble(csvScalar(
                "SELECT round(quantile_cont(duration_us, 0.5) / 1000.0, 1) FROM calls")));
        for (String f : List.of("p95_ms", "p99_ms", "avg_input_tokens", "avg_output_tokens", "total_tokens", "cost_usd",
                "avg_response_chars", "refusal_pct")) {
            assertThat(row.has(f)).as(f).isTrue();
        }
        Cli.Result byModel = Cli.run("stats", "--dir", dir, "--by", "model");
        assertThat(byModel.out()).contains("gpt-4o").contains("claude-sonnet-4-5").contains("p99_ms");
        Cli.Result byPrompt = Cli.run("stats", "--dir", dir, "--by", "system_prompt", "--format", "csv");
        assertThat(byPrompt.out().split("\r\n")[0]).startsWith("system_prompt_hash,prompt_name,system_prompt_starts,calls");
        Cli.Result byVersion = Cli.run("stats", "--dir", dir, "--by", "prompt_version");
        assertThat(byVersion.code()).isZero();
        Cli.Result byDay = Cli.run("stats", "--dir", dir, "--by", "day", "--format", "csv");
        assertThat(byDay.out()).contains("2026-11-20,");
        Cli.Result since = Cli.run("stats", "--dir", dir, "--since", "2026-11-20T00:10:00Z", "--format", "json");
        assertThat(Json.MAPPER.readTree(since.out()).get(0).get("calls").asLong()).isEqualTo(
                Long.parseLong(csvScalar("SELECT count(*) FROM calls WHERE start_time >= TIMESTAMPTZ '2026-11-20T00:10:00Z'")));
        assertThat(Cli.run("stats", "--dir", dir, "--since", "last tuesday").code()).isEqualTo(2);
        assertThat(Cli.run("stats", "--dir", dir, "--by", "colour").code()).isEqualTo(2);
    }

    @Test
    void shouldCompareTwoSystemPromptsWithTextDiffAndMetricDeltas() {
        String[] hashes = Cli.run("query", "--dir", dir, "--format", "csv",
                "SELECT system_prompt_hash FROM calls GROUP BY 1 ORDER BY count(*) DESC LIMIT 2").out().split("\r\n");
        String a = hashes[1].substring(0, 10);
        String b = hashes[2].substring(0, 10);
        Cli.Result r = Cli.run("stats", "--dir", dir, "--compare", a, b);
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.out()).contains("A = " + a + " -> system_prompt_hash " + hashes[1])
                .contains("B = " + b + " -> system_prompt_hash " + hashes[2])
                .contains("── system prompt diff").contains("\n- ").contains("\n+ ")
                .contains("── metrics ──").containsPattern("calls\\s+\\d+\\s+\\d+\\s+[+-]\\d");
        Cli.Result ambiguous = Cli.run("stats", "--dir", dir, "--compare", "v1", b);
        assertThat(ambiguous.code()).isEqualTo(1);
        assertThat(ambiguous.err()).contains("'v1' matches");
        Cli.Result none = Cli.run("stats", "--dir", dir, "--compare", "ffffffffffff", b);
        assertThat(none.code()).isEqualTo(1);
        assertThat(none.err()).contains("no system prompt matches 'ffffffffffff'");
    }

    @Test
    void shouldDiffTextsLineByLine() {
        assertThat(TextDiff.unified("a\nb\nc\nd\ne\nf\ng", "a\nb\nc\nX\ne\nf\ng", 1))
                .containsExactly("  ...", "  c", "- d", "+ X", "  e", "  ...");
    }

    @Test
    void shouldTailTheNewestCallsAndFollowNewOnes() throws Exception {
        Cli.Result last = Cli.run("tail", "--dir", dir, "-n", "3");
        assertThat(last.code()).as(last.toString()).isZero();
        List<String> lines = List.of(last.out().split("\n"));
        assertThat(lines).hasSize(3);
        String newestId = csvScalar("SELECT call_id FROM calls ORDER BY start_time DESC LIMIT 1");
        assertThat(lines.get(2)).contains(newestId);

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8);
        AtomicReference<Integer> code = new AtomicReference<>();
        Thread follower = new Thread(() -> code.set(PromptLogCli.run(new String[]{"tail", "--dir", dir, "-n", "0", "--follow",
                "--poll-millis", "20"}, ps, ps)));
        follower.start();
        LlmCall fresh = LlmCall.builder().callId("fresh-tail-call").requestModel("gpt-4o").status("ok")
                .message("user", "is this thing on?").response("yes").build();
        // the follower says when it is positioned at the end of the queue: only then is the call logged
        Await.until(() -> out.toString(StandardCharsets.UTF_8).contains("following "), Duration.ofSeconds(60),
                () -> "follower ready: " + out);
        TestHomes.append(home, fresh);
        Await.until(() -> out.toString(StandardCharsets.UTF_8).contains("fresh-tail-call"), Duration.ofSeconds(60),
                () -> "call shown: " + out);
        follower.interrupt();
        follower.join(10_000);
        String s = out.toString(StandardCharsets.UTF_8);
        assertThat(s).contains("fresh-tail-call  gpt-4o  ok").contains("\"is this thing on?\" → \"yes\"");
        assertThat(code.get()).isZero();
    }

    @Test
    void shouldSendAReplayToAnOpenAiCompatibleEndpointAndLogItWithReplayOf() throws Exception {
        String id = csvScalar("SELECT call_id FROM calls WHERE status = 'ok' AND provider = 'openai' ORDER BY start_time LIMIT 1");
        AtomicReference<String> received = new AtomicReference<>();
        AtomicReference<String> path = new AtomicReference<>();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", ex -> {
            received.set(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            path.set(ex.getRequestURI().getPath());
            byte[] body = ("{\"id\":\"chatcmpl-replay-1\",\"object\":\"chat.completion\",\"model\":\"gpt-4o-2024-11-20\","
                    + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"A shorter answer.\"},"
                    + "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":1234,\"completion_tokens\":5,\"total_tokens\":1239}}")
                    .getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.start();
        try {
            String base = "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
            Cli.Result r = Cli.run("replay", "--dir", dir, id, "--send", base);
            assertThat(r.code()).as(r.toString()).isZero();
            assertThat(path.get()).isEqualTo("/v1/chat/completions");
            JsonNode sent = Json.MAPPER.readTree(received.get());
            try (PromptLogReader reader = PromptLogReader.openHome(home)) {
                StoredCall original = reader.requireCall(id);
                assertThat(sent.get("model").asText()).isEqualTo(original.call().requestModel());
                assertThat(sent.get("messages").get(0).get("content").asText()).isEqualTo(original.call().systemPrompt());
                assertThat(sent.get("stream").asBoolean()).isFalse();
                String replayId = (String) reader.sql("SELECT call_id FROM calls WHERE replay_of = '" + id + "'").scalar();
                StoredCall replay = reader.requireCall(replayId);
                assertThat(replay.live()).isTrue();
                assertThat(replay.call().response()).isEqualTo("A shorter answer.");
                assertThat(replay.call().int64(io.promptlog.writer.CallField.INPUT_TOKENS)).isEqualTo(1234L);
                assertThat(replay.call().string(io.promptlog.writer.CallField.RESPONSE_MODEL)).isEqualTo("gpt-4o-2024-11-20");
                assertThat(replay.call().messages()).isEqualTo(original.call().messages());
                assertThat(r.out()).contains("original " + id).contains("replay " + replayId).contains("A shorter answer.")
                        .containsPattern("output_tokens\\s+\\d+\\s+\\| 5  \\([+-]\\d+");
            }
        } finally {
            server.stop(0);
        }
    }
}
