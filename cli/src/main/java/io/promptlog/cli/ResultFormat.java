package io.promptlog.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.promptlog.reader.CanonicalJson;
import io.promptlog.reader.QueryResult;
import io.promptlog.reader.Timestamps;

import java.io.PrintWriter;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Renders a {@link QueryResult} as an aligned text table, CSV (RFC 4180) or a JSON array of objects. */
enum ResultFormat {
    table, csv, json;

    private static final int MAX_CELL = 60;

    void print(QueryResult r, PrintWriter out) {
        switch (this) {
            case table -> table(r, out, MAX_CELL);
            case csv -> csv(r, out);
            case json -> json(r, out);
        }
        out.flush();
    }

    static void table(QueryResult r, PrintWriter out, int maxCell) {
        int n = r.columns().size();
        int[] w = new int[n];
        List<String[]> cells = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            w[i] = r.columns().get(i).length();
        }
        for (List<Object> row : r.rows()) {
            String[] c = new String[n];
            for (int i = 0; i < n; i++) {
                String s = oneLine(text(row.get(i)));
                if (s.length() > maxCell) {
                    s = s.substring(0, maxCell - 1) + "…";
                }
                c[i] = s;
                w[i] = Math.max(w[i], s.length());
            }
            cells.add(c);
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.append(i == 0 ? "" : "  ").append(pad(r.columns().get(i), w[i], false));
        }
        out.println(sb.toString().stripTrailing());
        sb.setLength(0);
        for (int i = 0; i < n; i++) {
            sb.append(i == 0 ? "" : "  ").append("-".repeat(w[i]));
        }
        out.println(sb);
        for (String[] c : cells) {
            sb.setLength(0);
            for (int i = 0; i < n; i++) {
                sb.append(i == 0 ? "" : "  ").append(pad(c[i], w[i], numeric(r.types().get(i))));
            }
            out.println(sb.toString().stripTrailing());
        }
        out.println("(" + r.rowCount() + (r.rowCount() == 1 ? " row)" : " rows)"));
    }

    private static boolean numeric(String type) {
        return type.matches("(BIGINT|INTEGER|SMALLINT|TINYINT|HUGEINT|UBIGINT|UINTEGER|DOUBLE|FLOAT|DECIMAL.*)");
    }

    private static String pad(String s, int w, boolean right) {
        int gap = w - s.length();
        if (gap <= 0) {
            return s;
        }
        return right ? " ".repeat(gap) + s : s + " ".repeat(gap);
    }

    static String oneLine(String s) {
        return s.replace("\r", "\\r").replace("\n", "\\n").replace("\t", " ");
    }

    static void csv(QueryResult r, PrintWriter out) {
        out.print(csvLine(new ArrayList<>(r.columns())));
        for (List<Object> row : r.rows()) {
            List<Object> texts = new ArrayList<>();
            for (Object v : row) {
                texts.add(v == null ? null : text(v));
            }
            out.print(csvLine(texts));
        }
    }

    private static String csvLine(List<Object> values) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < values.size(); i++) {
            if (i > 0) {
                sb.append(',');
            }
            Object v = values.get(i);
            if (v == null) {
                continue;
            }
            String s = v.toString();
            if (s.indexOf(',') >= 0 || s.indexOf('"') >= 0 || s.indexOf('\n') >= 0 || s.indexOf('\r') >= 0) {
                sb.append('"').append(s.replace("\"", "\"\"")).append('"');
            } else {
                sb.append(s);
            }
        }
        return sb.append("\r\n").toString();
    }

    static void json(QueryResult r, PrintWriter out) {
        ArrayNode a = JsonNodeFactory.instance.arrayNode();
        for (List<Object> row : r.rows()) {
            ObjectNode o = a.addObject();
            for (int i = 0; i < r.columns().size(); i++) {
                o.set(r.columns().get(i), node(row.get(i)));
            }
        }
        try {
            out.println(Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(a));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A value as JSON: numbers stay numbers, timestamps become RFC 3339 UTC strings. */
    static JsonNode node(Object v) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        if (v == null) {
            return f.nullNode();
        }
        if (v instanceof Boolean b) {
            return f.booleanNode(b);
        }
        if (v instanceof Long l) {
            return f.numberNode(l);
        }
        if (v instanceof Integer i) {
            return f.numberNode(i);
        }
        if (v instanceof Short s) {
            return f.numberNode(s);
        }
        if (v instanceof Byte b) {
            return f.numberNode(b);
        }
        if (v instanceof Double d) {
            return d.isNaN() || d.isInfinite() ? f.textNode(d.toString()) : f.numberNode(d);
        }
        if (v instanceof Float d) {
            return f.numberNode(d);
        }
        if (v instanceof BigInteger b) {
            return f.numberNode(b);
        }
        if (v instanceof BigDecimal b) {
            return f.numberNode(b);
        }
        if (v instanceof List<?> l) {
            ArrayNode a = f.arrayNode();
            l.forEach(x -> a.add(node(x)));
            return a;
        }
        if (v instanceof Map<?, ?> m) {
            ObjectNode o = f.objectNode();
            m.forEach((k, x) -> o.set(String.valueOf(k), node(x)));
            return o;
        }
        return f.textNode(text(v));
    }

    /** A value as display text. */
    static String text(Object v) {
        if (v == null) {
            return "";
        }
        if (v instanceof OffsetDateTime t) {
            return Timestamps.format(t.toEpochSecond() * 1_000_000L + t.getNano() / 1_000);
        }
        if (v instanceof java.sql.Timestamp t) {
            return t.toInstant().toString();
        }
        if (v instanceof Double d) {
            return d.toString();
        }
        if (v instanceof List<?> || v instanceof Map<?, ?>) {
            return node(v).toString();
        }
        if (v instanceof byte[] b) {
            return java.util.HexFormat.of().formatHex(b);
        }
        return v.toString();
    }
}
