package io.promptlog.cli;

import io.promptlog.reader.TestHomes;
import io.promptlog.writer.LlmCall;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(60)
class CliUsageTest {

    @Test
    void shouldPrintCompactHelpWithoutAFormatWarning() {
        Cli.Result r = Cli.run("compact", "--help");
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.out() + r.err()).doesNotContain("Could not format").contains("a 10% sample");
    }

    @Test
    void shouldExitNonzeroForAnUnknownCommandEvenWithHelp() {
        Cli.Result r = Cli.run("bogus", "--help");
        assertThat(r.code()).as(r.toString()).isNotZero();
        assertThat(r.err()).contains("bogus");
    }

    @Test
    void shouldPrintHelpOfEveryCommandWithoutAFormatWarning() {
        for (String c : new String[] {"demo", "generate", "compact", "query", "show", "replay", "export", "import", "stats", "tail"}) {
            Cli.Result r = Cli.run(c, "--help");
            assertThat(r.code()).as(c + ": " + r).isZero();
            assertThat(r.out() + r.err()).as(c).doesNotContain("Could not format");
        }
    }

    /** Values out of range are usage errors (exit 2, a message naming the option, then the usage), not stack traces. */
    @Test
    void shouldRefuseOutOfRangeValuesAsUsageErrors(@TempDir Path home) throws Exception {
        TestHomes.append(home, LlmCall.builder().callId("a").requestModel("m").startTimeMicros(1_795_132_800_000_000L).build());
        TestHomes.compact(home, "default", "default");
        String[][] cases = {
                {"--since", "stats", "--dir", home.toString(), "--since", "9999999999999d"},
                {"--since", "stats", "--dir", home.toString(), "--since", "99999999999999999999d"},
                {"--merge-grace-minutes", "compact", "--dir", home.toString(), "--merge-grace-minutes", "9223372036854775807"},
                {"out of the range", "erase", "--dir", home.toString(), "--before", "+1000000000-01-01T00:00:00Z"},
                {"--out must name a file", "export", "--dir", home.toString(), "--format", "jsonl", "--out", "/"},
                {"--out must name a file", "export", "--dir", home.toString(), "--format", "jsonl", "--out", "."},
                {"--out must name a file", "export", "--dir", home.toString(), "--format", "jsonl", "--out", ""},
        };
        for (String[] c : cases) {
            String[] args = java.util.Arrays.copyOfRange(c, 1, c.length);
            Cli.Result r = Cli.run(args);
            assertThat(r.code()).as(String.join(" ", args) + ": " + r).isEqualTo(2);
            assertThat(r.err()).as(String.join(" ", args)).contains(c[0]).doesNotContain("\tat ");
        }
        try (var s = Files.list(Path.of("."))) {
            assertThat(s.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".export-tmp"));
        }
    }

    @Test
    void shouldAddUpTokensBeyondALongInStats(@TempDir Path home) throws Exception {
        TestHomes.append(home, LlmCall.builder().callId("big").requestModel("m").startTimeMicros(1_795_132_800_000_000L)
                .inputTokens(Long.MAX_VALUE).outputTokens(1).build());
        Cli.Result r = Cli.run("stats", "--dir", home.toString(), "--format", "csv");
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.out()).contains("9223372036854775808");
    }
}
