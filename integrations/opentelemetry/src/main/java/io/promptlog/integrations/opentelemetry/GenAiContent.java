package io.promptlog.integrations.opentelemetry;

import io.promptlog.integrations.Json;
import io.promptlog.integrations.PromptLogHooks;
import io.promptlog.writer.CallField;
import io.promptlog.writer.LlmCall;
import io.promptlog.writer.Message;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A GenAI span's content attributes, as the semantic conventions shape them
 * ({@code gen_ai.system_instructions}, {@code gen_ai.input.messages}, {@code gen_ai.output.messages}:
 * {@code [{"role":..,"parts":[{"type":"text","content":..}, {"type":"tool_call",..}, ..]}]};
 * {@code gen_ai.tool.definitions}), or OpenLLMetry's indexed form when those are absent. A message whose
 * parts are one text is stored as that text, any other as the JSON array of its parts.
 */
final class GenAiContent {
    private GenAiContent() {
    }

    /** Sets system prompt, messages, response, tool calls and tools from the span's content attributes. */
    static void read(LlmCall.Builder call, Map<String, Object> a, boolean anthropic, PromptLogHooks hooks) {
        Object[] system = {null};
        guarded(call, a, "gen_ai.system_instructions", hooks, () -> {
            system[0] = parsedOrText(a.get("gen_ai.system_instructions"));
            if (system[0] != null) {
                call.systemPrompt(system[0] instanceof List<?> parts ? partsContent(parts) : String.valueOf(system[0]));
            }
        });
        List<Message> messages = new ArrayList<>();
        guarded(call, a, "gen_ai.input.messages", hooks, () -> {
            if (a.get("gen_ai.input.messages") instanceof String in) {
                inputMessages(call, array(in, "gen_ai.input.messages"), messages, system[0] != null);
            } else {
                OpenLlmetry.prompts(call, a, messages, system[0] != null);
            }
        });
        if (!messages.isEmpty()) {
            call.messages(messages);
        }
        guarded(call, a, "gen_ai.output.messages", hooks, () -> {
            if (a.get("gen_ai.output.messages") instanceof String out) {
                outputMessages(call, array(out, "gen_ai.output.messages"));
            } else {
                OpenLlmetry.completions(call, a);
            }
        });
        guarded(call, a, "gen_ai.tool.definitions", hooks, () -> {
            if (a.get("gen_ai.tool.definitions") instanceof String tools) {
                Object parsed = Json.parse(tools);
                call.tools(Json.write(parsed instanceof List<?> l ? ToolShapes.forProvider(l, anthropic) : parsed));
            } else {
                OpenLlmetry.functions(call, a, anthropic);
            }
            List<?> names = GenAiSpans.list(a.get("spring.ai.model.request.tool.names"));
            if (call.get(CallField.TOOLS) == null && names != null && !names.isEmpty()) {
                List<Object> tools = new ArrayList<>(names.size());
                names.forEach(n -> tools.add(ToolShapes.definition(String.valueOf(n), null, null, anthropic)));
                call.tools(Json.write(tools));
            }
        });
    }

    /**
     * Runs one content step; when the attribute is not what the conventions say (not JSON, not an array),
     * counts the failure and keeps the attribute's text as a record attribute of the same name, so the
     * call is still recorded and nothing is lost.
     */
    private static void guarded(LlmCall.Builder call, Map<String, Object> a, String key, PromptLogHooks hooks,
                                Runnable step) {
        try {
            step.run();
        } catch (RuntimeException e) {
            hooks.failed("opentelemetry " + key, e);
            Object raw = a.get(key);
            if (raw != null) {
                call.attribute(key, String.valueOf(raw));
            }
        }
    }

    private static void inputMessages(LlmCall.Builder call, List<Object> in, List<Message> out, boolean systemSeen) {
        for (Object o : in) {
            Map<String, Object> m = Json.obj(o);
            if (m == null) {
                continue;
            }
            String role = Json.str(m, "role");
            List<Object> parts = Json.arr(m, "parts");
            String name = Json.str(m, "name");
            if (parts != null && parts.size() == 1 && "tool_call_response".equals(Json.str(Json.obj(parts.get(0)), "type"))) {
                Map<String, Object> p = Json.obj(parts.get(0));
                Object response = p.get("response");
                out.add(new Message(role == null ? "tool" : role,
                        response == null || response instanceof String ? (String) response : Json.write(response),
                        name, Json.str(p, "id")));
                continue;
            }
            String content = parts == null ? Json.str(m, "content") : partsContent(parts);
            if ("system".equals(role) && !systemSeen) {
                call.systemPrompt(content);
                systemSeen = true;
            } else {
                out.add(new Message(role == null ? "" : role, content, name, null));
            }
        }
    }

    private static void outputMessages(LlmCall.Builder call, List<Object> out) {
        if (out.isEmpty()) {
            return;
        }
        Map<String, Object> first = Json.obj(out.get(0));
        List<Object> parts = Json.arr(first, "parts");
        StringBuilder text = null;
        List<Object> toolCalls = new ArrayList<>();
        if (parts != null) {
            for (Object o : parts) {
                Map<String, Object> p = Json.obj(o);
                String type = Json.str(p, "type");
                if ("text".equals(type) && Json.str(p, "content") != null) {
                    text = text == null ? new StringBuilder() : text;
                    text.append(Json.str(p, "content"));
                } else if ("tool_call".equals(type)) {
                    toolCalls.add(ToolShapes.openAiToolCall(Json.str(p, "id"), Json.str(p, "name"), p.get("arguments")));
                }
            }
        }
        if (text != null) {
            call.response(text.toString());
        }
        if (!toolCalls.isEmpty()) {
            call.responseToolCalls(Json.write(toolCalls));
        }
        if (call.get(CallField.FINISH_REASON) == null && Json.str(first, "finish_reason") != null) {
            call.finishReason(Json.str(first, "finish_reason"));
        }
    }

    private static List<Object> array(String json, String key) {
        List<Object> a = Json.arr(Json.parse(json));
        if (a == null) {
            throw new IllegalArgumentException(key + " is not a JSON array");
        }
        return a;
    }

    /** One text part: its text; anything else: the JSON array of the parts. */
    static String partsContent(List<?> parts) {
        if (parts.size() == 1 && Json.obj(parts.get(0)) != null
                && "text".equals(Json.str(Json.obj(parts.get(0)), "type"))
                && Json.str(Json.obj(parts.get(0)), "content") != null) {
            return Json.str(Json.obj(parts.get(0)), "content");
        }
        return Json.write(parts);
    }

    /** A JSON array or object parsed; other text (a plain system prompt) as it is; null stays null. */
    private static Object parsedOrText(Object v) {
        if (!(v instanceof String s)) {
            return v == null ? null : String.valueOf(v);
        }
        String t = s.stripLeading();
        if (t.startsWith("[") || t.startsWith("{")) {
            Object parsed = Json.tryParse(s);
            if (parsed != null) {
                return parsed;
            }
        }
        return s;
    }
}
