package io.promptlog.integrations.opentelemetry;

import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.promptlog.integrations.PromptLogHooks;
import io.promptlog.writer.LlmCall;
import io.promptlog.writer.PromptLog;

import java.util.Objects;

/**
 * Turns the GenAI spans an app already produces (any span with {@code gen_ai.*} attributes: the
 * OpenTelemetry GenAI semantic conventions as anthropic-java, Spring AI and OpenTelemetry
 * instrumentations emit them, and OpenLLMetry's indexed {@code gen_ai.prompt.N.*} form) into promptlog
 * records, next to the traces. One line where the tracer provider is built:
 *
 * <pre>{@code
 * SdkTracerProvider tracerProvider = SdkTracerProvider.builder()
 *         .addSpanProcessor(PromptLogSpanProcessor.of(log))
 *         .build();
 * }</pre>
 *
 * <p>A span becomes a record when it ends, on the thread that ends it; spans without {@code gen_ai.*}
 * attributes, and the agent and tool spans ({@code invoke_agent}, {@code create_agent},
 * {@code execute_tool}), are skipped, so a model call is recorded once. The record takes the span's
 * trace, span and parent span ids and its start and duration. Content (system prompt, messages, response)
 * is only there when the instrumentation records it (its "capture content" setting).
 *
 * <p>Never throws into the tracer: a failure is counted in {@link PromptLogHooks#stats()}. Shutting the
 * tracer provider down does not close the log (the app owns it).
 */
public final class PromptLogSpanProcessor implements SpanProcessor {
    private final PromptLogHooks hooks;

    private PromptLogSpanProcessor(PromptLogHooks hooks) {
        this.hooks = Objects.requireNonNull(hooks, "hooks");
    }

    /** A processor writing to {@code log} with the default price table. */
    public static PromptLogSpanProcessor of(PromptLog log) {
        return new PromptLogSpanProcessor(PromptLogHooks.of(log));
    }

    /** A processor sharing {@code hooks} (their price table and failure counters). */
    public static PromptLogSpanProcessor of(PromptLogHooks hooks) {
        return new PromptLogSpanProcessor(hooks);
    }

    public PromptLogHooks hooks() {
        return hooks;
    }

    @Override
    public void onStart(Context parentContext, ReadWriteSpan span) {
    }

    @Override
    public boolean isStartRequired() {
        return false;
    }

    @Override
    public void onEnd(ReadableSpan span) {
        try {
            LlmCall.Builder call = GenAiSpans.toCall(span.toSpanData(), hooks);
            if (call != null) {
                hooks.record(call);
            }
        } catch (Throwable t) {
            hooks.failed("opentelemetry onEnd", t);
        }
    }

    @Override
    public boolean isEndRequired() {
        return true;
    }

    /** Nothing to do: records are appended when each span ends. */
    @Override
    public CompletableResultCode shutdown() {
        return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode forceFlush() {
        return CompletableResultCode.ofSuccess();
    }
}
