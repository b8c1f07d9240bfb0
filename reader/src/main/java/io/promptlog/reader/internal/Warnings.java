package io.promptlog.reader.internal;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Problems that did not stop the reader (unreadable queue records, corrupt files set aside), kept for
 * {@code warnings()} and delivered once each to a listener as they happen.
 */
public final class Warnings {
    private final List<String> warnings = new ArrayList<>();
    private final Set<Path> reportedSkips = new HashSet<>();
    private Consumer<String> listener;

    public void warn(String w) {
        warnings.add(w);
        if (listener != null) {
            listener.accept(w);
        }
    }

    /** Every warning so far, the files set aside last. */
    public List<String> all(Map<Path, String> skipped) {
        List<String> out = new ArrayList<>(warnings);
        for (Map.Entry<Path, String> e : skipped.entrySet()) {
            out.add(skipWarning(e.getKey(), e.getValue()));
        }
        return out;
    }

    /** Sets the listener and delivers the warnings so far. */
    public void listener(Consumer<String> l, Map<Path, String> skipped) {
        this.listener = l;
        for (String w : warnings) {
            l.accept(w);
        }
        reportSkips(skipped);
    }

    /** Delivers the files set aside that the listener has not heard of yet. */
    public void reportSkips(Map<Path, String> skipped) {
        for (Map.Entry<Path, String> e : skipped.entrySet()) {
            if (listener != null && reportedSkips.add(e.getKey())) {
                listener.accept(skipWarning(e.getKey(), e.getValue()));
            }
        }
    }

    private static String skipWarning(Path file, String reason) {
        return "skipped corrupt Parquet file " + file + ": " + reason;
    }
}
