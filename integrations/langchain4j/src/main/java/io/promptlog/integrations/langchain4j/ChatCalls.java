package io.promptlog.integrations.langchain4j;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.AudioContent;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.Content;
import dev.langchain4j.data.message.CustomMessage;
import dev.langchain4j.data.message.ImageContent;
import dev.langchain4j.data.message.PdfFileContent;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.TextContent;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.data.message.VideoContent;
import dev.langchain4j.exception.HttpException;
import dev.langchain4j.model.ModelProvider;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.request.ResponseFormat;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.ChatResponseMetadata;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.model.output.TokenUsage;
import io.promptlog.writer.CallField;
import io.promptlog.writer.LlmCall;
import io.promptlog.writer.Message;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Maps LangChain4j's request, response and error objects onto a call record. Conventions shared by the
 * framework hooks: a message whose content is one text is stored as that text; any other content (an
 * image, several parts, an assistant turn with tool calls) as the JSON array of its parts, shaped like
 * the OpenTelemetry GenAI message parts ({@code text}, {@code tool_call}, {@code uri}, {@code blob}).
 * Tools are stored as the provider's own request JSON ({@code [{"type":"function","function":{...}}]},
 * or {@code [{"name","description","input_schema"}]} for Anthropic) so that a logged call replays; tool
 * calls of the response as OpenAI's {@code tool_calls} array.
 */
final class ChatCalls {
    static final ObjectMapper JSON = new ObjectMapper();

    private ChatCalls() {
    }

    static void request(LlmCall.Builder call, ChatRequest request, ModelProvider provider) {
        String providerName = providerName(provider);
        call.operation("chat");
        if (providerName != null) {
            call.provider(providerName);
        }
        messages(call, request.messages());
        ChatRequestParameters p = request.parameters();
        if (p == null) {
            return;
        }
        if (p.modelName() != null) {
            call.requestModel(p.modelName());
        }
        if (p.temperature() != null) {
            call.temperature(p.temperature());
        }
        if (p.topP() != null) {
            call.topP(p.topP());
        }
        if (p.topK() != null) {
            call.topK(p.topK());
        }
        if (p.maxOutputTokens() != null) {
            call.maxTokens(p.maxOutputTokens());
        }
        if (p.frequencyPenalty() != null) {
            call.frequencyPenalty(p.frequencyPenalty());
        }
        if (p.presencePenalty() != null) {
            call.presencePenalty(p.presencePenalty());
        }
        if (p.stopSequences() != null && !p.stopSequences().isEmpty()) {
            call.stopSequences(List.copyOf(p.stopSequences()));
        }
        if (p.toolSpecifications() != null && !p.toolSpecifications().isEmpty()) {
            call.tools(tools(p.toolSpecifications(), provider != null && provider.name().contains("ANTHROPIC")));
        }
        ObjectNode params = JSON.createObjectNode();
        if (p.toolChoice() != null) {
            params.put("tool_choice", p.toolChoice().name().toLowerCase(Locale.ROOT));
        }
        ResponseFormat format = p.responseFormat();
        if (format != null && format.type() != null) {
            ObjectNode f = params.putObject("response_format");
            f.put("type", format.type().name().toLowerCase(Locale.ROOT));
            if (format.jsonSchema() != null && format.jsonSchema().name() != null) {
                f.put("json_schema", format.jsonSchema().name());
            }
        }
        OpenAi.requestParameters(call, p, params);
        if (!params.isEmpty()) {
            call.params(params.toString());
        }
    }

    static void response(LlmCall.Builder call, ChatResponse response) {
        if (response == null) {
            return;
        }
        AiMessage ai = response.aiMessage();
        if (ai != null) {
            if (ai.text() != null) {
                call.response(ai.text());
            }
            if (ai.hasToolExecutionRequests()) {
                call.responseToolCalls(toolCalls(ai.toolExecutionRequests()).toString());
            }
        }
        ChatResponseMetadata m = response.metadata();
        if (m == null) {
            return;
        }
        if (m.id() != null) {
            call.responseId(m.id());
        }
        if (m.modelName() != null) {
            call.responseModel(m.modelName());
        }
        if (m.finishReason() != null) {
            call.finishReason(finishReason(m.finishReason()));
        }
        TokenUsage usage = m.tokenUsage();
        if (usage != null) {
            if (usage.inputTokenCount() != null) {
                call.inputTokens(usage.inputTokenCount());
            }
            if (usage.outputTokenCount() != null) {
                call.outputTokens(usage.outputTokenCount());
            }
        }
        OpenAi.responseMetadata(call, m);
    }

    static void error(LlmCall.Builder call, Throwable error) {
        call.status(CallField.STATUS_ERROR);
        if (error == null) {
            return;
        }
        call.errorType(error.getClass().getName());
        if (error.getMessage() != null) {
            call.errorMessage(error.getMessage());
        }
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof HttpException http) {
                call.httpStatus(http.statusCode());
                break;
            }
        }
    }

    // ---- messages ----------------------------------------------------------------------------------

    private static void messages(LlmCall.Builder call, List<ChatMessage> messages) {
        if (messages == null) {
            return;
        }
        List<Message> out = new ArrayList<>(messages.size());
        boolean systemSeen = false;
        for (ChatMessage m : messages) {
            if (m instanceof SystemMessage s) {
                if (!systemSeen) {
                    call.systemPrompt(s.text());
                    systemSeen = true;
                } else {
                    out.add(Message.of("system", s.text()));
                }
            } else if (m instanceof UserMessage u) {
                out.add(new Message("user", u.hasSingleText() ? u.singleText() : parts(u.contents()).toString(),
                        u.name(), null));
            } else if (m instanceof AiMessage a) {
                out.add(Message.of("assistant", assistantContent(a)));
            } else if (m instanceof ToolExecutionResultMessage t) {
                out.add(new Message("tool", t.text(), t.toolName(), t.id()));
            } else if (m instanceof CustomMessage c) {
                out.add(Message.of("custom", JSON.valueToTree(c.attributes()).toString()));
            } else if (m != null) {
                out.add(Message.of(m.type() == null ? "" : m.type().name().toLowerCase(Locale.ROOT), String.valueOf(m)));
            }
        }
        if (!out.isEmpty()) {
            call.messages(out);
        }
    }

    private static String assistantContent(AiMessage a) {
        if (!a.hasToolExecutionRequests()) {
            return a.text();
        }
        ArrayNode parts = JSON.createArrayNode();
        if (a.text() != null) {
            parts.addObject().put("type", "text").put("content", a.text());
        }
        for (ToolExecutionRequest r : a.toolExecutionRequests()) {
            ObjectNode p = parts.addObject().put("type", "tool_call");
            putIfSet(p, "id", r.id());
            putIfSet(p, "name", r.name());
            p.set("arguments", argumentsNode(r.arguments()));
        }
        return parts.toString();
    }

    private static ArrayNode parts(List<Content> contents) {
        ArrayNode parts = JSON.createArrayNode();
        for (Content c : contents) {
            if (c instanceof TextContent t) {
                parts.addObject().put("type", "text").put("content", t.text());
            } else if (c instanceof ImageContent i && i.image() != null) {
                media(parts, "image", i.image().url(), i.image().base64Data(), i.image().mimeType());
            } else if (c instanceof PdfFileContent pdf && pdf.pdfFile() != null) {
                media(parts, "pdf", pdf.pdfFile().url(), pdf.pdfFile().base64Data(), pdf.pdfFile().mimeType());
            } else if (c instanceof AudioContent a && a.audio() != null) {
                media(parts, "audio", a.audio().url(), a.audio().base64Data(), a.audio().mimeType());
            } else if (c instanceof VideoContent v && v.video() != null) {
                media(parts, "video", v.video().url(), v.video().base64Data(), v.video().mimeType());
            } else if (c != null) {
                parts.addObject().put("type", String.valueOf(c.type()).toLowerCase(Locale.ROOT))
                        .put("content", String.valueOf(c));
            }
        }
        return parts;
    }

    private static void media(ArrayNode parts, String modality, URI url, String base64, String mimeType) {
        ObjectNode p = parts.addObject();
        if (url != null) {
            p.put("type", "uri").put("modality", modality).put("uri", url.toString());
        } else {
            p.put("type", "blob").put("modality", modality);
            putIfSet(p, "content", base64);
        }
        putIfSet(p, "mime_type", mimeType);
    }

    // ---- tools -------------------------------------------------------------------------------------

    private static String tools(List<ToolSpecification> specs, boolean anthropic) {
        ArrayNode out = JSON.createArrayNode();
        for (ToolSpecification spec : specs) {
            JsonNode parameters = parametersNode(spec);
            if (anthropic) {
                ObjectNode t = out.addObject().put("name", spec.name());
                putIfSet(t, "description", spec.description());
                t.set("input_schema", parameters);
            } else {
                ObjectNode f = out.addObject().put("type", "function").putObject("function");
                f.put("name", spec.name());
                putIfSet(f, "description", spec.description());
                f.set("parameters", parameters);
                if (spec.strict() != null) {
                    f.put("strict", spec.strict());
                }
            }
        }
        return out.toString();
    }

    /** The parameters' JSON Schema, through LangChain4j's own serialisation of a tool specification. */
    private static JsonNode parametersNode(ToolSpecification spec) {
        try {
            JsonNode parameters = JSON.readTree(spec.toJson()).get("parameters");
            if (parameters != null) {
                return parameters;
            }
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot read LangChain4j's JSON of tool " + spec.name(), e);
        }
        return JSON.createObjectNode().put("type", "object").set("properties", JSON.createObjectNode());
    }

    private static ArrayNode toolCalls(List<ToolExecutionRequest> requests) {
        ArrayNode out = JSON.createArrayNode();
        for (ToolExecutionRequest r : requests) {
            ObjectNode c = out.addObject();
            putIfSet(c, "id", r.id());
            c.put("type", "function");
            ObjectNode f = c.putObject("function");
            putIfSet(f, "name", r.name());
            putIfSet(f, "arguments", r.arguments());
        }
        return out;
    }

    /** Tool arguments as JSON when they parse, else as the string the model produced. */
    private static JsonNode argumentsNode(String arguments) {
        if (arguments == null) {
            return JSON.nullNode();
        }
        try {
            return JSON.readTree(arguments);
        } catch (java.io.IOException e) {
            return JSON.getNodeFactory().textNode(arguments);
        }
    }

    // ---- names -------------------------------------------------------------------------------------

    /** OpenTelemetry's {@code gen_ai.provider.name} for LangChain4j's provider; null when unknown. */
    static String providerName(ModelProvider provider) {
        if (provider == null) {
            return null;
        }
        return switch (provider.name()) {
            case "OPEN_AI" -> "openai";
            case "AZURE_OPEN_AI" -> "azure.ai.openai";
            case "ANTHROPIC" -> "anthropic";
            case "AMAZON_BEDROCK" -> "aws.bedrock";
            case "GOOGLE_AI_GEMINI" -> "gcp.gemini";
            case "GOOGLE_VERTEX_AI_GEMINI", "GOOGLE_VERTEX_AI_ANTHROPIC" -> "gcp.vertex_ai";
            case "GOOGLE_GENAI" -> "gcp.gen_ai";
            case "MICROSOFT_FOUNDRY" -> "azure.ai.inference";
            case "MISTRAL_AI" -> "mistral_ai";
            case "WATSONX" -> "ibm.watsonx.ai";
            case "OTHER" -> null;
            default -> provider.name().toLowerCase(Locale.ROOT);
        };
    }

    /** OpenAI's vocabulary: stop, length, tool_calls, content_filter, other. */
    static String finishReason(FinishReason reason) {
        return switch (reason.name()) {
            case "TOOL_EXECUTION" -> "tool_calls";
            default -> reason.name().toLowerCase(Locale.ROOT);
        };
    }

    static void putIfSet(ObjectNode node, String key, String value) {
        if (value != null) {
            node.put(key, value);
        }
    }
}
