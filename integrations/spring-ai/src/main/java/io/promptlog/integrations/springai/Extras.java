package io.promptlog.integrations.springai;

import io.promptlog.writer.LlmCall;
import org.springframework.ai.chat.prompt.ChatOptions;
import org.springframework.ai.openai.OpenAiChatOptions;
import org.springframework.ai.openai.api.OpenAiApi;
import org.springframework.web.client.RestClientResponseException;
import org.springframework.web.reactive.function.client.WebClientResponseException;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What only optional libraries carry: OpenAI's request options and usage details (spring-ai-openai), and
 * the HTTP status of Spring's client exceptions (spring-web, spring-webflux). Each nested class touches
 * its library only after a check that the library is on the class path.
 */
final class Extras {
    private static final boolean OPENAI = present("org.springframework.ai.openai.OpenAiChatOptions");
    private static final boolean REST_CLIENT = present("org.springframework.web.client.RestClientResponseException");
    private static final boolean WEB_CLIENT = present("org.springframework.web.reactive.function.client.WebClientResponseException");
    private static final boolean TRACING = present("io.micrometer.tracing.handler.TracingObservationHandler");
    /** Spring AI's retry error handler throws {@code "<status> - <body>"} for every HTTP error. */
    private static final Pattern SPRING_AI_HTTP_ERROR = Pattern.compile("^(\\d{3}) - ");

    private Extras() {
    }

    static void requestOptions(LlmCall.Builder call, ChatOptions options, Map<String, Object> params) {
        if (OPENAI) {
            OpenAi.requestOptions(call, options, params);
        }
    }

    static void nativeUsage(LlmCall.Builder call, Object nativeUsage) {
        if (OPENAI) {
            OpenAi.usage(call, nativeUsage);
        }
    }

    /**
     * Sets trace_id, span_id and parent_span_id from the span Micrometer Tracing made for this observation,
     * when there is one (more precise than the span current when the call started, its parent).
     */
    static void observationSpan(LlmCall.Builder call, io.micrometer.observation.Observation.Context context) {
        if (TRACING) {
            Tracing.span(call, context);
        }
    }

    /** The HTTP status behind an error, from the first cause that has one; null when none does. */
    static Integer httpStatus(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (REST_CLIENT) {
                Integer s = RestClient.status(t);
                if (s != null) {
                    return s;
                }
            }
            if (WEB_CLIENT) {
                Integer s = WebClient.status(t);
                if (s != null) {
                    return s;
                }
            }
            if (t.getClass().getName().startsWith("org.springframework.ai.retry.") && t.getMessage() != null) {
                Matcher m = SPRING_AI_HTTP_ERROR.matcher(t.getMessage());
                if (m.find()) {
                    return Integer.parseInt(m.group(1));
                }
            }
        }
        return null;
    }

    private static boolean present(String className) {
        try {
            Class.forName(className, false, Extras.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    private static final class OpenAi {
        static void requestOptions(LlmCall.Builder call, ChatOptions options, Map<String, Object> params) {
            if (!(options instanceof OpenAiChatOptions o)) {
                return;
            }
            if (o.getSeed() != null) {
                call.seed(o.getSeed());
            }
            ChatObservations.putIfSet(params, "max_completion_tokens", o.getMaxCompletionTokens());
            ChatObservations.putIfSet(params, "n", o.getN());
            ChatObservations.putIfSet(params, "user", o.getUser());
            ChatObservations.putIfSet(params, "parallel_tool_calls", o.getParallelToolCalls());
            ChatObservations.putIfSet(params, "reasoning_effort", o.getReasoningEffort());
            if (o.getResponseFormat() != null && o.getResponseFormat().getType() != null) {
                params.put("response_format", o.getResponseFormat().getType().name().toLowerCase(java.util.Locale.ROOT));
            }
            if (o.getToolChoice() instanceof String choice) {
                params.put("tool_choice", choice);
            }
        }

        static void usage(LlmCall.Builder call, Object nativeUsage) {
            if (!(nativeUsage instanceof OpenAiApi.Usage u)) {
                return;
            }
            if (u.promptTokensDetails() != null && u.promptTokensDetails().cachedTokens() != null) {
                call.cachedInputTokens(u.promptTokensDetails().cachedTokens());
            }
            if (u.completionTokenDetails() != null && u.completionTokenDetails().reasoningTokens() != null) {
                call.reasoningTokens(u.completionTokenDetails().reasoningTokens());
            }
        }
    }

    private static final class Tracing {
        static void span(LlmCall.Builder call, io.micrometer.observation.Observation.Context context) {
            io.micrometer.tracing.handler.TracingObservationHandler.TracingContext tracing =
                    context.get(io.micrometer.tracing.handler.TracingObservationHandler.TracingContext.class);
            io.micrometer.tracing.Span span = tracing == null ? null : tracing.getSpan();
            io.micrometer.tracing.TraceContext ids = span == null || span.isNoop() ? null : span.context();
            if (ids == null || ids.traceId() == null || ids.spanId() == null) {
                return;
            }
            call.traceId(ids.traceId()).spanId(ids.spanId());
            if (ids.parentId() != null) {
                call.parentSpanId(ids.parentId());
            }
        }
    }

    private static final class RestClient {
        static Integer status(Throwable t) {
            return t instanceof RestClientResponseException e ? e.getStatusCode().value() : null;
        }
    }

    private static final class WebClient {
        static Integer status(Throwable t) {
            return t instanceof WebClientResponseException e ? e.getStatusCode().value() : null;
        }
    }
}
