package io.promptlog.integrations;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small JSON reader and writer for provider bodies, so that core does not bring a Jackson version into
 * apps whose client library checks its own (openai-java refuses to start on an incompatible Jackson).
 * Objects are {@code LinkedHashMap<String, Object>} (key order kept), arrays {@code ArrayList}, numbers
 * {@code Long} when integral and in range else {@code Double}, and JSON null is Java null.
 *
 * <p>Public for the framework hooks (Spring AI, OpenTelemetry), which read and write message JSON the
 * same way without bringing a JSON library of their own.
 */
public final class Json {
    private final String s;
    private int p;

    private Json(String s) {
        this.s = s;
    }

    /**
     * Parses one JSON value; trailing whitespace is allowed, anything else is not.
     *
     * @throws IllegalArgumentException saying what was expected and at which character
     */
    public static Object parse(String text) {
        Json j = new Json(text);
        j.ws();
        Object v = j.value(0);
        j.ws();
        if (j.p != text.length()) {
            throw j.error("end of input");
        }
        return v;
    }

    /** Parses, returning null instead of throwing when the text is not one JSON value. */
    public static Object tryParse(String text) {
        try {
            return parse(text);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private Object value(int depth) {
        if (depth > 512) {
            throw error("nesting of at most 512 levels");
        }
        if (p >= s.length()) {
            throw error("a value");
        }
        char c = s.charAt(p);
        switch (c) {
            case '{': {
                p++;
                Map<String, Object> m = new LinkedHashMap<>();
                ws();
                if (peek('}')) {
                    p++;
                    return m;
                }
                while (true) {
                    ws();
                    if (!peek('"')) {
                        throw error("a string key");
                    }
                    String k = string();
                    ws();
                    expect(':');
                    ws();
                    m.put(k, value(depth + 1));
                    ws();
                    if (peek(',')) {
                        p++;
                    } else {
                        expect('}');
                        return m;
                    }
                }
            }
            case '[': {
                p++;
                List<Object> l = new ArrayList<>();
                ws();
                if (peek(']')) {
                    p++;
                    return l;
                }
                while (true) {
                    ws();
                    l.add(value(depth + 1));
                    ws();
                    if (peek(',')) {
                        p++;
                    } else {
                        expect(']');
                        return l;
                    }
                }
            }
            case '"':
                return string();
            case 't':
                word("true");
                return Boolean.TRUE;
            case 'f':
                word("false");
                return Boolean.FALSE;
            case 'n':
                word("null");
                return null;
            default:
                if (c == '-' || (c >= '0' && c <= '9')) {
                    return number();
                }
                throw error("a value");
        }
    }

    private String string() {
        p++; // opening quote
        StringBuilder sb = null;
        int start = p;
        while (true) {
            if (p >= s.length()) {
                throw error("a closing quote");
            }
            char c = s.charAt(p);
            if (c == '"') {
                String out = sb == null ? s.substring(start, p) : sb.append(s, start, p).toString();
                p++;
                return out;
            }
            if (c == '\\') {
                if (sb == null) {
                    sb = new StringBuilder();
                }
                sb.append(s, start, p);
                if (p + 1 >= s.length()) {
                    throw error("an escape");
                }
                char e = s.charAt(p + 1);
                p += 2;
                switch (e) {
                    case '"', '\\', '/' -> sb.append(e);
                    case 'b' -> sb.append('\b');
                    case 'f' -> sb.append('\f');
                    case 'n' -> sb.append('\n');
                    case 'r' -> sb.append('\r');
                    case 't' -> sb.append('\t');
                    case 'u' -> {
                        if (p + 4 > s.length()) {
                            throw error("four hex digits");
                        }
                        try {
                            sb.append((char) Integer.parseInt(s.substring(p, p + 4), 16));
                        } catch (NumberFormatException ex) {
                            throw error("four hex digits");
                        }
                        p += 4;
                    }
                    default -> throw error("a valid escape");
                }
                start = p;
            } else if (c < 0x20) {
                throw error("no control character in a string");
            } else {
                p++;
            }
        }
    }

    private Object number() {
        int start = p;
        boolean integral = true;
        if (peek('-')) {
            p++;
        }
        while (p < s.length()) {
            char c = s.charAt(p);
            if (c >= '0' && c <= '9') {
                p++;
            } else if (c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-') {
                integral = false;
                p++;
            } else {
                break;
            }
        }
        String n = s.substring(start, p);
        try {
            if (integral && n.length() < 19) {
                return Long.parseLong(n);
            }
            return Double.parseDouble(n);
        } catch (NumberFormatException e) {
            p = start;
            throw error("a number");
        }
    }

    private void word(String w) {
        if (!s.startsWith(w, p)) {
            throw error(w);
        }
        p += w.length();
    }

    private boolean peek(char c) {
        return p < s.length() && s.charAt(p) == c;
    }

    private void expect(char c) {
        if (!peek(c)) {
            throw error("'" + c + "'");
        }
        p++;
    }

    private void ws() {
        while (p < s.length()) {
            char c = s.charAt(p);
            if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
                p++;
            } else {
                break;
            }
        }
    }

    private IllegalArgumentException error(String expected) {
        String at = p < s.length() ? "'" + s.charAt(p) + "'" : "end of input";
        return new IllegalArgumentException("invalid JSON: expected " + expected + " at character " + p + ", found " + at);
    }

    // ---- writing -----------------------------------------------------------------------------------

    /** Compact JSON text of a value built of maps, lists, strings, numbers, booleans and nulls. */
    public static String write(Object v) {
        StringBuilder sb = new StringBuilder();
        write(v, sb);
        return sb.toString();
    }

    private static void write(Object v, StringBuilder sb) {
        if (v == null) {
            sb.append("null");
        } else if (v instanceof String str) {
            quote(str, sb);
        } else if (v instanceof Map<?, ?> m) {
            sb.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (!first) {
                    sb.append(',');
                }
                first = false;
                quote(String.valueOf(e.getKey()), sb);
                sb.append(':');
                write(e.getValue(), sb);
            }
            sb.append('}');
        } else if (v instanceof List<?> l) {
            sb.append('[');
            for (int i = 0; i < l.size(); i++) {
                if (i > 0) {
                    sb.append(',');
                }
                write(l.get(i), sb);
            }
            sb.append(']');
        } else if (v instanceof Double d && (d.isNaN() || d.isInfinite())) {
            sb.append("null");
        } else {
            sb.append(v);
        }
    }

    private static void quote(String str, StringBuilder sb) {
        sb.append('"');
        for (int i = 0; i < str.length(); i++) {
            char c = str.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }

    // ---- navigation helpers --------------------------------------------------------------------------

    @SuppressWarnings("unchecked")
    public static Map<String, Object> obj(Object v) {
        return v instanceof Map<?, ?> ? (Map<String, Object>) v : null;
    }

    @SuppressWarnings("unchecked")
    public static List<Object> arr(Object v) {
        return v instanceof List<?> ? (List<Object>) v : null;
    }

    public static Map<String, Object> obj(Map<String, Object> m, String key) {
        return m == null ? null : obj(m.get(key));
    }

    public static List<Object> arr(Map<String, Object> m, String key) {
        return m == null ? null : arr(m.get(key));
    }

    public static String str(Map<String, Object> m, String key) {
        Object v = m == null ? null : m.get(key);
        return v instanceof String str ? str : null;
    }

    public static Long lng(Map<String, Object> m, String key) {
        Object v = m == null ? null : m.get(key);
        return v instanceof Long l ? l : v instanceof Double d && d == Math.rint(d) ? (Long) d.longValue() : null;
    }

    public static Double dbl(Map<String, Object> m, String key) {
        Object v = m == null ? null : m.get(key);
        return v instanceof Number n ? n.doubleValue() : null;
    }

    public static Boolean bool(Map<String, Object> m, String key) {
        Object v = m == null ? null : m.get(key);
        return v instanceof Boolean b ? b : null;
    }
}
