package io.promptlog.integrations;

import io.promptlog.writer.CallField;
import io.promptlog.writer.LlmCall;
import io.promptlog.writer.Message;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.promptlog.integrations.Json.arr;
import static io.promptlog.integrations.Json.obj;
import static io.promptlog.integrations.Json.str;

/**
 * One provider API's JSON shapes: what a request body, a response body, a stream of server-sent events
 * and an error body put in a record. Implementations are stateless; a {@link Stream} holds one
 * response stream's state.
 */
abstract class Protocol {
    private final String provider;
    private final String requestIdHeader;

    Protocol(String provider, String requestIdHeader) {
        this.provider = provider;
        this.requestIdHeader = requestIdHeader;
    }

    /** The {@code provider} value (OpenTelemetry {@code gen_ai.provider.name}). */
    final String provider() {
        return provider;
    }

    /** The response header carrying the provider's request id. */
    final String requestIdHeader() {
        return requestIdHeader;
    }

    /** Fills the request's fields; {@code body} is the parsed request JSON object. */
    abstract void request(Map<String, Object> body, LlmCall.Builder b);

    /** Fills the response's fields from a complete (non-streaming) successful response body. */
    abstract void response(Map<String, Object> body, LlmCall.Builder b);

    abstract Stream stream();

    /** The state of one streamed response, fed one server-sent event at a time. */
    abstract static class Stream {
        /** Takes one event ({@code event:} name, may be null; {@code data:} text). */
        abstract void event(String name, String data);

        /** True once the event that ends a complete response was seen. */
        abstract boolean terminal();

        /** Writes what the events said into the record. */
        abstract void fill(LlmCall.Builder b);
    }

    /** Error type and message of an error body (both providers' shapes), or null when it has none. */
    static String[] error(Map<String, Object> body) {
        Map<String, Object> e = obj(body, "error");
        if (e == null) {
            return null;
        }
        String type = str(e, "type");
        if (type == null) {
            Object code = e.get("code");
            type = code == null ? null : String.valueOf(code);
        }
        return new String[] {type, str(e, "message")};
    }

    // ---- shared helpers ----------------------------------------------------------------------------

    /** Starts reading a chat request: operation "chat" and the model; the rest stays in the returned params. */
    static Params chatRequest(Map<String, Object> body, LlmCall.Builder b) {
        Params p = new Params(body);
        b.operation("chat");
        String model = p.takeStr("model");
        if (model != null) {
            b.requestModel(model);
        }
        return p;
    }

    /** {@code id} and {@code model} of a response object (all three APIs name them so). */
    static void responseIds(Map<String, Object> response, LlmCall.Builder b) {
        String id = str(response, "id");
        if (id != null) {
            b.responseId(id);
        }
        String model = str(response, "model");
        if (model != null) {
            b.responseModel(model);
        }
    }

    /** Sets the token counts that are present (null: absent). */
    static void tokens(LlmCall.Builder b, Long input, Long output, Long cachedInput, Long reasoning) {
        if (input != null) {
            b.inputTokens(input);
        }
        if (output != null) {
            b.outputTokens(output);
        }
        if (cachedInput != null) {
            b.cachedInputTokens(cachedInput);
        }
        if (reasoning != null) {
            b.reasoningTokens(reasoning);
        }
    }

    /** Marks the call failed with an error {type, message} reported inside a body or a stream. */
    static void failedWith(String[] error, String defaultType, LlmCall.Builder b) {
        if (error == null) {
            return;
        }
        b.status(CallField.STATUS_ERROR).errorType(error[0] == null ? defaultType : error[0]);
        if (error[1] != null) {
            b.errorMessage(error[1]);
        }
    }

    /** The request's keys not taken by a named field, as the {@code params} JSON object (or nothing). */
    static final class Params {
        private final Map<String, Object> rest;

        Params(Map<String, Object> body) {
            this.rest = new LinkedHashMap<>(body);
        }

        Object take(String key) {
            return rest.remove(key);
        }

        Map<String, Object> takeObj(String key) {
            return obj(rest.remove(key));
        }

        String takeStr(String key) {
            Object v = rest.remove(key);
            return v instanceof String s ? s : null;
        }

        void takeDouble(String key, CallField f, LlmCall.Builder b) {
            Object v = rest.get(key);
            if (v instanceof Number n) {
                rest.remove(key);
                b.set(f, n.doubleValue());
            }
        }

        void takeLong(String key, CallField f, LlmCall.Builder b) {
            Object v = rest.get(key);
            if (v instanceof Long n) {
                rest.remove(key);
                b.set(f, n);
            }
        }

        void takeStops(String key, LlmCall.Builder b) {
            Object v = rest.get(key);
            if (v instanceof String s) {
                rest.remove(key);
                b.stopSequences(List.of(s));
            } else if (v instanceof List<?> l && l.stream().allMatch(x -> x instanceof String)) {
                rest.remove(key);
                List<String> out = new ArrayList<>();
                l.forEach(x -> out.add((String) x));
                b.stopSequences(out);
            }
        }

        void takeJson(String key, CallField f, LlmCall.Builder b) {
            Object v = rest.remove(key);
            if (v != null) {
                b.set(f, Json.write(v));
            }
        }

        void finish(LlmCall.Builder b) {
            if (!rest.isEmpty()) {
                b.params(Json.write(rest));
            }
        }
    }

    /**
     * A message's content as text: a string as is; a list holding one text part, that part's text;
     * anything else (several parts, images, tool blocks) as its JSON, so nothing is lost.
     */
    static String contentText(Object content) {
        if (content == null || content instanceof String) {
            return (String) content;
        }
        List<Object> parts = arr(content);
        if (parts != null && parts.size() == 1) {
            Map<String, Object> part = obj(parts.get(0));
            String type = str(part, "type");
            String text = str(part, "text");
            if (text != null && type != null && type.endsWith("text") && part.size() <= 2) {
                return text;
            }
        }
        return Json.write(content);
    }

    /** Appends the messages, in order. */
    static void messages(List<Message> messages, LlmCall.Builder b) {
        if (!messages.isEmpty()) {
            b.messages(messages);
        }
    }

    static void joinSystem(StringBuilder system, String text) {
        if (text != null) {
            if (system.length() > 0) {
                system.append("\n\n");
            }
            system.append(text);
        }
    }
}
