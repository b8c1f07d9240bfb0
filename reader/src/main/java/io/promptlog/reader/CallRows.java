package io.promptlog.reader;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.promptlog.format.Column;
import io.promptlog.format.DatasetSchema;
import io.promptlog.reader.internal.LiveArrow;
import io.promptlog.writer.CallField;
import io.promptlog.writer.LlmCall;
import io.promptlog.writer.Message;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads whole calls out of {@code calls_full}: the SELECT list that turns every column into something
 * JDBC hands over plainly (timestamps as epoch microseconds, lists/maps/structs as JSON text), and the
 * mapping of one such row back to a {@link StoredCall}.
 */
final class CallRows {
    private CallRows() {
    }

    /** {@code SELECT <this> FROM calls_full ...} gives rows {@link #read} understands. */
    static String selectList() {
        StringBuilder sb = new StringBuilder();
        for (CallField f : CallField.all()) {
            if (sb.length() > 0) {
                sb.append(", ");
            }
            String c = '"' + f.column() + '"';
            switch (f.type()) {
                case TIMESTAMP_MICROS -> sb.append("epoch_us(").append(c).append(") AS ").append(c);
                case STRING_LIST, MESSAGES, ATTRIBUTES -> sb.append("CAST(to_json(").append(c).append(") AS VARCHAR) AS ").append(c);
                default -> sb.append(c);
            }
        }
        for (Column d : DatasetSchema.CALLS_VIEW) {
            if (d.origin() != Column.Origin.LOGGED) {
                sb.append(", \"").append(d.name()).append('"');
            }
        }
        return sb.toString();
    }

    static StoredCall read(ResultSet rs) throws SQLException {
        LlmCall.Builder b = LlmCall.builder();
        for (CallField f : CallField.all()) {
            Object v = rs.getObject(f.column());
            if (v == null) {
                continue;
            }
            switch (f.type()) {
                case STRING -> b.set(f, v.toString());
                case INT64, TIMESTAMP_MICROS -> b.set(f, ((Number) v).longValue());
                case FLOAT64 -> b.set(f, ((Number) v).doubleValue());
                case BOOL -> b.set(f, (Boolean) v);
                case STRING_LIST -> b.set(f, stringList(json(v)));
                case MESSAGES -> b.set(f, messages(json(v)));
                case ATTRIBUTES -> b.set(f, attributes(json(v)));
            }
        }
        Boolean truncated = (Boolean) rs.getObject(DatasetSchema.TRUNCATED);
        b.truncated(truncated != null && truncated);
        String reason = rs.getString(DatasetSchema.RETENTION_REASON);
        Boolean retained = (Boolean) rs.getObject(DatasetSchema.TEXT_RETAINED);
        Object date = rs.getObject(DatasetSchema.DATE);
        return new StoredCall(b.build(), LiveArrow.LIVE_RETENTION_REASON.equals(reason),
                retained != null && retained, reason,
                rs.getString(DatasetSchema.SYSTEM_PROMPT_HASH), rs.getString(DatasetSchema.TOOLS_HASH),
                rs.getString(DatasetSchema.INPUT_HASH), rs.getString(DatasetSchema.OUTPUT_HASH),
                longOrNull(rs.getObject(DatasetSchema.INPUT_CHARS)), longOrNull(rs.getObject(DatasetSchema.OUTPUT_CHARS)),
                longOrNull(rs.getObject(DatasetSchema.REDACTIONS)),
                date instanceof LocalDate d ? d : date == null ? null : LocalDate.parse(date.toString()));
    }

    private static Long longOrNull(Object o) {
        return o == null ? null : ((Number) o).longValue();
    }

    private static JsonNode json(Object v) {
        try {
            return CanonicalJson.mapper().readTree(v.toString());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("DuckDB returned unreadable JSON: " + e.getOriginalMessage(), e);
        }
    }

    private static List<String> stringList(JsonNode a) {
        List<String> out = new ArrayList<>();
        for (JsonNode n : a) {
            out.add(n.isNull() ? "" : n.asText());
        }
        return out;
    }

    private static List<Message> messages(JsonNode a) {
        List<Message> out = new ArrayList<>();
        for (JsonNode m : a) {
            out.add(new Message(text(m, "role") == null ? "" : text(m, "role"), text(m, "content"), text(m, "name"),
                    text(m, "tool_call_id")));
        }
        return out;
    }

    private static String text(JsonNode m, String key) {
        JsonNode n = m.get(key);
        return n == null || n.isNull() ? null : n.asText();
    }

    private static Map<String, String> attributes(JsonNode o) {
        Map<String, String> out = new LinkedHashMap<>();
        if (o.isObject()) {
            Iterator<Map.Entry<String, JsonNode>> it = o.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                out.put(e.getKey(), e.getValue().isNull() ? null : e.getValue().asText());
            }
        } else if (o.isArray()) { // some engines render MAP as [{key, value}]
            for (JsonNode kv : o) {
                out.put(kv.get("key").asText(), kv.get("value").isNull() ? null : kv.get("value").asText());
            }
        }
        out.values().removeIf(java.util.Objects::isNull);
        return out;
    }
}
