package io.promptlog.reader.internal;

import io.promptlog.format.DerivedValues;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The system prompts and tool definitions seen in live calls, each distinct text once (as the dataset
 * stores them): the live rows carry only the hash, like compacted rows, so a long prompt is not copied
 * into every row. Hashing is memoized per text.
 */
public final class LiveTexts {
    /** One distinct text. */
    public record Text(String hash, String text, long firstSeenMicros) {
    }

    private final DerivedValues derived = new DerivedValues();
    private final Map<String, String> hashByText = new HashMap<>();
    private final Map<String, Text> prompts = new LinkedHashMap<>();
    private final Map<String, Text> tools = new LinkedHashMap<>();

    String prompt(String text, Long startMicros) {
        return add(prompts, text, startMicros);
    }

    String tools(String text, Long startMicros) {
        return add(tools, text, startMicros);
    }

    private String add(Map<String, Text> into, String text, Long startMicros) {
        if (text == null) {
            return null;
        }
        String hash = hashByText.computeIfAbsent(text, derived::textHash);
        long t = startMicros == null ? Long.MAX_VALUE : startMicros;
        Text old = into.get(hash);
        if (old == null || t < old.firstSeenMicros()) {
            into.put(hash, new Text(hash, old == null ? text : old.text(), t));
        }
        return hash;
    }

    public Iterable<Text> prompts() {
        return prompts.values();
    }

    public Iterable<Text> tools() {
        return tools.values();
    }
}
