package io.promptlog.integrations.opentelemetry;

import io.promptlog.integrations.Json;
import io.promptlog.writer.LlmCall;
import io.promptlog.writer.Message;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * OpenLLMetry's indexed content attributes, read when a span has no {@code gen_ai.input.messages}:
 * {@code gen_ai.prompt.N.role/content/tool_call_id}, {@code gen_ai.completion.N.content/finish_reason/
 * tool_calls.M.id/name/arguments} and {@code llm.request.functions.N.name/description/parameters}.
 */
final class OpenLlmetry {
    /** Indexes are read from 0 up to the first gap, and never past this many. */
    private static final int MAX_INDEX = 10_000;

    private OpenLlmetry() {
    }

    static void prompts(LlmCall.Builder call, Map<String, Object> a, List<Message> out, boolean systemSeen) {
        for (int i = 0; i < MAX_INDEX; i++) {
            String p = "gen_ai.prompt." + i + ".";
            String role = GenAiSpans.first(a, p + "role");
            Object content = a.get(p + "content");
            if (role == null && content == null) {
                return;
            }
            String text = content == null ? null : String.valueOf(content);
            if ("system".equals(role) && !systemSeen) {
                call.systemPrompt(text);
                systemSeen = true;
            } else {
                out.add(new Message(role == null ? "" : role, text, null, GenAiSpans.first(a, p + "tool_call_id")));
            }
        }
    }

    static void completions(LlmCall.Builder call, Map<String, Object> a) {
        String p = "gen_ai.completion.0.";
        Object content = a.get(p + "content");
        if (content != null) {
            call.response(String.valueOf(content));
        }
        String finish = GenAiSpans.first(a, p + "finish_reason");
        if (finish != null && call.get(io.promptlog.writer.CallField.FINISH_REASON) == null) {
            call.finishReason(finish);
        }
        List<Object> toolCalls = new ArrayList<>();
        for (int j = 0; j < MAX_INDEX; j++) {
            String t = p + "tool_calls." + j + ".";
            String name = GenAiSpans.first(a, t + "name");
            String id = GenAiSpans.first(a, t + "id");
            if (name == null && id == null) {
                break;
            }
            toolCalls.add(ToolShapes.openAiToolCall(id, name, a.get(t + "arguments")));
        }
        if (!toolCalls.isEmpty()) {
            call.responseToolCalls(Json.write(toolCalls));
        }
    }

    static void functions(LlmCall.Builder call, Map<String, Object> a, boolean anthropic) {
        List<Object> tools = new ArrayList<>();
        for (int i = 0; i < MAX_INDEX; i++) {
            String p = "llm.request.functions." + i + ".";
            String name = GenAiSpans.first(a, p + "name");
            if (name == null) {
                break;
            }
            Object parameters = a.get(p + "parameters");
            if (parameters instanceof String s) {
                Object parsed = Json.tryParse(s);
                parameters = parsed != null ? parsed : s;
            }
            tools.add(ToolShapes.definition(name, GenAiSpans.first(a, p + "description"), parameters, anthropic));
        }
        if (!tools.isEmpty()) {
            call.tools(Json.write(tools));
        }
    }
}
