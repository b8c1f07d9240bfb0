package io.promptlog.integrations.springai;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.promptlog.integrations.LoggedCalls;
import io.promptlog.integrations.PromptLogHooks;
import io.promptlog.writer.CallField;
import io.promptlog.writer.LlmCall;
import io.promptlog.writer.Message;
import io.promptlog.writer.PromptLog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.ai.chat.observation.ChatModelObservationContext;
import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/** The auto-configuration alone (no actuator, no Spring AI model), in light contexts. */
@Timeout(60)
class PromptLogAutoConfigurationTest {
    @TempDir
    Path home;

    private ApplicationContextRunner runner() {
        return new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(PromptLogAutoConfiguration.class))
                .withPropertyValues("promptlog.dir=" + home);
    }

    /** What a Spring AI chat model does around a call. */
    private static void observeChatCall(ObservationRegistry registry, String question) {
        ChatModelObservationContext ctx = ChatModelObservationContext.builder()
                .prompt(new Prompt(question)).provider("openai").build();
        Observation.createNotStarted("gen_ai.client.operation", () -> ctx, registry).observe(() -> { });
    }

    @Test
    void shouldProvideAnObservationRegistryWithTheHandlerWhenTheAppHasNone() {
        runner().run(context -> {
            assertThat(context).hasSingleBean(ObservationRegistry.class).hasSingleBean(PromptLogObservationHandler.class);

            observeChatCall(context.getBean(ObservationRegistry.class), "Hello?");
        });

        LlmCall c = LoggedCalls.single(home);
        assertThat(c.messages()).containsExactly(Message.of("user", "Hello?"));
        assertThat(c.string(CallField.PROVIDER)).isEqualTo("openai");
        assertThat(c.status()).as("stopped without a response").isEqualTo(CallField.STATUS_INCOMPLETE);
    }

    @Test
    void shouldLeaveTheAppsOwnObservationRegistryAlone() {
        ObservationRegistry own = ObservationRegistry.create();
        runner().withBean(ObservationRegistry.class, () -> own).run(context ->
                assertThat(context.getBean(ObservationRegistry.class)).isSameAs(own));
    }

    @Test
    void shouldCloseTheLogWhenTheContextCloses() {
        AtomicReference<PromptLog> log = new AtomicReference<>();
        runner().run(context -> {
            log.set(context.getBean(PromptLog.class));
            assertThat(log.get().isAvailable()).isTrue();
            assertThat(log.get().config().home()).isEqualTo(home);
        });

        assertThat(log.get().isAvailable()).isFalse();
    }

    @Test
    void shouldDoNothingWhenDisabled() {
        runner().withPropertyValues("promptlog.enabled=false").run(context ->
                assertThat(context).doesNotHaveBean(PromptLog.class).doesNotHaveBean(PromptLogObservationHandler.class)
                        .doesNotHaveBean(ObservationRegistry.class));
    }

    @Test
    void shouldPriceCallsFromThePricesFile() throws Exception {
        Path prices = Files.writeString(home.resolveSibling(home.getFileName() + "-prices.csv"),
                "# model,input,cached_input,output\nmy-model,1.0,0.1,2.0\n");
        try {
            runner().withPropertyValues("promptlog.prices=" + prices).run(context -> {
                PromptLogHooks hooks = context.getBean(PromptLogHooks.class);
                assertThat(hooks.prices().price("my-model")).isNotNull();
                assertThat(hooks.prices().costUsd("my-model", 1_000_000, 0, 1_000_000)).hasValue(3.0);
            });
        } finally {
            Files.deleteIfExists(prices);
        }
    }

    @Test
    void shouldFailStartupNamingAMissingPricesFile() {
        Path missing = home.resolve("no-such-prices.csv");
        runner().withPropertyValues("promptlog.prices=" + missing).run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).rootCause().hasMessageContaining(missing.toString());
        });
    }

    @Test
    void shouldStartAndCountDropsWhenTheDirectoryCannotBeUsed() throws Exception {
        Path file = Files.writeString(home.resolve("not-a-directory"), "x");
        new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(PromptLogAutoConfiguration.class))
                .withPropertyValues("promptlog.dir=" + file).run(context -> {
                    assertThat(context).hasNotFailed();
                    PromptLog log = context.getBean(PromptLog.class);
                    assertThat(log.isAvailable()).isFalse();
                    observeChatCall(context.getBean(ObservationRegistry.class), "Hello?");
                    assertThat(log.stats().droppedUnavailable()).isEqualTo(1);
                    assertThat(log.stats().lastError()).contains("not-a-directory");
                });
    }

    @Test
    void shouldShipConfigurationMetadataSoIdesCompleteThePromptlogProperties() throws Exception {
        try (var in = getClass().getClassLoader().getResourceAsStream("META-INF/spring-configuration-metadata.json")) {
            assertThat(in).as("spring-configuration-metadata.json in the jar").isNotNull();
            String json = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertThat(json).contains("\"promptlog.dir\"", "\"promptlog.enabled\"", "\"promptlog.prices\"",
                    "\"promptlog.trace-ids\"", "The log's home directory");
        }
    }

    @Test
    void shouldLogCallsOfSpringAisOpenAiModelInAnAppWithoutTheActuator() throws Exception {
        try (io.promptlog.integrations.ProviderServer server = new io.promptlog.integrations.ProviderServer()) {
            server.enqueue(io.promptlog.integrations.ProviderServer.json(200, java.util.Map.of(),
                    io.promptlog.integrations.OpenAiChatBodies.COMPLETION));
            runner().withConfiguration(AutoConfigurations.of(
                            org.springframework.boot.autoconfigure.web.client.RestClientAutoConfiguration.class,
                            org.springframework.boot.autoconfigure.web.reactive.function.client.WebClientAutoConfiguration.class,
                            org.springframework.ai.retry.autoconfigure.SpringAiRetryAutoConfiguration.class,
                            org.springframework.ai.model.tool.autoconfigure.ToolCallingAutoConfiguration.class,
                            org.springframework.ai.model.openai.autoconfigure.OpenAiChatAutoConfiguration.class))
                    .withPropertyValues("spring.ai.openai.api-key=sk-test", "spring.ai.openai.base-url=" + server.url(""),
                            "spring.ai.openai.chat.options.model=gpt-test")
                    .run(context -> {
                        assertThat(context).hasNotFailed();
                        context.getBean(org.springframework.ai.chat.model.ChatModel.class).call(new Prompt("Capital of Italy?"));
                    });
        }

        LlmCall c = LoggedCalls.single(home);
        assertThat(c.messages()).containsExactly(Message.of("user", "Capital of Italy?"));
        assertThat(c.response()).isEqualTo("Rome.");
        assertThat(c.status()).isEqualTo(CallField.STATUS_OK);
    }
}
