package io.promptlog.integrations.springai;

import io.promptlog.integrations.Json;
import io.promptlog.writer.CallField;
import io.promptlog.writer.LlmCall;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.messages.MessageType;
import org.springframework.ai.chat.messages.ToolResponseMessage;
import org.springframework.ai.chat.messages.UserMessage;
import org.springframework.ai.chat.metadata.ChatResponseMetadata;
import org.springframework.ai.chat.metadata.Usage;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.model.Generation;
import org.springframework.ai.chat.observation.ChatModelObservationContext;
import org.springframework.ai.chat.prompt.ChatOptions;
import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.ai.content.Media;
import org.springframework.ai.model.tool.ToolCallingChatOptions;
import org.springframework.ai.tool.ToolCallback;
import org.springframework.ai.tool.definition.ToolDefinition;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Maps a Spring AI chat observation onto a call record, with the conventions the framework hooks share:
 * a message whose content is one text is stored as that text, any other (media, an assistant turn with
 * tool calls) as the JSON array of its parts in the OpenTelemetry GenAI shape; tools as the provider's
 * request JSON; tool calls of the response as OpenAI's {@code tool_calls} array.
 */
final class ChatObservations {
    private ChatObservations() {
    }

    static void request(LlmCall.Builder call, ChatModelObservationContext context) {
        call.operation("chat");
        String provider = context.getOperationMetadata() == null ? null : context.getOperationMetadata().provider();
        if (provider != null) {
            call.provider(provider);
        }
        Prompt prompt = context.getRequest();
        if (prompt == null) {
            return;
        }
        messages(call, prompt.getInstructions());
        ChatOptions o = prompt.getOptions();
        if (o == null) {
            return;
        }
        if (o.getModel() != null) {
            call.requestModel(o.getModel());
        }
        if (o.getTemperature() != null) {
            call.temperature(o.getTemperature());
        }
        if (o.getTopP() != null) {
            call.topP(o.getTopP());
        }
        if (o.getTopK() != null) {
            call.topK(o.getTopK());
        }
        if (o.getMaxTokens() != null) {
            call.maxTokens(o.getMaxTokens());
        }
        if (o.getFrequencyPenalty() != null) {
            call.frequencyPenalty(o.getFrequencyPenalty());
        }
        if (o.getPresencePenalty() != null) {
            call.presencePenalty(o.getPresencePenalty());
        }
        if (o.getStopSequences() != null && !o.getStopSequences().isEmpty()) {
            call.stopSequences(List.copyOf(o.getStopSequences()));
        }
        if (o instanceof ToolCallingChatOptions tools && tools.getToolCallbacks() != null
                && !tools.getToolCallbacks().isEmpty()) {
            call.tools(Json.write(tools(tools.getToolCallbacks(), provider != null && provider.contains("anthropic"))));
        }
        Map<String, Object> params = new LinkedHashMap<>();
        Extras.requestOptions(call, o, params);
        if (!params.isEmpty()) {
            call.params(Json.write(params));
        }
    }

    static void response(LlmCall.Builder call, ChatResponse response) {
        if (response == null) {
            return;
        }
        Generation g = response.getResult();
        if (g != null) {
            AssistantMessage out = g.getOutput();
            if (out != null) {
                if (out.getText() != null && !(out.getText().isEmpty() && out.hasToolCalls())) {
                    call.response(out.getText());
                }
                if (out.hasToolCalls()) {
                    call.responseToolCalls(Json.write(toolCalls(out.getToolCalls())));
                }
            }
            if (g.getMetadata() != null && g.getMetadata().getFinishReason() != null
                    && !g.getMetadata().getFinishReason().isEmpty()) {
                call.finishReason(g.getMetadata().getFinishReason().toLowerCase(Locale.ROOT));
            }
        }
        ChatResponseMetadata m = response.getMetadata();
        if (m == null) {
            return;
        }
        if (m.getId() != null && !m.getId().isEmpty()) {
            call.responseId(m.getId());
        }
        if (m.getModel() != null && !m.getModel().isEmpty()) {
            call.responseModel(m.getModel());
        }
        Usage usage = m.getUsage();
        if (usage != null) {
            if (usage.getPromptTokens() != null) {
                call.inputTokens(usage.getPromptTokens());
            }
            if (usage.getCompletionTokens() != null) {
                call.outputTokens(usage.getCompletionTokens());
            }
            Extras.nativeUsage(call, usage.getNativeUsage());
        }
    }

    static void error(LlmCall.Builder call, Throwable error) {
        call.status(CallField.STATUS_ERROR).errorType(error.getClass().getName());
        if (error.getMessage() != null) {
            call.errorMessage(error.getMessage());
        }
        Integer status = Extras.httpStatus(error);
        if (status != null) {
            call.httpStatus(status);
        }
    }

    // ---- messages ----------------------------------------------------------------------------------

    private static void messages(LlmCall.Builder call, List<Message> messages) {
        if (messages == null) {
            return;
        }
        List<io.promptlog.writer.Message> out = new ArrayList<>(messages.size());
        boolean systemSeen = false;
        for (Message m : messages) {
            MessageType type = m.getMessageType();
            if (type == MessageType.SYSTEM && !systemSeen) {
                call.systemPrompt(m.getText());
                systemSeen = true;
            } else if (m instanceof ToolResponseMessage tool) {
                for (ToolResponseMessage.ToolResponse r : tool.getResponses()) {
                    out.add(new io.promptlog.writer.Message("tool", r.responseData(), r.name(), r.id()));
                }
            } else if (m instanceof AssistantMessage a) {
                out.add(io.promptlog.writer.Message.of("assistant", assistantContent(a)));
            } else if (m instanceof UserMessage u) {
                out.add(io.promptlog.writer.Message.of("user", userContent(u)));
            } else {
                out.add(io.promptlog.writer.Message.of(type == null ? "" : type.getValue(), m.getText()));
            }
        }
        if (!out.isEmpty()) {
            call.messages(out);
        }
    }

    private static String userContent(UserMessage u) {
        if (u.getMedia() == null || u.getMedia().isEmpty()) {
            return u.getText();
        }
        List<Object> parts = new ArrayList<>();
        if (u.getText() != null && !u.getText().isEmpty()) {
            parts.add(part("text", "content", u.getText()));
        }
        for (Media media : u.getMedia()) {
            Map<String, Object> p = new LinkedHashMap<>();
            String mime = media.getMimeType() == null ? null : media.getMimeType().toString();
            String modality = mime == null ? null : mime.substring(0, Math.max(0, mime.indexOf('/')));
            Object data = media.getData();
            if (data instanceof byte[] bytes) {
                p.put("type", "blob");
                putIfSet(p, "modality", modality);
                putIfSet(p, "mime_type", mime);
                p.put("content", java.util.Base64.getEncoder().encodeToString(bytes));
            } else {
                p.put("type", "uri");
                putIfSet(p, "modality", modality);
                putIfSet(p, "mime_type", mime);
                p.put("uri", String.valueOf(data));
            }
            parts.add(p);
        }
        return Json.write(parts);
    }

    private static String assistantContent(AssistantMessage a) {
        if (!a.hasToolCalls()) {
            return a.getText();
        }
        List<Object> parts = new ArrayList<>();
        if (a.getText() != null && !a.getText().isEmpty()) {
            parts.add(part("text", "content", a.getText()));
        }
        for (AssistantMessage.ToolCall c : a.getToolCalls()) {
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("type", "tool_call");
            putIfSet(p, "id", c.id());
            putIfSet(p, "name", c.name());
            Object args = c.arguments() == null ? null : Json.tryParse(c.arguments());
            p.put("arguments", args != null ? args : c.arguments());
            parts.add(p);
        }
        return Json.write(parts);
    }

    // ---- tools -------------------------------------------------------------------------------------

    private static List<Object> tools(List<ToolCallback> callbacks, boolean anthropic) {
        List<Object> out = new ArrayList<>(callbacks.size());
        for (ToolCallback cb : callbacks) {
            ToolDefinition d = cb.getToolDefinition();
            Object schema = d.inputSchema() == null ? null : Json.tryParse(d.inputSchema());
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("name", d.name());
            putIfSet(f, "description", d.description());
            if (anthropic) {
                f.put("input_schema", schema == null ? Map.of("type", "object") : schema);
                out.add(f);
            } else {
                if (schema != null) {
                    f.put("parameters", schema);
                }
                Map<String, Object> t = new LinkedHashMap<>();
                t.put("type", "function");
                t.put("function", f);
                out.add(t);
            }
        }
        return out;
    }

    private static List<Object> toolCalls(List<AssistantMessage.ToolCall> calls) {
        List<Object> out = new ArrayList<>(calls.size());
        for (AssistantMessage.ToolCall c : calls) {
            Map<String, Object> f = new LinkedHashMap<>();
            putIfSet(f, "name", c.name());
            putIfSet(f, "arguments", c.arguments());
            Map<String, Object> t = new LinkedHashMap<>();
            putIfSet(t, "id", c.id());
            t.put("type", c.type() == null ? "function" : c.type());
            t.put("function", f);
            out.add(t);
        }
        return out;
    }

    private static Map<String, Object> part(String type, String key, Object value) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("type", type);
        p.put(key, value);
        return p;
    }

    static void putIfSet(Map<String, Object> m, String key, Object value) {
        if (value != null) {
            m.put(key, value);
        }
    }
}
