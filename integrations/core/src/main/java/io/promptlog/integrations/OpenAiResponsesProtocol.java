package io.promptlog.integrations;

import io.promptlog.writer.CallField;
import io.promptlog.writer.LlmCall;
import io.promptlog.writer.Message;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.promptlog.integrations.Json.arr;
import static io.promptlog.integrations.Json.lng;
import static io.promptlog.integrations.Json.obj;
import static io.promptlog.integrations.Json.str;

/** OpenAI Responses API ({@code POST /responses}): {@code instructions} is the system prompt. */
final class OpenAiResponsesProtocol extends Protocol {
    static final OpenAiResponsesProtocol INSTANCE = new OpenAiResponsesProtocol();

    private OpenAiResponsesProtocol() {
        super("openai", "x-request-id");
    }

    @Override
    void request(Map<String, Object> body, LlmCall.Builder b) {
        Params p = chatRequest(body, b);
        StringBuilder system = new StringBuilder();
        joinSystem(system, contentText(p.take("instructions")));
        List<Message> messages = new ArrayList<>();
        Object input = p.take("input");
        if (input instanceof String s) {
            messages.add(Message.of("user", s));
        } else if (arr(input) != null) {
            for (Object o : arr(input)) {
                Map<String, Object> item = obj(o);
                if (item == null) {
                    continue;
                }
                String role = str(item, "role");
                String type = str(item, "type");
                if ("system".equals(role) || "developer".equals(role)) {
                    joinSystem(system, contentText(item.get("content")));
                } else if (role != null) {
                    messages.add(Message.of(role, contentText(item.get("content"))));
                } else if ("function_call".equals(type)) {
                    messages.add(new Message("assistant", Json.write(item), str(item, "name"), str(item, "call_id")));
                } else if ("function_call_output".equals(type)) {
                    Object out = item.get("output");
                    messages.add(new Message("tool", out instanceof String s ? s : Json.write(out), null, str(item, "call_id")));
                } else {
                    messages.add(Message.of(type == null ? "" : type, Json.write(item)));
                }
            }
        }
        if (system.length() > 0) {
            b.systemPrompt(system.toString());
        }
        messages(messages, b);
        p.takeJson("tools", CallField.TOOLS, b);
        p.takeDouble("temperature", CallField.TEMPERATURE, b);
        p.takeDouble("top_p", CallField.TOP_P, b);
        p.takeLong("max_output_tokens", CallField.MAX_TOKENS, b);
        b.stream(Boolean.TRUE.equals(p.take("stream")));
        String user = p.takeStr("user");
        if (user != null) {
            b.userId(user);
        }
        p.finish(b);
    }

    @Override
    void response(Map<String, Object> r, LlmCall.Builder b) {
        responseIds(r, b);
        StringBuilder text = new StringBuilder();
        boolean sawText = false;
        List<Object> calls = new ArrayList<>();
        List<Object> output = arr(r, "output");
        if (output != null) {
            for (Object o : output) {
                Map<String, Object> item = obj(o);
                String type = str(item, "type");
                if ("message".equals(type)) {
                    List<Object> content = arr(item, "content");
                    if (content != null) {
                        for (Object c : content) {
                            Map<String, Object> part = obj(c);
                            if ("output_text".equals(str(part, "type")) && str(part, "text") != null) {
                                text.append(str(part, "text"));
                                sawText = true;
                            } else if ("refusal".equals(str(part, "type")) && str(part, "refusal") != null) {
                                b.attribute("refusal", str(part, "refusal"));
                            }
                        }
                    }
                } else if ("function_call".equals(type) || (type != null && type.endsWith("_call"))) {
                    calls.add(item);
                }
            }
        }
        if (sawText) {
            b.response(text.toString());
        }
        if (!calls.isEmpty()) {
            b.responseToolCalls(Json.write(calls));
        }
        String status = str(r, "status");
        String incomplete = str(obj(r, "incomplete_details"), "reason");
        if (incomplete != null) {
            b.finishReason(incomplete);
        } else if ("completed".equals(status)) {
            b.finishReason(calls.isEmpty() ? "stop" : "tool_calls");
        } else if (status != null) {
            b.finishReason(status);
        }
        usage(obj(r, "usage"), b);
        String[] e = error(r);
        if ("failed".equals(status) || e != null) {
            failedWith(e == null ? new String[2] : e, "response_failed", b);
        } else if ("incomplete".equals(status)) {
            b.status(CallField.STATUS_INCOMPLETE);
        }
    }

    private static void usage(Map<String, Object> u, LlmCall.Builder b) {
        if (u != null) {
            tokens(b, lng(u, "input_tokens"), lng(u, "output_tokens"),
                    lng(obj(u, "input_tokens_details"), "cached_tokens"),
                    lng(obj(u, "output_tokens_details"), "reasoning_tokens"));
        }
    }

    @Override
    Stream stream() {
        return new ResponsesStream();
    }

    /**
     * Typed events: the final {@code response.completed} / {@code .incomplete} / {@code .failed} carries
     * the whole response; when the stream stops before it, the text deltas and finished output items
     * seen so far are used.
     */
    private static final class ResponsesStream extends Stream {
        private final StringBuilder text = new StringBuilder();
        private final List<Object> calls = new ArrayList<>();
        private Map<String, Object> created;
        private Map<String, Object> last;
        private String[] error;
        private boolean sawText;

        @Override
        void event(String name, String data) {
            Map<String, Object> e = obj(Json.parse(data));
            if (e == null) {
                return;
            }
            String type = str(e, "type");
            if (type == null) {
                type = name;
            }
            if (type == null) {
                return;
            }
            switch (type) {
                case "response.created", "response.in_progress" -> created = obj(e, "response");
                case "response.output_text.delta" -> {
                    String d = str(e, "delta");
                    if (d != null) {
                        text.append(d);
                        sawText = true;
                    }
                }
                case "response.output_item.done" -> {
                    Map<String, Object> item = obj(e, "item");
                    String t = str(item, "type");
                    if (t != null && t.endsWith("_call")) {
                        calls.add(item);
                    }
                }
                case "response.completed", "response.incomplete", "response.failed" -> last = obj(e, "response");
                case "error" -> {
                    String[] err = error(e);
                    error = err != null ? err : new String[] {str(e, "code"), str(e, "message")};
                }
                default -> {
                }
            }
        }

        @Override
        boolean terminal() {
            return last != null || error != null;
        }

        @Override
        void fill(LlmCall.Builder b) {
            if (last != null) {
                INSTANCE.response(last, b);
                if (b.get(CallField.RESPONSE) == null && sawText) {
                    b.response(text.toString());
                }
            } else {
                if (created != null) {
                    responseIds(created, b);
                }
                if (sawText) {
                    b.response(text.toString());
                }
                if (!calls.isEmpty()) {
                    b.responseToolCalls(Json.write(calls));
                }
            }
            failedWith(error, "stream_error", b);
        }
    }
}
