package io.promptlog.compactor.internal;

import io.promptlog.format.CallsFileListing;
import io.promptlog.format.DatasetSchema;

import java.io.IOException;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The call_ids the dataset already holds, per date, so that a call that reaches the compactor twice (its
 * call_id in two queue records: an app or client re-logging it, an {@code import} of calls that are also in
 * the queue, two imports racing) is stored once, however far apart the copies are in the queue and in
 * whichever batches they fall. The first copy committed wins; later ones are dropped and counted.
 *
 * <p>Scope: a call's date (from its start time) decides its partition, and copies of one call carry one
 * start time, so the index is kept per date: for a date a batch touches, a set of 64-bit hashes of every
 * call_id in that date's calls files (read once, then kept up to date with the files this compactor
 * commits, and with any file another process adds, found by listing the date's directory at each batch).
 * A hash match is confirmed against the files' actual call_ids before a row is dropped, so a hash collision
 * never loses a call. Memory: 16 to 32 bytes per call of the {@value #MAX_DATES} most recently used dates
 * (a table of longs at most half full); the first batch of a date after a start reads that date's call_id
 * column once.
 *
 * <p>Limitations: two compactors of different queues committing the same call_id into one date at the
 * same instant can both store it; a call_id whose row an erasure removed is still known here until the
 * compactor restarts.
 */
final class CallIdIndex {
    static final int MAX_DATES = 4;

    private final Path data;
    private final Map<LocalDate, Day> days = new LinkedHashMap<>(8, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<LocalDate, Day> eldest) {
            return size() > MAX_DATES;
        }
    };

    private static final class Day {
        final LongHashSet hashes = new LongHashSet();
        final Set<String> files = new HashSet<>();
    }

    CallIdIndex(Path data) {
        this.data = data;
    }

    /**
     * Removes from {@code rows} (the calls of one batch for {@code date}) every row whose call_id the
     * date's files already hold, except the call_ids in {@code replacing} (a late completion that replaces
     * its stored incomplete row: see {@link LateCompletions}), and every later copy of a call_id within
     * {@code rows}. Returns how many.
     */
    int dropKnown(LocalDate date, List<CompactedCall> rows, Set<String> replacing) throws IOException {
        Day day = load(date);
        // rows whose id hashes to one already stored: confirm them all with one read of the date's files
        Set<String> suspects = new HashSet<>();
        for (CompactedCall r : rows) {
            String id = r.call().callId();
            if (id != null && day.hashes.contains(hash(id)) && !replacing.contains(id)) {
                suspects.add(id);
            }
        }
        Set<String> stored = suspects.isEmpty() ? Set.of() : storedAmong(date, suspects);
        Set<String> kept = new HashSet<>();
        int dropped = 0;
        for (Iterator<CompactedCall> it = rows.iterator(); it.hasNext(); ) {
            String id = it.next().call().callId();
            if (id != null && (stored.contains(id) || !kept.add(id))) {
                it.remove();
                dropped++;
            }
        }
        return dropped;
    }

    /** Records the rows of a calls file this compactor has just renamed into {@code date}'s directory. */
    void committed(LocalDate date, Path file, List<CompactedCall> rows) {
        Day day = days.get(date);
        if (day == null) {
            return; // not loaded (evicted): read from the files when next needed
        }
        day.files.add(file.getFileName().toString());
        for (CompactedCall r : rows) {
            if (r.call().callId() != null) {
                day.hashes.add(hash(r.call().callId()));
            }
        }
    }

    /** The date's index, with any calls file added to its directory since it was last looked at. */
    private Day load(LocalDate date) throws IOException {
        Day day = days.computeIfAbsent(date, d -> new Day());
        for (Path f : callsFiles(date)) {
            if (day.files.add(f.getFileName().toString())) {
                readCallIds(f, id -> day.hashes.add(hash(id)));
            }
        }
        return day;
    }

    private Set<String> storedAmong(LocalDate date, Set<String> suspects) throws IOException {
        Set<String> out = new HashSet<>();
        for (Path f : callsFiles(date)) {
            readCallIds(f, id -> {
                if (suspects.contains(id)) {
                    out.add(id);
                }
            });
        }
        return out;
    }

    private List<Path> callsFiles(LocalDate date) throws IOException {
        return callsFiles(data, date);
    }

    /**
     * The calls files of {@code date} in the dataset {@code data}, as readers list them
     * ({@link CallsFileListing}: a merge in progress counts its sources until it commits, then its targets
     * only), so each stored call is read once.
     */
    static List<Path> callsFiles(Path data, LocalDate date) throws IOException {
        return CallsFileListing.listDay(data, date);
    }

    private static void readCallIds(Path file, java.util.function.Consumer<String> ids) throws IOException {
        try {
            ParquetRewrite.forEachRow(file, List.of(DatasetSchema.CALL_ID), g -> {
                if (g.getFieldRepetitionCount(DatasetSchema.CALL_ID) > 0) {
                    ids.accept(g.getString(DatasetSchema.CALL_ID, 0));
                }
            });
        } catch (java.nio.file.NoSuchFileException e) {
            // renamed or deleted since the listing (a merge, an erasure): its rows are in the file that replaced it
        }
    }

    /** A 64-bit hash of a call_id (FNV-1a over its chars, then a murmur3 finaliser). */
    static long hash(String id) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < id.length(); i++) {
            h ^= id.charAt(i);
            h *= 0x100000001b3L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }

    /** An open-addressing set of longs (8 bytes a slot, at most half full). */
    static final class LongHashSet {
        private static final long EMPTY = 0;
        private long[] slots = new long[1024];
        private int size;
        private boolean hasZero;

        boolean contains(long v) {
            if (v == EMPTY) {
                return hasZero;
            }
            int mask = slots.length - 1;
            for (int i = (int) (v ^ (v >>> 32)) & mask; ; i = (i + 1) & mask) {
                long s = slots[i];
                if (s == v) {
                    return true;
                }
                if (s == EMPTY) {
                    return false;
                }
            }
        }

        void add(long v) {
            if (v == EMPTY) {
                hasZero = true;
                return;
            }
            if (2 * (size + 1) > slots.length) {
                long[] old = slots;
                slots = new long[old.length * 2];
                size = 0;
                for (long s : old) {
                    if (s != EMPTY) {
                        insert(s);
                    }
                }
            }
            insert(v);
        }

        private void insert(long v) {
            int mask = slots.length - 1;
            for (int i = (int) (v ^ (v >>> 32)) & mask; ; i = (i + 1) & mask) {
                long s = slots[i];
                if (s == v) {
                    return;
                }
                if (s == EMPTY) {
                    slots[i] = v;
                    size++;
                    return;
                }
            }
        }

        int size() {
            return size + (hasZero ? 1 : 0);
        }
    }
}
