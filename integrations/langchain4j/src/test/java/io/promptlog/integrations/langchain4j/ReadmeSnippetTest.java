package io.promptlog.integrations.langchain4j;

import io.promptlog.integrations.ReadmeSnippets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/** The README's copy-paste snippet, read out of the README and compiled as it stands. */
@Timeout(60)
class ReadmeSnippetTest {

    @Test
    void shouldCompileTheReadmeSnippetAsWritten(@TempDir Path classes) {
        String snippet = ReadmeSnippets.snippet(Path.of("README.md"), "langchain4j");
        ReadmeSnippets.compileJava(snippet, "io.promptlog.writer.PromptLog log", classes);
    }
}
