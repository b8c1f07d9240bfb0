package io.promptlog.compactor.internal;

import io.promptlog.format.DatasetLayout;
import io.promptlog.format.DatasetSchema;
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
 *
 * <p>The hashes live in a {@link TextHashSet} (a memory-mapped scratch file, {@link DatasetLayout#knownTextsFile}),
 * not on the heap: with a templated system prompt every call stores a new text. The heap keeps only the names
 * of the files read.
 */
final class KnownTexts implements AutoCloseable {
    private final Path dir;
    private final Path scratch;
    private TextHashSet hashes;
    private final Set<String> filesSeen = new HashSet<>();
    private final StatsCounters stats;

    /** @param scratch the file of the set of hashes (created on first use, deleted by {@link #close()}) */
    KnownTexts(Path dir, Path scratch, StatsCounters stats) {
        this.dir = dir;
        this.scratch = scratch;
        this.stats = stats;
    }

    boolean contains(String hash) {
        return hashes != null && hashes.contains(hash);
    }

    long size() {
        return hashes == null ? 0 : hashes.size();
    }

    /** Texts an erasure removed from the table: a later call with the same text stores it again. */
    void forget(java.util.Collection<String> removed) {
        if (hashes == null) {
            return;
        }
        for (String h : removed) {
            hashes.remove(h);
        }
    }

    void committed(Path file, Iterable<String> newHashes) throws IOException {
        TextHashSet set = set();
        for (String h : newHashes) {
            set.add(h);
        }
        // only once all are in: after a failure the next refresh reads the file's footer
        filesSeen.add(file.getFileName().toString());
    }

    void refresh() throws IOException {
        if (!Files.isDirectory(dir)) {
            return;
        }
        TextHashSet set = set();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, "*" + DatasetLayout.PARQUET)) {
            for (Path f : s) {
                String name = f.getFileName().toString();
                if (name.startsWith(".") || filesSeen.contains(name)) {
                    continue;
                }
                try {
                    String list = ParquetFiles.footerMetadata(f).get(DatasetSchema.KEY_HASHES);
                    if (list == null) {
                        filesSeen.add(name);
                        stats.note(f + " has no " + DatasetSchema.KEY_HASHES + " footer entry; its texts may be stored again");
                        continue;
                    }
                    int bad = 0;
                    for (String h : list.split(",")) {
                        if (h.isEmpty()) {
                            continue;
                        }
                        try {
                            set.add(h);
                        } catch (IllegalArgumentException e) {
                            bad++;
                        }
                    }
                    filesSeen.add(name);
                    if (bad > 0) {
                        stats.note(f + ": " + bad + " entries of its " + DatasetSchema.KEY_HASHES
                                + " footer entry are not text hashes; those texts may be stored again");
                    }
                } catch (IOException e) {
                    filesSeen.add(name);
                    stats.error("cannot read the footer of " + f + ": " + e.getMessage());
                }
            }
        }
    }

    private TextHashSet set() throws IOException {
        if (hashes == null) {
            hashes = TextHashSet.create(scratch);
        }
        return hashes;
    }

    /** Deletes the scratch file. */
    @Override
    public void close() throws IOException {
        if (hashes != null) {
            hashes.close();
            hashes = null;
        }
    }
}
