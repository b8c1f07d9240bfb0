package io.promptlog.integrations.anthropic;

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
        ReadmeSnippets.compileJava(ReadmeSnippets.snippet(Path.of("README.md"), "anthropic-java"),
                "io.promptlog.writer.PromptLog log", classes);
    }
}
