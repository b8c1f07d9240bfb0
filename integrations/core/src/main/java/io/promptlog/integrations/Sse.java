package io.promptlog.integrations;

import java.util.function.BiConsumer;

/** Splits server-sent-events text into events (WHATWG rules: {@code event:}, {@code data:}, blank line ends). */
final class Sse {
    private Sse() {
    }

    /**
     * Feeds each event's name (or null) and data to {@code sink}; an event cut off at the end of the text
     * is fed too. Returns true when some event's data could not be handled (e.g. was not JSON).
     */
    static boolean parse(String text, BiConsumer<String, String> sink) {
        boolean bad = false;
        String event = null;
        StringBuilder data = null;
        int p = 0;
        int n = text.length();
        while (p <= n) {
            int eol = p;
            while (eol < n && text.charAt(eol) != '\n' && text.charAt(eol) != '\r') {
                eol++;
            }
            String line = text.substring(p, eol);
            if (eol < n && text.charAt(eol) == '\r' && eol + 1 < n && text.charAt(eol + 1) == '\n') {
                eol++;
            }
            boolean last = eol >= n;
            if (line.isEmpty()) {
                if (data != null) {
                    bad |= deliver(sink, event, data.toString());
                }
                event = null;
                data = null;
            } else if (!line.startsWith(":")) {
                int colon = line.indexOf(':');
                String field = colon < 0 ? line : line.substring(0, colon);
                String value = colon < 0 ? "" : line.substring(colon + 1);
                if (value.startsWith(" ")) {
                    value = value.substring(1);
                }
                if (field.equals("event")) {
                    event = value;
                } else if (field.equals("data")) {
                    if (data == null) {
                        data = new StringBuilder(value);
                    } else {
                        data.append('\n').append(value);
                    }
                }
            }
            if (last) {
                break;
            }
            p = eol + 1;
        }
        if (data != null) {
            bad |= deliver(sink, event, data.toString());
        }
        return bad;
    }

    private static boolean deliver(BiConsumer<String, String> sink, String event, String data) {
        try {
            sink.accept(event, data);
            return false;
        } catch (IllegalArgumentException e) {
            return true;
        }
    }
}
