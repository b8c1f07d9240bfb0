package io.promptlog.integrations.langchain4j;

import dev.langchain4j.model.chat.listener.ChatModelErrorContext;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.listener.ChatModelRequestContext;
import dev.langchain4j.model.chat.listener.ChatModelResponseContext;
import io.promptlog.integrations.PromptLogHooks;
import io.promptlog.writer.CallField;
import io.promptlog.writer.LlmCall;
import io.promptlog.writer.PromptLog;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * Logs every call of a LangChain4j chat model: register it on any {@code ChatModel} or
 * {@code StreamingChatModel} (OpenAI, Anthropic, Gemini, Ollama, ...) through the builder's
 * {@code listeners(...)}.
 *
 * <pre>{@code
 * ChatModel model = OpenAiChatModel.builder()
 *         .apiKey(System.getenv("OPENAI_API_KEY"))
 *         .modelName("gpt-4o-mini")
 *         .listeners(List.of(PromptLogChatModelListener.of(log)))
 *         .build();
 * }</pre>
 *
 * <p>One record per logical call: LangChain4j calls {@code onRequest} before the request and then either
 * {@code onResponse} (for a stream: once, with the aggregated response) or {@code onError}, with one
 * attributes map shared by the three; the listener keeps its start time and the trace ids of the span
 * current at {@code onRequest} in that map. Retries inside the model are one call; a listener registered
 * twice on a model still records once.
 *
 * <p>Filled from what the listener sees: system prompt (the first system message; later ones stay in
 * {@code messages}), messages, tools (as JSON), model and parameters, response, tool calls, finish
 * reason, token usage, response id and model, latency, error type and message, HTTP status (from the
 * {@code HttpException} cause), trace and span id, cost. With OpenAI models also cached and reasoning
 * tokens, seed, the {@code x-request-id} header and the HTTP status of a success. Not visible to a
 * LangChain4j listener: time to first token (partial responses go to the app's handler only) and whether
 * the call streamed.
 *
 * <p>Never changes the call: every callback catches what goes wrong inside it and counts it in
 * {@link PromptLogHooks#stats()}; LangChain4j would also catch it, but would log a warning each time.
 * A part of the call that cannot be read (the request, the response) is left out and counted; the rest
 * is still recorded.
 */
public final class PromptLogChatModelListener implements ChatModelListener {
    private final PromptLogHooks hooks;
    /** This listener's state in an attributes map once its call is recorded. */
    private static final Object RECORDED = new Object();
    /** This listener's key in the attributes map (one per listener, so two listeners never clash). */
    private final Object key = new Object();

    private PromptLogChatModelListener(PromptLogHooks hooks) {
        this.hooks = Objects.requireNonNull(hooks, "hooks");
    }

    /** A listener writing to {@code log}, with the default price table and OpenTelemetry trace ids. */
    public static PromptLogChatModelListener of(PromptLog log) {
        return new PromptLogChatModelListener(PromptLogHooks.of(log));
    }

    /** A listener sharing {@code hooks} (their price table, trace id setting and failure counters). */
    public static PromptLogChatModelListener of(PromptLogHooks hooks) {
        return new PromptLogChatModelListener(hooks);
    }

    public PromptLogHooks hooks() {
        return hooks;
    }

    @Override
    public void onRequest(ChatModelRequestContext context) {
        try {
            LlmCall.Builder call = LlmCall.builder();
            hooks.captureTraceIds(call);
            call.startTimeMicros(epochMicros(Instant.now()));
            // a listener registered twice on a model: the first registration's Pending stays, one record
            attributes(context.attributes()).putIfAbsent(key, new Pending(call, System.nanoTime()));
        } catch (Throwable t) {
            hooks.failed("langchain4j onRequest", t);
        }
    }

    @Override
    public void onResponse(ChatModelResponseContext context) {
        try {
            long end = System.nanoTime();
            LlmCall.Builder call = start(context.attributes(), end);
            if (call == null) {
                return;
            }
            part("langchain4j onResponse: request", () -> ChatCalls.request(call, context.chatRequest(), context.modelProvider()));
            part("langchain4j onResponse: response", () -> ChatCalls.response(call, context.chatResponse()));
            call.status(CallField.STATUS_OK);
            hooks.record(call);
        } catch (Throwable t) {
            hooks.failed("langchain4j onResponse", t);
        }
    }

    @Override
    public void onError(ChatModelErrorContext context) {
        try {
            long end = System.nanoTime();
            LlmCall.Builder call = start(context.attributes(), end);
            if (call == null) {
                return;
            }
            part("langchain4j onError: request", () -> ChatCalls.request(call, context.chatRequest(), context.modelProvider()));
            ChatCalls.error(call, context.error());
            hooks.record(call);
        } catch (Throwable t) {
            hooks.failed("langchain4j onError", t);
        }
    }

    /**
     * Maps one part of the call; a failure there is counted and the rest of the call is still recorded
     * (a request the listener cannot read loses its messages, not the response).
     */
    private void part(String where, Runnable mapping) {
        try {
            mapping.run();
        } catch (RuntimeException | LinkageError e) {
            hooks.failed(where, e);
        }
    }

    /**
     * The call begun in onRequest with its duration set; a fresh one when onRequest did not run; null when
     * this call is already recorded (the listener is registered twice on the model).
     */
    private LlmCall.Builder start(Map<Object, Object> attributes, long endNanos) {
        Object p = attributes(attributes).put(key, RECORDED);
        if (p == RECORDED) {
            return null;
        }
        if (p instanceof Pending pending) {
            return pending.call.durationMicros(Math.max(0, (endNanos - pending.startNanos) / 1_000));
        }
        return hooks.captureTraceIds(LlmCall.builder());
    }

    private static Map<Object, Object> attributes(Map<Object, Object> attributes) {
        return Objects.requireNonNull(attributes, "listener attributes");
    }

    static long epochMicros(Instant t) {
        return t.getEpochSecond() * 1_000_000 + t.getNano() / 1_000;
    }

    private record Pending(LlmCall.Builder call, long startNanos) {
    }
}
