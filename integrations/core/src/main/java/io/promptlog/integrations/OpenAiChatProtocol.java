package io.promptlog.integrations;

import io.promptlog.writer.CallField;
import io.promptlog.writer.LlmCall;
import io.promptlog.writer.Message;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static io.promptlog.integrations.Json.arr;
import static io.promptlog.integrations.Json.lng;
import static io.promptlog.integrations.Json.obj;
import static io.promptlog.integrations.Json.str;

/** OpenAI Chat Completions ({@code POST /chat/completions}), and every server that speaks it. */
final class OpenAiChatProtocol extends Protocol {
    static final OpenAiChatProtocol INSTANCE = new OpenAiChatProtocol();

    private OpenAiChatProtocol() {
        super("openai", "x-request-id");
    }

    @Override
    void request(Map<String, Object> body, LlmCall.Builder b) {
        Params p = chatRequest(body, b);
        StringBuilder system = new StringBuilder();
        List<Message> messages = new ArrayList<>();
        List<Object> list = arr(p.take("messages"));
        if (list != null) {
            for (Object o : list) {
                Map<String, Object> m = obj(o);
                if (m == null) {
                    continue;
                }
                String role = str(m, "role");
                if ("system".equals(role) || "developer".equals(role)) {
                    joinSystem(system, contentText(m.get("content")));
                    continue;
                }
                Object toolCalls = m.get("tool_calls");
                String content;
                if (toolCalls == null) {
                    content = contentText(m.get("content"));
                } else if (m.get("content") == null) {
                    content = Json.write(toolCalls);
                } else {
                    Map<String, Object> both = new LinkedHashMap<>();
                    both.put("content", m.get("content"));
                    both.put("tool_calls", toolCalls);
                    content = Json.write(both);
                }
                messages.add(new Message(role == null ? "" : role, content, str(m, "name"), str(m, "tool_call_id")));
            }
        }
        if (system.length() > 0) {
            b.systemPrompt(system.toString());
        }
        messages(messages, b);
        p.takeJson("tools", CallField.TOOLS, b);
        if (b.get(CallField.TOOLS) == null) {
            p.takeJson("functions", CallField.TOOLS, b);
        }
        p.takeDouble("temperature", CallField.TEMPERATURE, b);
        p.takeDouble("top_p", CallField.TOP_P, b);
        p.takeLong("max_completion_tokens", CallField.MAX_TOKENS, b);
        p.takeLong("max_tokens", CallField.MAX_TOKENS, b);
        p.takeDouble("frequency_penalty", CallField.FREQUENCY_PENALTY, b);
        p.takeDouble("presence_penalty", CallField.PRESENCE_PENALTY, b);
        p.takeLong("seed", CallField.SEED, b);
        p.takeStops("stop", b);
        Object stream = p.take("stream");
        b.stream(Boolean.TRUE.equals(stream));
        String user = p.takeStr("user");
        if (user != null) {
            b.userId(user);
        }
        p.finish(b);
    }

    @Override
    void response(Map<String, Object> body, LlmCall.Builder b) {
        responseIds(body, b);
        List<Object> choices = arr(body, "choices");
        Map<String, Object> first = choices == null || choices.isEmpty() ? null : obj(choices.get(0));
        if (first != null) {
            Map<String, Object> message = obj(first, "message");
            String content = contentText(message == null ? null : message.get("content"));
            if (content != null) {
                b.response(content);
            }
            String refusal = str(message, "refusal");
            if (refusal != null) {
                b.attribute("refusal", refusal);
            }
            Object toolCalls = message == null ? null : message.get("tool_calls");
            if (toolCalls instanceof List<?> l && !l.isEmpty()) {
                b.responseToolCalls(Json.write(toolCalls));
            }
            String finish = str(first, "finish_reason");
            if (finish != null) {
                b.finishReason(finish);
            }
        }
        if (choices != null && choices.size() > 1) {
            b.attribute("choices", Integer.toString(choices.size()));
        }
        usage(obj(body, "usage"), b);
    }

    static void usage(Map<String, Object> u, LlmCall.Builder b) {
        if (u != null) {
            tokens(b, lng(u, "prompt_tokens"), lng(u, "completion_tokens"),
                    lng(obj(u, "prompt_tokens_details"), "cached_tokens"),
                    lng(obj(u, "completion_tokens_details"), "reasoning_tokens"));
        }
    }

    @Override
    Stream stream() {
        return new ChatStream();
    }

    /** Chunks {@code chat.completion.chunk}: deltas of choice 0 appended, tool calls merged by index. */
    private static final class ChatStream extends Stream {
        private final StringBuilder text = new StringBuilder();
        private final StringBuilder refusal = new StringBuilder();
        private final TreeMap<Long, Map<String, Object>> toolCalls = new TreeMap<>();
        private Map<String, Object> first;
        private Map<String, Object> usage;
        private String finish;
        private String[] error;
        private boolean done;
        private boolean sawContent;

        @Override
        void event(String name, String data) {
            if ("[DONE]".equals(data.strip())) {
                done = true;
                return;
            }
            Map<String, Object> chunk = obj(Json.parse(data));
            if (chunk == null) {
                return;
            }
            String[] e = error(chunk);
            if (e != null) {
                error = e;
                return;
            }
            if (first == null && chunk.get("id") != null) {
                first = chunk;
            }
            Map<String, Object> u = obj(chunk, "usage");
            if (u != null) {
                usage = u;
            }
            List<Object> choices = arr(chunk, "choices");
            if (choices == null) {
                return;
            }
            for (Object o : choices) {
                Map<String, Object> c = obj(o);
                Long index = lng(c, "index");
                if (c == null || (index != null && index != 0)) {
                    continue;
                }
                Map<String, Object> delta = obj(c, "delta");
                String t = str(delta, "content");
                if (t != null) {
                    text.append(t);
                    sawContent = true;
                }
                String r = str(delta, "refusal");
                if (r != null) {
                    refusal.append(r);
                }
                List<Object> calls = arr(delta, "tool_calls");
                if (calls != null) {
                    for (Object call : calls) {
                        mergeToolCall(obj(call));
                    }
                }
                String f = str(c, "finish_reason");
                if (f != null) {
                    finish = f;
                }
            }
        }

        private void mergeToolCall(Map<String, Object> delta) {
            if (delta == null) {
                return;
            }
            Long index = lng(delta, "index");
            Map<String, Object> call = toolCalls.computeIfAbsent(index == null ? toolCalls.size() : index, k -> {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("id", null);
                m.put("type", "function");
                Map<String, Object> fn = new LinkedHashMap<>();
                fn.put("name", null);
                fn.put("arguments", "");
                m.put("function", fn);
                return m;
            });
            if (str(delta, "id") != null) {
                call.put("id", str(delta, "id"));
            }
            if (str(delta, "type") != null) {
                call.put("type", str(delta, "type"));
            }
            Map<String, Object> fnDelta = obj(delta, "function");
            Map<String, Object> fn = obj(call, "function");
            if (fnDelta != null) {
                if (str(fnDelta, "name") != null) {
                    fn.put("name", str(fnDelta, "name"));
                }
                if (str(fnDelta, "arguments") != null) {
                    fn.put("arguments", str(fn, "arguments") + str(fnDelta, "arguments"));
                }
            }
        }

        @Override
        boolean terminal() {
            return done || error != null;
        }

        @Override
        void fill(LlmCall.Builder b) {
            if (first != null) {
                responseIds(first, b);
            }
            if (sawContent) {
                b.response(text.toString());
            }
            if (refusal.length() > 0) {
                b.attribute("refusal", refusal.toString());
            }
            if (!toolCalls.isEmpty()) {
                b.responseToolCalls(Json.write(new ArrayList<>(toolCalls.values())));
            }
            if (finish != null) {
                b.finishReason(finish);
            }
            usage(usage, b);
            failedWith(error, "stream_error", b);
        }
    }
}
