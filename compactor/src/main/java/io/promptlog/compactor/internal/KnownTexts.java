package io.promptlog.compactor.internal;

import io.promptlog.format.DatasetSchema;
import io.promptlog.format.DatasetLayout;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

/**
 * The hashes already stored in one text table directory ({@code system_prompts/} or
 * {@code tool_definitions/}), read from each committed file's footer ({@link DatasetSchema#KEY_HASHES}).
 * {@link #refresh()} reads only files not seen before, so files committed by other hosts into a shared
 * dataset are picked up before each batch.
 */
final class KnownTexts {
    private final Path dir;
    private final Set<String> hashes = new HashSet<>();
    private final Set<String> filesSeen = new HashSet<>();
    private final StatsCounters stats;

    KnownTexts(Path dir, StatsCounters stats) {
        this.dir = dir;
        this.stats = stats;
    }

    boolean contains(String hash) {
        return hashes.contains(hash);
    }

    int size() {
        return hashes.size();
    }

    /** Texts an erasure removed from the table: a later call with the same text stores it again. */
    void forget(java.util.Collection<String> removed) {
        hashes.removeAll(removed);
    }

    void committed(Path file, Iterable<String> newHashes) {
        filesSeen.add(file.getFileName().toString());
        for (String h : newHashes) {
            hashes.add(h);
        }
    }

    void refresh() throws IOException {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, "*" + DatasetLayout.PARQUET)) {
            for (Path f : s) {
                String name = f.getFileName().toString();
                if (name.startsWith(".") || !filesSeen.add(name)) {
                    continue;
                }
                try {
                    String list = ParquetFiles.footerMetadata(f).get(DatasetSchema.KEY_HASHES);
                    if (list == null) {
                        stats.note(f + " has no " + DatasetSchema.KEY_HASHES + " footer entry; its texts may be stored again");
                        continue;
                    }
                    for (String h : list.split(",")) {
                        if (!h.isEmpty()) {
                            hashes.add(h);
                        }
                    }
                } catch (IOException e) {
                    stats.error("cannot read the footer of " + f + ": " + e.getMessage());
                }
            }
        }
    }
}
