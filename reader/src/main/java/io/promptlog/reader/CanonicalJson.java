package io.promptlog.reader;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.promptlog.writer.CallField;
import io.promptlog.writer.LlmCall;
import io.promptlog.writer.Message;

import java.io.IOException;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The canonical JSON object of one call, used by {@code export --format jsonl}, {@code import} and
 * {@code show --json}: keys are the {@link CallField} column names in schema order (with
 * {@code system_prompt} and {@code tools} as text), {@code start_time} an RFC 3339 UTC string with
 * microseconds, absent values omitted, {@code messages} an array of {@code {role, content[, name]
 * [, tool_call_id]}}, {@code attributes} an object, {@code stop_sequences} an array, and
 * {@code "truncated": true} only when the writer cut the call's text.
 */
public final class CanonicalJson {
    /** The key for the writer's truncation flag (not a CallField; present only when true). */
    public static final String TRUNCATED = "truncated";

    private static final ObjectMapper MAPPER = newMapper();

    private CanonicalJson() {
    }

    static ObjectMapper newMapper() {
        ObjectMapper m = new ObjectMapper();
        // calls carry texts of many megabytes; Jackson's default string limit is 20 MB
        m.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                .maxStringLength(Integer.MAX_VALUE).maxNestingDepth(10_000).build());
        return m;
    }

    /** The shared, thread-safe mapper promptlog uses for JSON. */
    static ObjectMapper mapper() {
        return MAPPER;
    }

    /** The canonical JSON object of a call, as a tree. */
    static ObjectNode toJson(LlmCall call) {
        try {
            return (ObjectNode) MAPPER.readTree(write(call));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot re-read the JSON of call " + call.callId(), e);
        }
    }

    /**
     * Streams the canonical JSON object of a call: the one definition of the format. With
     * {@code skip} non-null, that field is left out (callers that account for it otherwise).
     */
    static void write(LlmCall call, JsonGenerator g, CallField skip) throws IOException {
        g.writeStartObject();
        for (CallField f : CallField.all()) {
            Object v = call.get(f);
            if (v == null || f == skip) {
                continue;
            }
            g.writeFieldName(f.column());
            switch (f.type()) {
                case STRING -> g.writeString((String) v);
                case INT64 -> g.writeNumber((Long) v);
                case TIMESTAMP_MICROS -> g.writeString(Timestamps.format((Long) v));
                case FLOAT64 -> g.writeNumber((Double) v);
                case BOOL -> g.writeBoolean((Boolean) v);
                case STRING_LIST -> {
                    g.writeStartArray();
                    for (String s : call.stopSequences()) {
                        g.writeString(s);
                    }
                    g.writeEndArray();
                }
                case MESSAGES -> {
                    g.writeStartArray();
                    for (Message m : call.messages()) {
                        g.writeStartObject();
                        g.writeStringField("role", m.role());
                        if (m.content() != null) {
                            g.writeStringField("content", m.content());
                        }
                        if (m.name() != null) {
                            g.writeStringField("name", m.name());
                        }
                        if (m.toolCallId() != null) {
                            g.writeStringField("tool_call_id", m.toolCallId());
                        }
                        g.writeEndObject();
                    }
                    g.writeEndArray();
                }
                case ATTRIBUTES -> {
                    g.writeStartObject();
                    for (Map.Entry<String, String> e : call.attributes().entrySet()) {
                        g.writeStringField(e.getKey(), e.getValue());
                    }
                    g.writeEndObject();
                }
            }
        }
        if (call.truncated()) {
            g.writeBooleanField(TRUNCATED, true);
        }
        g.writeEndObject();
    }

    static ObjectNode message(Message m) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("role", m.role());
        if (m.content() != null) {
            n.put("content", m.content());
        }
        if (m.name() != null) {
            n.put("name", m.name());
        }
        if (m.toolCallId() != null) {
            n.put("tool_call_id", m.toolCallId());
        }
        return n;
    }

    /** The canonical JSON object of a call, indented for people to read. */
    public static String writePretty(LlmCall call) {
        try {
            return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(toJson(call));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize call " + call.callId(), e);
        }
    }

    /**
     * Streams canonical JSONL lines to {@code out} (one call per {@link Lines#write} and a
     * {@code '\n'} after each); with {@code skip} non-null, that field is left out of every line (for
     * callers that account for it otherwise). Close it to flush.
     */
    public static Lines lines(java.io.Writer out, CallField skip) throws IOException {
        return new Lines(MAPPER.getFactory().createGenerator(out), skip);
    }

    /** A stream of canonical JSONL lines, see {@link #lines}. */
    public static final class Lines implements AutoCloseable {
        private final JsonGenerator g;
        private final CallField skip;

        private Lines(JsonGenerator g, CallField skip) {
            this.g = g;
            this.skip = skip;
            g.setRootValueSeparator(null);
        }

        /** Writes one call as one line. */
        public void write(LlmCall call) throws IOException {
            CanonicalJson.write(call, g, skip);
            g.writeRaw('\n');
        }

        /** Writes one JSON string value (quoted and escaped) with nothing around it. */
        public void writeString(String text) throws IOException {
            g.writeString(text);
        }

        @Override
        public void close() throws IOException {
            g.close();
        }
    }

    /** One line of canonical JSONL. */
    public static String write(LlmCall call) {
        StringWriter w = new StringWriter(1024);
        try (JsonGenerator g = MAPPER.getFactory().createGenerator(w)) {
            write(call, g, null);
        } catch (IOException e) {
            throw new IllegalStateException("cannot serialize call " + call.callId(), e);
        }
        return w.toString();
    }

    /**
     * Parses one canonical JSON object. Every key must be a CallField column (or {@code truncated}); any
     * may be missing.
     *
     * @throws IllegalArgumentException saying what is wrong (bad JSON, unknown key, wrong type)
     */
    public static LlmCall parse(String json) {
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not valid JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("not a JSON object");
        }
        return fromJson((ObjectNode) root);
    }

    static LlmCall fromJson(ObjectNode o) {
        LlmCall.Builder b = LlmCall.builder();
        Iterator<Map.Entry<String, JsonNode>> it = o.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            String k = e.getKey();
            JsonNode v = e.getValue();
            if (k.equals(TRUNCATED)) {
                if (!v.isBoolean()) {
                    throw new IllegalArgumentException("\"truncated\" must be true or false");
                }
                b.truncated(v.booleanValue());
                continue;
            }
            CallField f = CallField.byColumn(k);
            if (f == null) {
                throw new IllegalArgumentException("unknown field \"" + k + "\"");
            }
            if (v.isNull()) {
                continue;
            }
            b.set(f, value(f, v));
        }
        return b.build();
    }

    private static Object value(CallField f, JsonNode v) {
        String k = f.column();
        switch (f.type()) {
            case STRING:
                if (!v.isTextual()) {
                    throw wrong(k, "a string", v);
                }
                return v.textValue();
            case INT64:
                if (!v.isIntegralNumber() || !v.canConvertToLong()) {
                    throw wrong(k, "a 64-bit integer", v);
                }
                return v.longValue();
            case TIMESTAMP_MICROS:
                if (!v.isTextual()) {
                    throw wrong(k, "an RFC 3339 timestamp string", v);
                }
                try {
                    return Timestamps.parseMicros(v.textValue());
                } catch (IllegalArgumentException | ArithmeticException e) {
                    throw new IllegalArgumentException(k + ": " + e.getMessage());
                }
            case FLOAT64:
                if (!v.isNumber()) {
                    throw wrong(k, "a number", v);
                }
                return v.doubleValue();
            case BOOL:
                if (!v.isBoolean()) {
                    throw wrong(k, "true or false", v);
                }
                return v.booleanValue();
            case STRING_LIST: {
                if (!v.isArray()) {
                    throw wrong(k, "an array of strings", v);
                }
                List<String> out = new ArrayList<>();
                for (JsonNode s : v) {
                    if (!s.isTextual()) {
                        throw wrong(k, "an array of strings", v);
                    }
                    out.add(s.textValue());
                }
                return out;
            }
            case MESSAGES: {
                if (!v.isArray()) {
                    throw wrong(k, "an array of message objects", v);
                }
                List<Message> out = new ArrayList<>();
                int i = 0;
                for (JsonNode m : v) {
                    out.add(messageFrom(m, k + "[" + i++ + "]"));
                }
                return out;
            }
            case ATTRIBUTES: {
                if (!v.isObject()) {
                    throw wrong(k, "an object of strings", v);
                }
                Map<String, String> out = new LinkedHashMap<>();
                Iterator<Map.Entry<String, JsonNode>> it = v.fields();
                while (it.hasNext()) {
                    Map.Entry<String, JsonNode> e = it.next();
                    if (!e.getValue().isTextual()) {
                        throw new IllegalArgumentException(k + "." + e.getKey() + " must be a string");
                    }
                    out.put(e.getKey(), e.getValue().textValue());
                }
                return out;
            }
            default:
                throw new IllegalStateException("unhandled type " + f.type());
        }
    }

    private static Message messageFrom(JsonNode m, String where) {
        if (!m.isObject()) {
            throw new IllegalArgumentException(where + " must be an object");
        }
        Iterator<String> names = m.fieldNames();
        while (names.hasNext()) {
            String n = names.next();
            if (!n.equals("role") && !n.equals("content") && !n.equals("name") && !n.equals("tool_call_id")) {
                throw new IllegalArgumentException(where + " has unknown key \"" + n + "\"");
            }
        }
        JsonNode role = m.get("role");
        if (role == null || !role.isTextual()) {
            throw new IllegalArgumentException(where + ".role must be a string");
        }
        return new Message(role.textValue(), text(m, "content", where), text(m, "name", where),
                text(m, "tool_call_id", where));
    }

    private static String text(JsonNode m, String key, String where) {
        JsonNode n = m.get(key);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isTextual()) {
            throw new IllegalArgumentException(where + "." + key + " must be a string");
        }
        return n.textValue();
    }

    private static IllegalArgumentException wrong(String key, String expected, JsonNode got) {
        String s = got.toString();
        return new IllegalArgumentException(key + " must be " + expected + ", got "
                + (s.length() > 40 ? s.substring(0, 37) + "..." : s));
    }
}
