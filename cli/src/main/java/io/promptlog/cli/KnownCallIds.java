package io.promptlog.cli;

import io.promptlog.reader.PromptLogReader;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Which call_ids a promptlog home already holds, compacted or waiting in its queue, as of when it was
 * opened: what makes {@code import} idempotent. Asked in batches, so memory does not grow with the home.
 */
final class KnownCallIds implements AutoCloseable {
    private final PromptLogReader reader;

    private KnownCallIds(PromptLogReader reader) {
        this.reader = reader;
    }

    /** The ids of {@code home}; an empty set when it holds nothing yet. */
    static KnownCallIds of(Path home) {
        boolean any = Files.isDirectory(home.resolve("data")) || Files.isDirectory(home.resolve("queue"));
        return new KnownCallIds(any ? PromptLogReader.openHome(home) : null);
    }

    /** Those of {@code ids} the home holds. */
    Set<String> existing(List<String> ids) {
        Set<String> out = new HashSet<>();
        if (reader == null || ids.isEmpty() || reader.isEmpty()) {
            return out;
        }
        String marks = String.join(", ", java.util.Collections.nCopies(ids.size(), "?"));
        reader.sqlEach("SELECT DISTINCT call_id FROM calls WHERE call_id IN (" + marks + ")",
                row -> out.add(row.getString(1)), ids.toArray());
        return out;
    }

    @Override
    public void close() {
        if (reader != null) {
            reader.close();
        }
    }
}
