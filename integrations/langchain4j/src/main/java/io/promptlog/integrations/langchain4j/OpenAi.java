package io.promptlog.integrations.langchain4j;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.langchain4j.http.client.SuccessfulHttpResponse;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.response.ChatResponseMetadata;
import dev.langchain4j.model.openai.OpenAiChatRequestParameters;
import dev.langchain4j.model.openai.OpenAiChatResponseMetadata;
import dev.langchain4j.model.openai.OpenAiTokenUsage;
import io.promptlog.writer.LlmCall;

import java.util.List;
import java.util.Map;

/**
 * What only langchain4j-open-ai's subclasses carry: seed and the other OpenAI request parameters, cached
 * and reasoning tokens, the HTTP status and {@code x-request-id} of the response. langchain4j-open-ai is an
 * optional dependency: the nested class that touches it is loaded only after a check that it is there.
 */
final class OpenAi {
    private static final boolean PRESENT = present();

    private OpenAi() {
    }

    static void requestParameters(LlmCall.Builder call, ChatRequestParameters p, ObjectNode params) {
        if (PRESENT) {
            Classes.requestParameters(call, p, params);
        }
    }

    static void responseMetadata(LlmCall.Builder call, ChatResponseMetadata m) {
        if (PRESENT) {
            Classes.responseMetadata(call, m);
        }
    }

    private static boolean present() {
        try {
            Class.forName("dev.langchain4j.model.openai.OpenAiChatResponseMetadata", false, OpenAi.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    private static final class Classes {
        static void requestParameters(LlmCall.Builder call, ChatRequestParameters p, ObjectNode params) {
            if (!(p instanceof OpenAiChatRequestParameters o)) {
                return;
            }
            if (o.seed() != null) {
                call.seed(o.seed());
            }
            if (o.maxCompletionTokens() != null) {
                params.put("max_completion_tokens", o.maxCompletionTokens());
            }
            if (o.parallelToolCalls() != null) {
                params.put("parallel_tool_calls", o.parallelToolCalls());
            }
            ChatCalls.putIfSet(params, "user", o.user());
            if (o.store() != null) {
                params.put("store", o.store());
            }
            ChatCalls.putIfSet(params, "service_tier", o.serviceTier());
            ChatCalls.putIfSet(params, "reasoning_effort", o.reasoningEffort());
            if (o.logprobs() != null) {
                params.put("logprobs", o.logprobs());
            }
            if (o.topLogprobs() != null) {
                params.put("top_logprobs", o.topLogprobs());
            }
            putMap(params, "logit_bias", o.logitBias());
            putMap(params, "metadata", o.metadata());
            Map<String, Object> custom = o.customParameters();
            if (custom != null) {
                custom.forEach((k, v) -> params.set(k, ChatCalls.JSON.valueToTree(v)));
            }
        }

        private static void putMap(ObjectNode params, String key, Map<String, ?> map) {
            if (map != null && !map.isEmpty()) {
                params.set(key, ChatCalls.JSON.valueToTree(map));
            }
        }

        static void responseMetadata(LlmCall.Builder call, ChatResponseMetadata m) {
            if (!(m instanceof OpenAiChatResponseMetadata o)) {
                return;
            }
            OpenAiTokenUsage usage = o.tokenUsage();
            if (usage != null) {
                if (usage.inputTokensDetails() != null && usage.inputTokensDetails().cachedTokens() != null) {
                    call.cachedInputTokens(usage.inputTokensDetails().cachedTokens());
                }
                if (usage.outputTokensDetails() != null && usage.outputTokensDetails().reasoningTokens() != null) {
                    call.reasoningTokens(usage.outputTokensDetails().reasoningTokens());
                }
            }
            SuccessfulHttpResponse http = o.rawHttpResponse();
            if (http != null) {
                call.httpStatus(http.statusCode());
                String requestId = header(http.headers(), "x-request-id");
                if (requestId != null) {
                    call.providerRequestId(requestId);
                }
            }
        }

        private static String header(Map<String, List<String>> headers, String name) {
            if (headers == null) {
                return null;
            }
            for (Map.Entry<String, List<String>> e : headers.entrySet()) {
                if (name.equalsIgnoreCase(e.getKey()) && e.getValue() != null && !e.getValue().isEmpty()) {
                    return e.getValue().get(0);
                }
            }
            return null;
        }
    }
}
