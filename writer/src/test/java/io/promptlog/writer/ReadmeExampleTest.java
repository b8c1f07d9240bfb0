package io.promptlog.writer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.io.ByteArrayOutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README's "Embedding the writer" example, read from README.md itself, compiled and run: the README
 * cannot drift from the API. The only change made to the text is where the home goes (the test's
 * temporary directory instead of the working directory).
 */
@Timeout(120)
class ReadmeExampleTest {

    private static String callTheModel(String question) {
        return "Paris.";
    }

    @Test
    void shouldRunTheReadmeTwoPhaseExample(@TempDir Path dir) throws Exception {
        String systemPrompt = "You are a helpful assistant.";
        String question = "What is the capital of France?";
        String answer = "Paris.";
        PromptLog log = PromptLog.open(PromptLogConfig.builder(dir.resolve("promptlog-home")).build());

        // --- as in README.md ---
        CallRecorder r = log.begin().requestModel("gpt-4o").systemPrompt(systemPrompt).message("user", question);
        r.send();                                          // model, parameters, prompt, messages: durable now
        try {
            String answer1 = callTheModel(question);
            r.response(answer1).outputTokens(95).complete();  // status "ok" and the duration since send() filled in
        } catch (RuntimeException e) {
            r.fail(e.getClass().getName(), e.getMessage());  // status "error"
        }

        // Completing on another thread (an async client): pass the handle, a plain long.
        CallRecorder sent = log.begin().requestModel("gpt-4o").message("user", question);
        sent.send();
        long handle = sent.inFlight();
        // ... later, on the callback thread:
        Thread callback = new Thread(() -> log.resume(handle).response(answer).complete());
        callback.start();
        callback.join();
        // --- end of README example ---

        log.close();
        assertThat(log.stats().appended()).isEqualTo(4);
        assertThat(log.stats().dropped()).isZero();
        var calls = QueueContents.readAll(dir.resolve("promptlog-home"));
        assertThat(calls).filteredOn(c -> answer.equals(c.response())).hasSize(2);
    }

    /** The first ```java block after the "### Example" heading of the embedding section. */
    static String readmeExample() throws Exception {
        String readme = Files.readString(Path.of(System.getProperty("user.dir")).resolveSibling("README.md"));
        int heading = readme.indexOf("### Example", readme.indexOf("## Embedding the writer"));
        assertThat(heading).as("README has the embedding example").isPositive();
        int from = readme.indexOf("```java\n", heading) + "```java\n".length();
        int to = readme.indexOf("\n```", from);
        return readme.substring(from, to);
    }

    @Test
    void shouldRunTheReadmeEmbeddingExampleAsWritten(@TempDir Path dir) throws Exception {
        String example = readmeExample();
        assertThat(example).contains("Path.of(\"promptlog-home\")");
        List<String> imports = new ArrayList<>();
        StringBuilder body = new StringBuilder();
        for (String line : example.lines().toList()) {
            if (line.startsWith("import ")) {
                imports.add(line);
            } else {
                body.append(line).append('\n');
            }
        }
        String source = String.join("\n", imports) + "\npublic class ReadmeSnippet {\n"
                + "  public static Object[] run(Path home, String systemPrompt, String question, String answer,"
                + " long elapsedMicros, String tenantId) throws Exception {\n"
                + body.toString().replace("Path.of(\"promptlog-home\")", "home")
                + "    return new Object[] {status, log};\n  }\n}\n";
        Path src = dir.resolve("src/ReadmeSnippet.java");
        Files.createDirectories(src.getParent());
        Files.writeString(src, source);
        Path classes = Files.createDirectories(dir.resolve("classes"));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
        int rc = javac.run(null, diagnostics, diagnostics, "-d", classes.toString(), "-cp",
                System.getProperty("java.class.path"), src.toString());
        assertThat(rc).as("the README example compiles:\n%s\n%s", diagnostics.toString(StandardCharsets.UTF_8), source)
                .isZero();

        Path home = dir.resolve("promptlog-home");
        String systemPrompt = "You are a helpful assistant.";
        String answer = "Paris.";
        Object[] result;
        try (URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()}, getClass().getClassLoader())) {
            result = (Object[]) loader.loadClass("ReadmeSnippet")
                    .getMethod("run", Path.class, String.class, String.class, String.class, long.class, String.class)
                    .invoke(null, home, systemPrompt, "What is the capital of France?", answer, 812_000L, "acme");
        }
        int status = (Integer) result[0];
        PromptLog log = (PromptLog) result[1];
        assertThat(status).isEqualTo(AppendStatus.OK);
        assertThat(log.stats().appended()).isEqualTo(2);
        var calls = QueueContents.readAll(home);
        assertThat(calls).hasSize(2);
        assertThat(calls).allSatisfy(c -> {
            assertThat(c.systemPrompt()).isEqualTo(systemPrompt);
            assertThat(c.response()).isEqualTo(answer);
        });
        assertThat(calls.get(0).attributes()).containsEntry("tenant", "acme");
    }
}
