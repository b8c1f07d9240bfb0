package io.promptlog.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

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
}
