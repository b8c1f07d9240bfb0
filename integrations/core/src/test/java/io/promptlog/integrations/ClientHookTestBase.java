package io.promptlog.integrations;

import io.promptlog.testsupport.Await;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Scope;
import io.promptlog.writer.PromptLog;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * Shared by the client hooks' tests: a fresh log and a local provider server per test, and a hook whose
 * retry window (30 s) outlasts any stall of a loaded machine, so that a retry always joins its call; a
 * test that needs a held attempt recorded closes the hook, or builds one with a short window.
 */
public abstract class ClientHookTestBase {
    public static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
    public static final String SPAN_ID = "00f067aa0ba902b7";

    @TempDir
    protected Path home;
    protected PromptLog log;
    protected ProviderServer server;
    protected LlmHttpHook hook;

    @BeforeEach
    void openLogAndServer() throws Exception {
        log = PromptLog.open(home);
        server = new ProviderServer();
        hook = LlmHttpHook.builder(PromptLogHooks.of(log)).clientRetries(true).retryWindow(Duration.ofSeconds(30)).build();
    }

    @AfterEach
    void closeLogAndServer() {
        hook.close();
        server.close();
        log.close();
    }

    /** Runs {@code call} with a span (ids {@link #TRACE_ID}, {@link #SPAN_ID}) current on this thread. */
    protected static <T> T inSpan(Supplier<T> call) {
        Span span = Span.wrap(SpanContext.create(TRACE_ID, SPAN_ID, TraceFlags.getSampled(), TraceState.getDefault()));
        try (Scope ignored = span.makeCurrent()) {
            return call.get();
        }
    }

    /** Waits (at most 10 s) until {@code hooks} have recorded {@code count} calls, e.g. when a retry window ends. */
    protected static void awaitRecorded(PromptLogHooks hooks, long count) throws Exception {
        Await.until(() -> hooks.stats().recorded() >= count, Duration.ofSeconds(10),
                () -> count + " calls recorded, " + hooks.stats().recorded() + " so far");
    }
}
