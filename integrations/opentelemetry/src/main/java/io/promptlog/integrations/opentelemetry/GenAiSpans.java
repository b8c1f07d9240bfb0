package io.promptlog.integrations.opentelemetry;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.promptlog.integrations.Json;
import io.promptlog.integrations.PromptLogHooks;
import io.promptlog.writer.CallField;
import io.promptlog.writer.LlmCall;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads one finished span's {@code gen_ai.*} attributes into a call record. Attribute names are the
 * OpenTelemetry GenAI semantic conventions' (as strings: the incubating constants keep moving), with the
 * older names and OpenLLMetry's indexed form as fallbacks; the content attributes are read by
 * {@link GenAiContent}.
 */
final class GenAiSpans {
    /** Spans around model calls, not model calls: recording them would count a call twice. */
    private static final Set<String> NOT_MODEL_CALLS = Set.of("invoke_agent", "create_agent", "execute_tool");
    private static final String[] GEN_AI_MARKERS = {
        "gen_ai.operation.name", "gen_ai.provider.name", "gen_ai.system", "gen_ai.request.model"};

    private GenAiSpans() {
    }

    /** The call recorded by a span, or null when the span is not a GenAI model call. */
    static LlmCall.Builder toCall(SpanData span, PromptLogHooks hooks) {
        Map<String, Object> a = map(span.getAttributes());
        if (!isModelCall(a)) {
            return null;
        }
        LlmCall.Builder call = LlmCall.builder();
        identity(call, span);
        String provider = first(a, "gen_ai.provider.name", "gen_ai.system");
        setString(call, CallField.PROVIDER, provider);
        setString(call, CallField.OPERATION, first(a, "gen_ai.operation.name", "llm.request.type"));
        request(call, a);
        response(call, a);
        usage(call, a);
        outcome(call, span, a);
        GenAiContent.read(call, a, provider != null && provider.toLowerCase(java.util.Locale.ROOT).contains("anthropic"), hooks);
        return call;
    }

    static boolean isModelCall(Map<String, Object> a) {
        Object op = a.get("gen_ai.operation.name");
        if (op instanceof String s && NOT_MODEL_CALLS.contains(s)) {
            return false;
        }
        for (String marker : GEN_AI_MARKERS) {
            if (a.get(marker) != null) {
                return true;
            }
        }
        return false;
    }

    private static void identity(LlmCall.Builder call, SpanData span) {
        SpanContext c = span.getSpanContext();
        if (c.isValid()) {
            call.traceId(c.getTraceId()).spanId(c.getSpanId());
        }
        SpanContext parent = span.getParentSpanContext();
        if (parent != null && parent.isValid()) {
            call.parentSpanId(parent.getSpanId());
        }
        call.startTimeMicros(span.getStartEpochNanos() / 1_000);
        if (span.hasEnded() && span.getEndEpochNanos() >= span.getStartEpochNanos()) {
            call.durationMicros((span.getEndEpochNanos() - span.getStartEpochNanos()) / 1_000);
        }
        Map<String, Object> resource = span.getResource() == null ? Map.of() : map(span.getResource().getAttributes());
        setString(call, CallField.SERVICE, first(resource, "service.name"));
        setString(call, CallField.ENVIRONMENT, first(resource, "deployment.environment.name", "deployment.environment"));
        setString(call, CallField.HOST, first(resource, "host.name"));
    }

    private static void request(LlmCall.Builder call, Map<String, Object> a) {
        setString(call, CallField.REQUEST_MODEL, first(a, "gen_ai.request.model"));
        setDouble(call, CallField.TEMPERATURE, a.get("gen_ai.request.temperature"));
        setDouble(call, CallField.TOP_P, a.get("gen_ai.request.top_p"));
        setLong(call, CallField.TOP_K, a.get("gen_ai.request.top_k"));
        setLong(call, CallField.MAX_TOKENS, a.get("gen_ai.request.max_tokens"));
        setDouble(call, CallField.FREQUENCY_PENALTY, a.get("gen_ai.request.frequency_penalty"));
        setDouble(call, CallField.PRESENCE_PENALTY, a.get("gen_ai.request.presence_penalty"));
        setLong(call, CallField.SEED, a.get("gen_ai.request.seed"));
        List<?> stops = list(a.get("gen_ai.request.stop_sequences"));
        if (stops != null && !stops.isEmpty()) {
            List<String> out = new ArrayList<>(stops.size());
            stops.forEach(s -> out.add(String.valueOf(s)));
            call.stopSequences(out);
        }
        Object stream = a.getOrDefault("gen_ai.request.stream", a.get("llm.is_streaming"));
        if (stream instanceof Boolean b) {
            call.stream(b);
        } else if ("true".equals(stream) || "false".equals(stream)) {
            call.stream(Boolean.parseBoolean((String) stream));
        }
        setString(call, CallField.SESSION_ID, first(a, "gen_ai.conversation.id"));
        setString(call, CallField.USER_ID, first(a, "user.id", "enduser.id"));
        Map<String, Object> params = new LinkedHashMap<>();
        putIfSet(params, "output_type", a.get("gen_ai.output.type"));
        putIfSet(params, "choice_count", a.get("gen_ai.request.choice.count"));
        putIfSet(params, "reasoning_level", a.get("gen_ai.request.reasoning.level"));
        putIfSet(params, "encoding_formats", a.get("gen_ai.request.encoding_formats"));
        if (!params.isEmpty()) {
            call.params(Json.write(params));
        }
    }

    private static void response(LlmCall.Builder call, Map<String, Object> a) {
        setString(call, CallField.RESPONSE_ID, first(a, "gen_ai.response.id"));
        setString(call, CallField.RESPONSE_MODEL, first(a, "gen_ai.response.model"));
        List<?> reasons = list(a.get("gen_ai.response.finish_reasons"));
        if (reasons != null && !reasons.isEmpty()) {
            call.finishReason(join(reasons));
        } else {
            setString(call, CallField.FINISH_REASON, first(a, "anthropic.message.stop_reason"));
        }
        setString(call, CallField.PROVIDER_REQUEST_ID, first(a, "anthropic.request.id", "openai.request.id"));
        Object ttft = a.get("gen_ai.response.time_to_first_chunk");
        if (ttft instanceof Number seconds) {
            call.ttftMicros(Math.round(seconds.doubleValue() * 1e6));
        }
    }

    private static void usage(LlmCall.Builder call, Map<String, Object> a) {
        setLong(call, CallField.INPUT_TOKENS, firstValue(a, "gen_ai.usage.input_tokens", "gen_ai.usage.prompt_tokens"));
        setLong(call, CallField.OUTPUT_TOKENS, firstValue(a, "gen_ai.usage.output_tokens", "gen_ai.usage.completion_tokens"));
        setLong(call, CallField.CACHED_INPUT_TOKENS, firstValue(a, "gen_ai.usage.cache_read.input_tokens",
                "gen_ai.usage.cache_read_input_tokens", "gen_ai.usage.input_tokens.cached"));
        setLong(call, CallField.REASONING_TOKENS, firstValue(a, "gen_ai.usage.reasoning.output_tokens",
                "gen_ai.usage.output_tokens.reasoning", "gen_ai.usage.reasoning_tokens"));
    }

    private static void outcome(LlmCall.Builder call, SpanData span, Map<String, Object> a) {
        setLong(call, CallField.HTTP_STATUS, a.get("http.response.status_code"));
        String errorType = first(a, "error.type");
        boolean error = span.getStatus().getStatusCode() == StatusCode.ERROR || errorType != null;
        if (!error) {
            call.status(CallField.STATUS_OK);
            return;
        }
        String message = span.getStatus().getDescription();
        for (EventData e : span.getEvents()) {
            if ("exception".equals(e.getName())) {
                Map<String, Object> ea = map(e.getAttributes());
                if (errorType == null) {
                    errorType = first(ea, "exception.type");
                }
                if (message == null || message.isEmpty()) {
                    message = first(ea, "exception.message");
                }
                break;
            }
        }
        call.status(CallField.STATUS_ERROR);
        setString(call, CallField.ERROR_TYPE, errorType == null ? "error" : errorType);
        if (message != null && !message.isEmpty()) {
            call.errorMessage(message);
        }
    }

    // ---- attribute helpers ---------------------------------------------------------------------------

    static Map<String, Object> map(Attributes attributes) {
        Map<String, Object> m = new HashMap<>();
        if (attributes != null) {
            attributes.forEach((k, v) -> m.put(k.getKey(), v));
        }
        return m;
    }

    static String first(Map<String, Object> a, String... keys) {
        for (String k : keys) {
            Object v = a.get(k);
            if (v instanceof String s && !s.isEmpty()) {
                return s;
            }
        }
        return null;
    }

    static Object firstValue(Map<String, Object> a, String... keys) {
        for (String k : keys) {
            Object v = a.get(k);
            if (v != null) {
                return v;
            }
        }
        return null;
    }

    static void setString(LlmCall.Builder call, CallField f, String v) {
        if (v != null) {
            call.set(f, v);
        }
    }

    static void setLong(LlmCall.Builder call, CallField f, Object v) {
        if (v instanceof Long || v instanceof Integer) {
            call.set(f, ((Number) v).longValue());
        } else if (v instanceof Double d && d == Math.rint(d) && !d.isInfinite()) {
            call.set(f, d.longValue());
        } else if (v instanceof String s) {
            try {
                call.set(f, Long.parseLong(s.trim()));
            } catch (NumberFormatException notALong) {
                try {
                    double d = Double.parseDouble(s.trim());
                    if (d == Math.rint(d) && !Double.isInfinite(d)) {
                        call.set(f, (long) d);
                    }
                } catch (NumberFormatException ignored) {
                    // not a number: leave the field empty rather than wrong
                }
            }
        }
    }

    private static void setDouble(LlmCall.Builder call, CallField f, Object v) {
        if (v instanceof Number n) {
            call.set(f, n.doubleValue());
        } else if (v instanceof String s) {
            try {
                call.set(f, Double.parseDouble(s.trim()));
            } catch (NumberFormatException ignored) {
                // not a number: leave the field empty rather than wrong
            }
        }
    }

    /**
     * An array attribute, or a string holding a JSON array (Micrometer's bridge, e.g. Spring AI's spans,
     * turns every value into a string: {@code ["END", "STOP"]}); null otherwise.
     */
    static List<?> list(Object v) {
        if (v instanceof List<?> l) {
            return l;
        }
        if (v instanceof String s && s.stripLeading().startsWith("[")) {
            return Json.arr(Json.tryParse(s));
        }
        return null;
    }

    private static void putIfSet(Map<String, Object> m, String k, Object v) {
        if (v != null) {
            m.put(k, v);
        }
    }

    private static String join(List<?> values) {
        StringBuilder sb = new StringBuilder();
        for (Object v : values) {
            if (sb.length() > 0) {
                sb.append(',');
            }
            sb.append(v);
        }
        return sb.toString();
    }
}
