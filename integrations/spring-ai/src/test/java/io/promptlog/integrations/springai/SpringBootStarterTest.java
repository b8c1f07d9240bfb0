package io.promptlog.integrations.springai;

import io.micrometer.core.instrument.MeterRegistry;
import io.promptlog.integrations.LoggedCalls;
import io.promptlog.integrations.OpenAiChatBodies;
import io.promptlog.integrations.ProviderServer;
import io.promptlog.reader.PromptLogReader;
import io.promptlog.reader.StoredCall;
import io.promptlog.writer.CallField;
import io.promptlog.writer.LlmCall;
import io.promptlog.writer.Message;
import io.promptlog.writer.PromptLog;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static io.promptlog.integrations.ProviderServer.json;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A Spring Boot application as a user would have it: Spring AI's OpenAI starter, the actuator, this
 * module on the class path and {@code promptlog.dir} in its properties, nothing else. One context for
 * the class (boot is slow); calls go through the auto-configured model and {@code ChatClient} to a
 * local server, and are read back end to end through {@link PromptLogReader}.
 */
@Timeout(120)
class SpringBootStarterTest {
    private static ProviderServer server;
    private static Path home;
    private static ConfigurableApplicationContext context;

    @SpringBootApplication
    static class App {
    }

    @BeforeAll
    static void boot() throws IOException {
        server = new ProviderServer();
        home = Files.createTempDirectory("promptlog-boot");
        context = new SpringApplicationBuilder(App.class).web(WebApplicationType.NONE)
                .properties(Map.of(
                        "promptlog.dir", home.toString(),
                        "spring.ai.openai.api-key", "sk-test",
                        "spring.ai.openai.base-url", server.url(""),
                        "spring.ai.openai.chat.options.model", "gpt-test",
                        "spring.main.banner-mode", "off"))
                .run();
    }

    @AfterAll
    static void shutDown() throws IOException {
        if (context == null) {
            server.close();
            return;
        }
        PromptLog log = context.getBean(PromptLog.class);
        context.close();
        server.close();
        try {
            assertThat(log.isAvailable()).as("the log is closed with the context").isFalse();
        } finally {
            try (Stream<Path> files = Files.walk(home)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static List<StoredCall> loggedCallsWith(String userText) {
        List<StoredCall> out = new ArrayList<>();
        try (PromptLogReader reader = PromptLogReader.openHome(home)) {
            reader.forEachCall(null, c -> {
                if (c.call().messages().contains(Message.of("user", userText))) {
                    out.add(c);
                }
            });
        }
        return out;
    }

    @Test
    void shouldLogACallMadeThroughTheAutoConfiguredChatClientEndToEnd() {
        server.enqueue(json(200, Map.of(), OpenAiChatBodies.COMPLETION));
        ChatClient client = context.getBean(ChatClient.Builder.class).build();

        String answer = client.prompt().system("You are terse.").user("Capital of Italy? (client)").call().content();

        assertThat(answer).isEqualTo("Rome.");
        List<StoredCall> calls = loggedCallsWith("Capital of Italy? (client)");
        assertThat(calls).as("one record per call: the handler is registered once").hasSize(1);
        LlmCall c = calls.get(0).call();
        assertThat(calls.get(0).live()).isTrue();
        assertThat(c.string(CallField.PROVIDER)).isEqualTo("openai");
        assertThat(c.requestModel()).isEqualTo("gpt-test");
        assertThat(c.string(CallField.RESPONSE_MODEL)).isEqualTo("gpt-test-2025-12-01");
        assertThat(c.systemPrompt()).isEqualTo("You are terse.");
        assertThat(c.messages()).containsExactly(Message.of("user", "Capital of Italy? (client)"));
        assertThat(c.response()).isEqualTo("Rome.");
        assertThat(c.string(CallField.FINISH_REASON)).isEqualTo("stop");
        assertThat(c.int64(CallField.INPUT_TOKENS)).isEqualTo(1000L);
        assertThat(c.int64(CallField.CACHED_INPUT_TOKENS)).isEqualTo(400L);
        assertThat(c.int64(CallField.OUTPUT_TOKENS)).isEqualTo(200L);
        assertThat(c.status()).isEqualTo(CallField.STATUS_OK);
        assertThat(c.int64(CallField.DURATION_US)).isPositive();
        try (PromptLogReader reader = PromptLogReader.openHome(home)) {
            assertThat(reader.replayRequest(c.callId()))
                    .as("the logged call rebuilds the request").contains("\"model\" : \"gpt-test\"")
                    .contains("You are terse.").contains("Capital of Italy? (client)");
        }
    }

    @Test
    void shouldLogAStreamedCallOfTheAutoConfiguredModel() {
        server.enqueue(ProviderServer.sse(Map.of(), OpenAiChatBodies.helloStream()));
        ChatModel model = context.getBean(ChatModel.class);

        List<ChatResponse> chunks = model.stream(new Prompt("Capital of Italy? (stream)")).collectList()
                .block(Duration.ofSeconds(30));

        assertThat(chunks).isNotEmpty();
        // the observation stops in the stream's doFinally, which may run just after block() has returned:
        // wait for the record in the queue (cheap), then read it through the reader
        Message question = Message.of("user", "Capital of Italy? (stream)");
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (LoggedCalls.readAll(home).stream().noneMatch(c -> c.messages().contains(question))
                && System.nanoTime() < deadline) {
            java.util.concurrent.locks.LockSupport.parkNanos(5_000_000);
        }
        List<StoredCall> calls = loggedCallsWith("Capital of Italy? (stream)");
        assertThat(calls).hasSize(1);
        assertThat(calls.get(0).call().response()).isEqualTo("Hello");
        assertThat(calls.get(0).call().status()).isEqualTo(CallField.STATUS_OK);
    }

    @Test
    void shouldExposeTheWritersCountersAsMetrics() {
        server.enqueue(json(200, Map.of(), OpenAiChatBodies.COMPLETION));
        context.getBean(ChatModel.class).call(new Prompt("Capital of Italy? (metrics)"));
        PromptLog log = context.getBean(PromptLog.class);
        MeterRegistry meters = context.getBean(MeterRegistry.class);

        assertThat(meters.get("promptlog.appended").functionCounter().count())
                .isEqualTo((double) log.stats().appended()).isGreaterThanOrEqualTo(1.0);
        assertThat(meters.get("promptlog.appended.bytes").functionCounter().count()).isPositive();
        assertThat(meters.get("promptlog.dropped").tag("reason", "closed").functionCounter().count()).isZero();
        assertThat(meters.get("promptlog.dropped").functionCounters()).extracting(m -> m.getId().getTag("reason"))
                .containsExactlyInAnyOrder("closed", "unavailable", "io_error", "too_large", "error");
        assertThat(meters.get("promptlog.hook.failures").functionCounter().count()).isZero();
    }
}
