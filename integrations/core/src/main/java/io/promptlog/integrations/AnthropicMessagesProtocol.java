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

/**
 * Anthropic Messages API ({@code POST /v1/messages}): top-level {@code system}; usage normalised so that
 * {@code input_tokens} counts cache reads and writes too (as OpenAI's does) and {@code cached_input_tokens}
 * is the cache reads.
 */
final class AnthropicMessagesProtocol extends Protocol {
    static final AnthropicMessagesProtocol INSTANCE = new AnthropicMessagesProtocol();

    private AnthropicMessagesProtocol() {
        super("anthropic", "request-id");
    }

    @Override
    void request(Map<String, Object> body, LlmCall.Builder b) {
        Params p = chatRequest(body, b);
        Object system = p.take("system");
        if (system instanceof String s) {
            b.systemPrompt(s);
        } else if (arr(system) != null) {
            StringBuilder sb = new StringBuilder();
            for (Object o : arr(system)) {
                String t = str(obj(o), "text");
                joinSystem(sb, t);
            }
            b.systemPrompt(sb.toString());
        }
        List<Message> messages = new ArrayList<>();
        List<Object> list = arr(p.take("messages"));
        if (list != null) {
            for (Object o : list) {
                Map<String, Object> m = obj(o);
                if (m == null) {
                    continue;
                }
                String role = str(m, "role");
                Object content = m.get("content");
                String toolUseId = null;
                if (arr(content) != null) {
                    for (Object block : arr(content)) {
                        if ("tool_result".equals(str(obj(block), "type"))) {
                            toolUseId = str(obj(block), "tool_use_id");
                            break;
                        }
                    }
                }
                messages.add(new Message(role == null ? "" : role, contentText(content), null, toolUseId));
            }
        }
        messages(messages, b);
        p.takeJson("tools", CallField.TOOLS, b);
        p.takeLong("max_tokens", CallField.MAX_TOKENS, b);
        p.takeDouble("temperature", CallField.TEMPERATURE, b);
        p.takeDouble("top_p", CallField.TOP_P, b);
        p.takeLong("top_k", CallField.TOP_K, b);
        p.takeStops("stop_sequences", b);
        b.stream(Boolean.TRUE.equals(p.take("stream")));
        Map<String, Object> metadata = obj(body, "metadata");
        if (str(metadata, "user_id") != null) {
            b.userId(str(metadata, "user_id"));
        }
        p.finish(b);
    }

    @Override
    void response(Map<String, Object> body, LlmCall.Builder b) {
        responseIds(body, b);
        content(arr(body, "content"), b);
        String stop = str(body, "stop_reason");
        if (stop != null) {
            b.finishReason(stop);
        }
        usage(obj(body, "usage"), b);
    }

    /** Text blocks concatenated into {@code response}; tool_use blocks as a JSON list. */
    private static void content(List<Object> blocks, LlmCall.Builder b) {
        if (blocks == null) {
            return;
        }
        StringBuilder text = new StringBuilder();
        boolean sawText = false;
        List<Object> calls = new ArrayList<>();
        for (Object o : blocks) {
            Map<String, Object> block = obj(o);
            String type = str(block, "type");
            if ("text".equals(type) && str(block, "text") != null) {
                text.append(str(block, "text"));
                sawText = true;
            } else if ("tool_use".equals(type) || "server_tool_use".equals(type)) {
                calls.add(block);
            }
        }
        if (sawText) {
            b.response(text.toString());
        }
        if (!calls.isEmpty()) {
            b.responseToolCalls(Json.write(calls));
        }
    }

    private static void usage(Map<String, Object> u, LlmCall.Builder b) {
        if (u == null) {
            return;
        }
        Long in = lng(u, "input_tokens");
        Long read = lng(u, "cache_read_input_tokens");
        Long write = lng(u, "cache_creation_input_tokens");
        Long total = in == null && read == null && write == null ? null : nz(in) + nz(read) + nz(write);
        tokens(b, total, lng(u, "output_tokens"), read, null);
    }

    private static long nz(Long v) {
        return v == null ? 0 : v;
    }

    @Override
    Stream stream() {
        return new MessagesStream();
    }

    /** message_start, content_block_start/delta/stop, message_delta, message_stop (and ping, error). */
    private static final class MessagesStream extends Stream {
        private final TreeMap<Long, Map<String, Object>> blocks = new TreeMap<>();
        private final Map<Long, StringBuilder> partialJson = new TreeMap<>();
        private final Map<String, Object> usage = new LinkedHashMap<>();
        private Map<String, Object> message;
        private String stop;
        private String[] error;
        private boolean done;

        @Override
        void event(String name, String data) {
            Map<String, Object> e = obj(Json.parse(data));
            if (e == null) {
                return;
            }
            String type = str(e, "type");
            if (type == null) {
                type = name == null ? "" : name;
            }
            switch (type) {
                case "message_start" -> {
                    message = obj(e, "message");
                    Map<String, Object> u = obj(message, "usage");
                    if (u != null) {
                        usage.putAll(u);
                    }
                }
                case "content_block_start" -> {
                    Map<String, Object> block = obj(e, "content_block");
                    if (block != null) {
                        blocks.put(index(e), new LinkedHashMap<>(block));
                    }
                }
                case "content_block_delta" -> {
                    long i = index(e);
                    Map<String, Object> block = blocks.computeIfAbsent(i, k -> new LinkedHashMap<>());
                    Map<String, Object> delta = obj(e, "delta");
                    String dt = str(delta, "type");
                    if ("text_delta".equals(dt)) {
                        block.putIfAbsent("type", "text");
                        String prior = str(block, "text");
                        block.put("text", (prior == null ? "" : prior) + str(delta, "text"));
                    } else if ("input_json_delta".equals(dt) && str(delta, "partial_json") != null) {
                        partialJson.computeIfAbsent(i, k -> new StringBuilder()).append(str(delta, "partial_json"));
                    }
                }
                case "content_block_stop" -> finishToolInput(index(e));
                case "message_delta" -> {
                    String s = str(obj(e, "delta"), "stop_reason");
                    if (s != null) {
                        stop = s;
                    }
                    Map<String, Object> u = obj(e, "usage");
                    if (u != null) {
                        for (Map.Entry<String, Object> en : u.entrySet()) {
                            if (en.getValue() != null) {
                                usage.put(en.getKey(), en.getValue());
                            }
                        }
                    }
                }
                case "message_stop" -> done = true;
                case "error" -> {
                    String[] err = error(e);
                    error = err != null ? err : new String[] {"stream_error", null};
                }
                default -> {
                }
            }
        }

        private static long index(Map<String, Object> e) {
            Long i = lng(e, "index");
            return i == null ? 0 : i;
        }

        /** A tool_use block's input arrives as JSON text in pieces: parsed when complete, kept as text if not. */
        private void finishToolInput(long i) {
            StringBuilder json = partialJson.remove(i);
            Map<String, Object> block = blocks.get(i);
            if (json == null || block == null) {
                return;
            }
            Object parsed = json.length() == 0 ? new LinkedHashMap<>() : Json.tryParse(json.toString());
            block.put("input", parsed != null ? parsed : json.toString());
        }

        @Override
        boolean terminal() {
            return done || error != null;
        }

        @Override
        void fill(LlmCall.Builder b) {
            for (Long i : new ArrayList<>(partialJson.keySet())) {
                finishToolInput(i);
            }
            if (message != null) {
                responseIds(message, b);
            }
            content(new ArrayList<>(blocks.values()), b);
            if (stop != null) {
                b.finishReason(stop);
            }
            usage(usage.isEmpty() ? null : usage, b);
            failedWith(error, "stream_error", b);
        }
    }
}
