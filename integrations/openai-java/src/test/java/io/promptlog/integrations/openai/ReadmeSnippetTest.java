package io.promptlog.integrations.openai;

import io.promptlog.integrations.ReadmeSnippets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/** The READMEs' copy-paste snippets, read out of the READMEs and compiled as they stand. */
@Timeout(60)
class ReadmeSnippetTest {

    @Test
    void shouldCompileTheReadmeSnippetAsWritten(@TempDir Path classes) {
        ReadmeSnippets.compileJava(ReadmeSnippets.snippet(Path.of("README.md"), "openai-java"),
                "io.promptlog.writer.PromptLog log", classes);
    }

    /** The core README's price snippet uses this module's interceptor, so it is compiled here. */
    @Test
    void shouldCompileTheCoreReadmePriceSnippetAsWritten(@TempDir Path classes) {
        ReadmeSnippets.compileJava(ReadmeSnippets.snippet(Path.of("../core/README.md"), "prices"),
                "io.promptlog.writer.PromptLog log", classes);
    }
}
