package io.promptlog.compactor.internal;

import io.promptlog.format.DatasetLayout;
import io.promptlog.format.DatasetSchema;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The hashes already stored in one text table directory ({@code system_prompts/} or
 * {@code tool_definitions/}), read from each committed file's hash column (or, in a file written before
 * 2026-12-03, its footer list {@link DatasetSchema#KEY_HASHES}). {@link #refresh()} reads only files not
 * seen before, so files committed by other hosts into a shared dataset are picked up before each batch (and
 * once more under the texts lock before a batch with new texts, or after an erasure, is committed,
 * {@link BatchCommitter}); when another compactor's erasure removed texts ({@link DatasetLayout#textsEpochFile}),
 * it reads every file again.
 *
 * <p>The hashes live in a {@link TextHashSet} (a memory-mapped scratch file, {@link DatasetLayout#knownTextsFile}),
 * not on the heap: with a templated system prompt every call stores a new text. The heap keeps only the names
 * of the files read.
 */
final class KnownTexts implements AutoCloseable {
    private final Path data;
    private final Path dir;
    private final DatasetSchema.TextTable table;
    private final Path scratch;
    private final StatsCounters stats;
    private final Set<String> filesSeen = new HashSet<>();
    private TextHashSet hashes;
    /** The {@link DatasetLayout#textsEpochFile} the set is up to date with (-1: not read yet, or read while it was odd). */
    private long epoch = -1;

    /** @param scratch the file of the set of hashes (created on first use, deleted by {@link #close()}) */
    KnownTexts(Path data, DatasetSchema.TextTable table, Path scratch, StatsCounters stats) {
        this.data = data;
        this.dir = DatasetLayout.textDir(data, table);
        this.table = table;
        this.scratch = scratch;
        this.stats = stats;
    }

    boolean contains(String hash) {
        return hashes != null && hashes.contains(hash);
    }

    /**
     * Texts this compactor's erasure removed from the table (a later call with the same text stores it
     * again), which moved the {@link DatasetLayout#textsEpochFile} from {@code before} to {@code after}: when this set had seen
     * {@code before}, it is now up to date with {@code after}; else another erasure happened too, and the next
     * {@link #refresh()} reads every file again.
     */
    void forget(java.util.Collection<String> removed, long before, long after) {
        if (hashes != null) {
            for (String h : removed) {
                hashes.remove(h);
            }
        }
        if (epoch == before) {
            epoch = after;
        }
    }

    void committed(Path file, Iterable<String> newHashes) throws IOException {
        TextHashSet set = set();
        for (String h : newHashes) {
            set.add(h);
        }
        // only once all are in: after a failure the next refresh reads the file
        filesSeen.add(file.getFileName().toString());
    }

    /**
     * Whether no erasure has removed texts since this set last read the text files: the texts epoch has not
     * moved (an erasure moves it, under the texts lock, before and after removing texts; {@link TextsEpoch}).
     * Then every text found stored still is, without listing the directory.
     */
    boolean epochUnchanged() throws IOException {
        return epoch >= 0 && TextsEpoch.read(data) == epoch;
    }

    /**
     * Reads the text files this set has not read (all of them when an erasure has removed texts since). When the
     * texts epoch is odd and the texts lock free, the erasure that made it odd has stopped: this takes the lock
     * and moves the epoch on ({@link #refreshHoldingTextsLock()}), so that every pass does not read every text
     * file again until some batch with texts commits.
     */
    void refresh() throws IOException {
        if (TextsEpoch.removing(TextsEpoch.read(data))) {
            try (DatasetLock l = DatasetLock.tryTexts(data)) {
                if (l != null) {
                    refresh(true);
                    return;
                }
            }
        }
        refresh(false);
    }

    /**
     * As {@link #refresh()}, by a compactor holding the texts lock: an odd texts epoch is moved on to even first
     * (the erasure that made it odd held the lock, so it has stopped; {@link TextsEpoch}).
     */
    void refreshHoldingTextsLock() throws IOException {
        refresh(true);
    }

    private void refresh(boolean holdingTextsLock) throws IOException {
        long now = TextsEpoch.read(data);
        if (holdingTextsLock && TextsEpoch.removing(now)) {
            now = TextsEpoch.endRemoval(data);
        }
        if (now != epoch || TextsEpoch.removing(now)) {
            if (hashes != null || !filesSeen.isEmpty()) {
                // an erasure elsewhere removed texts from files already read: read them all again (an
                // expected event, not a problem: no note)
                close();
                filesSeen.clear();
            }
            // what is read while an erasure removes texts (or after one stopped mid-way) is not trusted later
            epoch = TextsEpoch.removing(now) ? -1 : now;
        }
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
                List<String> held;
                try {
                    held = held(f, table).hashes();
                } catch (IOException | RuntimeException e) {
                    filesSeen.add(name);
                    stats.error("cannot read the hashes of " + f + ", its texts may be stored again: " + e.getMessage());
                    continue;
                }
                int bad = 0;
                for (String h : held) {
                    try {
                        set.add(h); // an IOException here (the scratch file) fails the pass, the file is read again
                    } catch (IllegalArgumentException e) {
                        bad++;
                    }
                }
                filesSeen.add(name);
                if (bad > 0) {
                    stats.note(f + ": " + bad + " of its hashes are not text hashes; those texts may be stored again");
                }
            }
        }
    }

    /** The hashes a text file holds, and whether they came from its footer list (which a rewrite keeps in step). */
    record Held(List<String> hashes, boolean listed) {
    }

    /**
     * The hashes text file {@code f} of {@code table} holds: its footer list when it has one (files written before
     * 2026-12-03), else its hash column; one open of the file either way. Empty entries are left out.
     */
    static Held held(Path f, DatasetSchema.TextTable table) throws IOException {
        List<String> out = new ArrayList<>();
        try (org.apache.parquet.hadoop.ParquetFileReader r = ParquetRewrite.open(f)) {
            String list = r.getFooter().getFileMetaData().getKeyValueMetaData().get(DatasetSchema.KEY_HASHES);
            if (list != null) {
                for (String h : list.split(",")) {
                    if (!h.isEmpty()) {
                        out.add(h);
                    }
                }
            } else {
                ParquetRewrite.forEachRow(r, List.of(table.hashColumn()), row -> out.add(row.getString(0, 0)));
            }
            return new Held(out, list != null);
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
