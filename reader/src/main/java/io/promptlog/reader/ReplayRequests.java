package io.promptlog.reader;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.promptlog.writer.CallField;
import io.promptlog.writer.LlmCall;
import io.promptlog.writer.Message;

import java.util.Iterator;
import java.util.Map;

/**
 * Rebuilds the request body of a logged call, ready to resend: OpenAI Chat Completions JSON (system
 * prompt as the first message, then the history, the model and every logged parameter, {@code params}
 * merged in), or Anthropic Messages JSON when the call's provider is {@code anthropic}.
 */
public final class ReplayRequests {
    private ReplayRequests() {
    }

    /**
     * @throws PromptLogReaderException when the call's text was not retained (or was cut by the writer), so
     *                                  no exact request can be rebuilt
     */
    public static String forCall(StoredCall stored) {
        LlmCall call = stored.call();
        if (!stored.textRetained()) {
            throw new PromptLogReaderException("cannot replay call " + call.callId()
                    + ": its text was not retained (the compactor's retention policy kept only metadata for it: "
                    + "it was not an error, not flagged and not sampled). Compact with --retain all to keep the text of every call.");
        }
        if (call.truncated()) {
            throw new PromptLogReaderException("cannot replay call " + call.callId()
                    + " exactly: the writer cut its text to fit the record size limit (maxRecordBytes)");
        }
        ObjectNode body = isAnthropic(call) ? anthropic(call) : openAi(call);
        try {
            return CanonicalJson.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static boolean isAnthropic(LlmCall call) {
        String p = call.string(CallField.PROVIDER);
        return p != null && p.toLowerCase(java.util.Locale.ROOT).contains("anthropic");
    }

    /**
     * The OpenAI Chat Completions request body of a call, compact JSON, with {@code "stream": false} (for
     * sending it again).
     */
    public static String openAiToSend(LlmCall call) {
        return openAi(call).put("stream", false).toString();
    }

    /** OpenAI Chat Completions request body. */
    static ObjectNode openAi(LlmCall call) {
        ObjectNode o = CanonicalJson.mapper().createObjectNode();
        putIfSet(o, "model", call.requestModel());
        ArrayNode msgs = o.putArray("messages");
        if (call.systemPrompt() != null) {
            msgs.addObject().put("role", "system").put("content", call.systemPrompt());
        }
        for (Message m : call.messages()) {
            msgs.add(CanonicalJson.message(m));
        }
        putNumber(o, "temperature", call.float64(CallField.TEMPERATURE));
        putNumber(o, "top_p", call.float64(CallField.TOP_P));
        putLong(o, "top_k", call.int64(CallField.TOP_K));
        putLong(o, "max_tokens", call.int64(CallField.MAX_TOKENS));
        putNumber(o, "frequency_penalty", call.float64(CallField.FREQUENCY_PENALTY));
        putNumber(o, "presence_penalty", call.float64(CallField.PRESENCE_PENALTY));
        putLong(o, "seed", call.int64(CallField.SEED));
        if (call.get(CallField.STOP_SEQUENCES) != null) {
            ArrayNode s = o.putArray("stop");
            call.stopSequences().forEach(s::add);
        }
        if (call.bool(CallField.STREAM) != null) {
            o.put("stream", call.bool(CallField.STREAM));
        }
        putJson(o, "tools", call.string(CallField.TOOLS));
        mergeParams(o, call);
        return o;
    }

    /** Anthropic Messages request body. */
    static ObjectNode anthropic(LlmCall call) {
        ObjectNode o = CanonicalJson.mapper().createObjectNode();
        putIfSet(o, "model", call.requestModel());
        putLong(o, "max_tokens", call.int64(CallField.MAX_TOKENS));
        putIfSet(o, "system", call.systemPrompt());
        ArrayNode msgs = o.putArray("messages");
        for (Message m : call.messages()) {
            if ("tool".equals(m.role())) {
                ObjectNode tr = msgs.addObject().put("role", "user").putArray("content").addObject();
                tr.put("type", "tool_result");
                putIfSet(tr, "tool_use_id", m.toolCallId());
                putIfSet(tr, "content", m.content());
            } else {
                ObjectNode n = msgs.addObject().put("role", m.role());
                putIfSet(n, "content", m.content());
            }
        }
        putNumber(o, "temperature", call.float64(CallField.TEMPERATURE));
        putNumber(o, "top_p", call.float64(CallField.TOP_P));
        putLong(o, "top_k", call.int64(CallField.TOP_K));
        if (call.get(CallField.STOP_SEQUENCES) != null) {
            ArrayNode s = o.putArray("stop_sequences");
            call.stopSequences().forEach(s::add);
        }
        if (call.bool(CallField.STREAM) != null) {
            o.put("stream", call.bool(CallField.STREAM));
        }
        putJson(o, "tools", call.string(CallField.TOOLS));
        mergeParams(o, call);
        return o;
    }

    private static void mergeParams(ObjectNode o, LlmCall call) {
        String params = call.string(CallField.PARAMS);
        if (params == null || params.isBlank()) {
            return;
        }
        JsonNode p = parse(params, "params", call);
        if (!p.isObject()) {
            throw new PromptLogReaderException("call " + call.callId() + ": params is not a JSON object: " + abbreviate(params));
        }
        Iterator<Map.Entry<String, JsonNode>> it = p.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!o.has(e.getKey())) {
                o.set(e.getKey(), e.getValue());
            }
        }
    }

    private static void putJson(ObjectNode o, String key, String json) {
        if (json != null && !json.isBlank()) {
            o.set(key, parse(json, key, null));
        }
    }

    private static JsonNode parse(String json, String what, LlmCall call) {
        try {
            return CanonicalJson.mapper().readTree(json);
        } catch (JsonProcessingException e) {
            throw new PromptLogReaderException((call == null ? "" : "call " + call.callId() + ": ") + what
                    + " is not valid JSON (" + e.getOriginalMessage() + "): " + abbreviate(json));
        }
    }

    private static String abbreviate(String s) {
        return s.length() > 60 ? s.substring(0, 57) + "..." : s;
    }

    private static void putIfSet(ObjectNode o, String k, String v) {
        if (v != null) {
            o.put(k, v);
        }
    }

    private static void putNumber(ObjectNode o, String k, Double v) {
        if (v != null) {
            o.put(k, v);
        }
    }

    private static void putLong(ObjectNode o, String k, Long v) {
        if (v != null) {
            o.put(k, v);
        }
    }
}
