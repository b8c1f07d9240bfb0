package io.promptlog.writer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The README's "Embedding the writer" example, kept compiling and working: edit both together. */
@Timeout(60)
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

    @Test
    void shouldRunTheReadmeEmbeddingExample(@TempDir Path dir) throws Exception {
        String systemPrompt = "You are a helpful assistant.";
        String question = "What is the capital of France?";
        String answer = "Paris.";
        long elapsedMicros = 812_000;
        String tenantId = "acme";

        // --- as in README.md ---
        PromptLog log = PromptLog.open(PromptLogConfig.builder(dir.resolve("promptlog-home")).build());

        // Hot path: a per-thread, reusable recorder. Setters copy straight into the record; nothing is allocated.
        try (CallRecorder r = log.begin()) {            // close() publishes the record
            r.provider("openai").requestModel("gpt-4o").temperature(0.2).maxTokens(512)
             .systemPrompt(systemPrompt)
             .message("user", question)
             .response(answer).finishReason("stop")
             .inputTokens(812).outputTokens(95).costUsd(0.0031)
             .durationMicros(elapsedMicros)
             .status(CallField.STATUS_OK)
             .attribute("tenant", tenantId);
        }

        // Convenience path (allocates): an immutable value.
        int status = log.append(LlmCall.builder().requestModel("gpt-4o").systemPrompt(systemPrompt)
                .message("user", question).response(answer).build());
        // status < 0 means dropped (log closed, disk full, ...): see AppendStatus and log.stats().

        log.close();   // idempotent; flushes
        // --- end of README example ---

        assertThat(status).isEqualTo(AppendStatus.OK);
        assertThat(log.stats().appended()).isEqualTo(2);
        var calls = QueueContents.readAll(dir.resolve("promptlog-home"));
        assertThat(calls).hasSize(2);
        assertThat(calls).allSatisfy(c -> {
            assertThat(c.systemPrompt()).isEqualTo(systemPrompt);
            assertThat(c.response()).isEqualTo(answer);
        });
    }
}
