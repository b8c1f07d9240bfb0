package io.promptlog.integrations.opentelemetry;

import io.promptlog.integrations.Json;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Tool definitions and tool calls in the shapes promptlog stores: the provider's own request JSON for
 * tools ({@code {"type":"function","function":{...}}}, or {@code {"name","description","input_schema"}}
 * for Anthropic), so that a logged call replays; OpenAI's {@code tool_calls} entries for tool calls.
 */
final class ToolShapes {
    private ToolShapes() {
    }

    /**
     * Reshapes the conventions' flat definitions ({@code {"type":"function","name":..,"parameters":..}});
     * definitions in any other shape are kept as they are.
     */
    static List<Object> forProvider(List<?> definitions, boolean anthropic) {
        List<Object> out = new ArrayList<>(definitions.size());
        for (Object d : definitions) {
            Map<String, Object> m = Json.obj(d);
            if (m == null || Json.str(m, "name") == null || m.containsKey("function") || m.containsKey("input_schema")) {
                out.add(d);
                continue;
            }
            out.add(definition(Json.str(m, "name"), Json.str(m, "description"), m.get("parameters"), anthropic));
        }
        return out;
    }

    static Map<String, Object> definition(String name, String description, Object parameters, boolean anthropic) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("name", name);
        if (description != null) {
            f.put("description", description);
        }
        if (anthropic) {
            f.put("input_schema", parameters == null ? Map.of("type", "object") : parameters);
            return f;
        }
        if (parameters != null) {
            f.put("parameters", parameters);
        }
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("type", "function");
        t.put("function", f);
        return t;
    }

    /** {@code {"id":..,"type":"function","function":{"name":..,"arguments":"<JSON text>"}}}. */
    static Map<String, Object> openAiToolCall(String id, String name, Object arguments) {
        Map<String, Object> f = new LinkedHashMap<>();
        if (name != null) {
            f.put("name", name);
        }
        if (arguments != null) {
            f.put("arguments", arguments instanceof String s ? s : Json.write(arguments));
        }
        Map<String, Object> c = new LinkedHashMap<>();
        if (id != null) {
            c.put("id", id);
        }
        c.put("type", "function");
        c.put("function", f);
        return c;
    }
}
