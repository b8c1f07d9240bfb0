package io.promptlog.integrations.springai;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.promptlog.integrations.PromptLogHooks;
import io.promptlog.writer.CallField;
import io.promptlog.writer.LlmCall;
import io.promptlog.writer.PromptLog;
import org.springframework.ai.chat.observation.ChatModelObservationContext;

import java.time.Instant;
import java.util.Objects;

/**
 * Logs every Spring AI chat model call: a Micrometer {@link ObservationHandler} for
 * {@link ChatModelObservationContext}, the observation every Spring AI chat model (OpenAI, Anthropic,
 * Ollama, Bedrock, ...) makes around each call, streaming included. With Spring Boot, the
 * auto-configuration registers it; without, add it to the registry the models are built with:
 *
 * <pre>{@code
 * ObservationRegistry registry = ObservationRegistry.create();
 * registry.observationConfig().observationHandler(PromptLogObservationHandler.of(log));
 * }</pre>
 *
 * <p>One record per model call (each round trip of Spring AI's tool-calling loop is one; a handler
 * registered twice on a registry still records once), written when the observation stops: for a stream, after the last chunk, with the aggregated response. Status is
 * {@code error} when the observation carries an error, {@code incomplete} when it stopped without a
 * response (a stream the app cancelled), else {@code ok}.
 *
 * <p>With Micrometer Tracing on, the record takes the trace, span and parent span ids of the span made
 * for the observation itself; otherwise those of the OpenTelemetry span current when the call starts.
 *
 * <p>Never changes the call: a failure inside the handler is counted in {@link PromptLogHooks#stats()}
 * and swallowed. A part of the call that cannot be read (the prompt, the response) is left out and
 * counted; the rest is still recorded.
 */
public final class PromptLogObservationHandler implements ObservationHandler<ChatModelObservationContext> {
    /** This handler's state in an observation context once its call is recorded. */
    private static final Object RECORDED = new Object();
    /** Key of this handler's state in the observation context (one per handler): a Pending, then RECORDED. */
    private final Object key = new Object();
    private final PromptLogHooks hooks;

    private PromptLogObservationHandler(PromptLogHooks hooks) {
        this.hooks = Objects.requireNonNull(hooks, "hooks");
    }

    /** A handler writing to {@code log} with the default price table and OpenTelemetry trace ids. */
    public static PromptLogObservationHandler of(PromptLog log) {
        return new PromptLogObservationHandler(PromptLogHooks.of(log));
    }

    /** A handler sharing {@code hooks} (their price table, trace id setting and failure counters). */
    public static PromptLogObservationHandler of(PromptLogHooks hooks) {
        return new PromptLogObservationHandler(hooks);
    }

    public PromptLogHooks hooks() {
        return hooks;
    }

    @Override
    public boolean supportsContext(Observation.Context context) {
        return context instanceof ChatModelObservationContext;
    }

    @Override
    public void onStart(ChatModelObservationContext context) {
        try {
            if (context.containsKey(key)) {
                return; // this handler is registered twice on the registry: the first registration records
            }
            LlmCall.Builder call = LlmCall.builder();
            hooks.captureTraceIds(call);
            Instant now = Instant.now();
            call.startTimeMicros(now.getEpochSecond() * 1_000_000 + now.getNano() / 1_000);
            context.put(key, new Pending(call, System.nanoTime()));
        } catch (Throwable t) {
            hooks.failed("spring-ai onStart", t);
        }
    }

    @Override
    public void onStop(ChatModelObservationContext context) {
        try {
            long end = System.nanoTime();
            Object state = context.get(key);
            if (state == RECORDED) {
                return; // registered twice: recorded by the first registration
            }
            context.put(key, RECORDED);
            LlmCall.Builder call;
            if (state instanceof Pending pending) {
                call = pending.call.durationMicros(Math.max(0, (end - pending.startNanos) / 1_000));
            } else {
                call = hooks.captureTraceIds(LlmCall.builder());
            }
            part("spring-ai onStop: span", () -> Extras.observationSpan(call, context));
            part("spring-ai onStop: request", () -> ChatObservations.request(call, context));
            if (context.getError() != null) {
                ChatObservations.error(call, context.getError());
            } else if (context.getResponse() != null) {
                call.status(CallField.STATUS_OK);
            } else {
                call.status(CallField.STATUS_INCOMPLETE);
            }
            part("spring-ai onStop: response", () -> ChatObservations.response(call, context.getResponse()));
            hooks.record(call);
        } catch (Throwable t) {
            hooks.failed("spring-ai onStop", t);
        }
    }

    /**
     * Maps one part of the call; a failure there is counted and the rest of the call is still recorded
     * (a prompt the handler cannot read loses its messages, not the response).
     */
    private void part(String where, Runnable mapping) {
        try {
            mapping.run();
        } catch (RuntimeException | LinkageError e) {
            hooks.failed(where, e);
        }
    }

    private record Pending(LlmCall.Builder call, long startNanos) {
    }
}
