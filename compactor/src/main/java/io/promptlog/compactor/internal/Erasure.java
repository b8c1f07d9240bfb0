package io.promptlog.compactor.internal;

import io.promptlog.compactor.ErasureRequest;
import io.promptlog.compactor.ErasureResult;
import io.promptlog.format.DatasetLayout;
import io.promptlog.format.DatasetSchema;
import io.promptlog.writer.CallField;
import org.apache.parquet.example.data.Group;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Erases calls from the dataset by rewriting the Parquet files that hold them ({@link ParquetRewrite}: each
 * file replaced atomically). Order, chosen so that a run killed at any point is finished by running it
 * again (every step is idempotent, and what a later step needs is still on disk until that step is done):
 * <ol>
 * <li>plan: read the selection columns of every calls file; collect the system prompt and tools hashes the
 * selected calls use, and those other calls use;</li>
 * <li>text tables: the files holding texts used only by selected calls rewritten without them (rows and footer
 * hash list) to temps; then, under the texts lock ({@link DatasetLock#texts}, under which every compactor
 * commits its calls, so it waits only for the renames): keep the texts that calls committed since the plan use
 * (rewriting those temps again, a rare case), rename the temps into place, and move the texts epoch so that
 * other compactors read the text files again;</li>
 * <li>calls files: erase the text columns of selected rows (or drop them), and their link to a removed
 * text.</li>
 * </ol>
 * Text retention (TTL) uses the same rewrite with "started before" as its selection.
 */
final class Erasure {
    /** The columns of a call's text, erased (written NULL): the consent fields and their hashes. */
    static final Set<String> TEXT_COLUMNS;

    static {
        Set<String> s = new HashSet<>();
        for (CallField f : CallField.NO_TEXT_FIELDS) {
            if (f != CallField.SYSTEM_PROMPT && f != CallField.TOOLS) {
                s.add(f.column());
            }
        }
        s.add(DatasetSchema.INPUT_HASH);
        s.add(DatasetSchema.OUTPUT_HASH);
        s.add(DatasetSchema.RETENTION_REASON);
        TEXT_COLUMNS = Set.copyOf(s);
    }

    private static final List<String> PLAN_COLUMNS = List.of(CallField.USER_ID.column(), CallField.CALL_ID.column(),
            CallField.START_TIME.column(), DatasetSchema.SYSTEM_PROMPT_HASH, DatasetSchema.TOOLS_HASH);

    private final Path data;
    private final int zstdLevel;
    private final long rowGroupBytes;

    Erasure(Path data, int zstdLevel, long rowGroupBytes) {
        this.data = data;
        this.zstdLevel = zstdLevel;
        this.rowGroupBytes = rowGroupBytes;
    }

    /** Counts of one run, before the queue part; the texts epoch ({@link DatasetLayout#textsEpochFile}) before and after it. */
    record Outcome(int callsFiles, int textFiles, long erased, long dropped, Set<String> promptsRemoved,
                   Set<String> toolsRemoved, long epochBefore, long epochAfter) {
    }

    Outcome run(ErasureRequest req, java.util.function.Consumer<String> progress) throws IOException {
        deleteStaleTemps();
        List<Path> callsFiles = parquetFiles(DatasetLayout.callsDir(data));
        Set<String> promptsSelected = new HashSet<>();
        Set<String> promptsOther = new HashSet<>();
        Set<String> toolsSelected = new HashSet<>();
        Set<String> toolsOther = new HashSet<>();
        List<Path> touched = new ArrayList<>();
        for (Path f : callsFiles) {
            boolean[] any = new boolean[1];
            ParquetRewrite.forEachRow(f, PLAN_COLUMNS, g -> {
                boolean sel = req.selects(string(g, CallField.USER_ID.column()), string(g, CallField.CALL_ID.column()),
                        int64(g, CallField.START_TIME.column()));
                any[0] |= sel;
                add(sel ? promptsSelected : promptsOther, string(g, DatasetSchema.SYSTEM_PROMPT_HASH));
                add(sel ? toolsSelected : toolsOther, string(g, DatasetSchema.TOOLS_HASH));
            });
            if (any[0]) {
                touched.add(f);
            }
        }
        Set<String> promptsOnly = new HashSet<>(promptsSelected);
        promptsOnly.removeAll(promptsOther);
        Set<String> toolsOnly = new HashSet<>(toolsSelected);
        toolsOnly.removeAll(toolsOther);

        progress.accept("found " + touched.size() + " of " + callsFiles.size() + " calls files to rewrite, "
                + promptsOnly.size() + " system prompts and " + toolsOnly.size() + " tool definitions used only by the selected calls");
        int textFiles = 0;
        long epochBefore;
        long epochAfter;
        // the text files are rewritten to temps first, without the lock (other compactors keep committing);
        // texts are removed (the temps renamed into place) under the texts lock, under which every compactor
        // commits its calls (BatchCommitter)
        List<ParquetRewrite.Prepared> drops = new ArrayList<>();
        Exception failed = null;
        try {
            prepareTextDrops(promptsOnly, toolsOnly, drops);
            try (DatasetLock l = DatasetLock.texts(data)) {
                if (keepTextsOfCallsCommittedSince(callsFiles, promptsOnly, toolsOnly)) {
                    // calls committed meanwhile use some of these texts (rare): write the text files again
                    closeAll(drops);
                    drops.clear();
                    prepareTextDrops(promptsOnly, toolsOnly, drops);
                }
                epochBefore = TextsEpoch.read(data);
                if (drops.stream().anyMatch(ParquetRewrite.Prepared::changes)) {
                    textFiles = installTextDrops(drops, progress);
                }
                epochAfter = TextsEpoch.read(data);
            }
        } catch (IOException | RuntimeException e) {
            failed = e;
            throw e;
        } finally {
            try {
                closeAll(drops); // the temps not installed (a later erasure also removes stale ones)
            } catch (IOException e) {
                if (failed == null) {
                    throw e;
                }
                failed.addSuppressed(e);
            }
        }

        int callsRewritten = 0;
        long erased = 0;
        long dropped = 0;
        for (Path f : touched) {
            ParquetRewrite.Counts c = ParquetRewrite.rewrite(f, true, row -> change(row, req, promptsOnly, toolsOnly),
                    Map.of(), zstdLevel, rowGroupBytes);
            if (c.changed() + c.dropped() > 0) {
                callsRewritten++;
                progress.accept("rewrote " + data.relativize(f) + ": " + c.changed() + " erased, " + c.dropped() + " dropped");
            }
            erased += c.changed();
            dropped += c.dropped();
        }
        return new Outcome(callsRewritten, textFiles, erased, dropped, promptsOnly, toolsOnly, epochBefore, epochAfter);
    }

    /**
     * Renames the rewritten text files into place between the two moves of the texts epoch: odd while texts are
     * being removed, even after ({@link TextsEpoch}), so a kill between the renames and the second move leaves it
     * odd, which other compactors do not trust. The caller holds the texts lock. Returns the files renamed.
     */
    private int installTextDrops(List<ParquetRewrite.Prepared> drops, java.util.function.Consumer<String> progress)
            throws IOException {
        TextsEpoch.beginRemoval(data);
        int files = 0;
        try {
            for (ParquetRewrite.Prepared d : drops) {
                if (d.changes()) {
                    d.install();
                    files++;
                    progress.accept("rewrote " + data.relativize(d.file()) + ": " + d.counts().dropped() + " texts removed");
                }
            }
        } catch (IOException | RuntimeException e) {
            try {
                TextsEpoch.endRemoval(data);
            } catch (IOException again) {
                e.addSuppressed(again);
            }
            throw e;
        }
        TextsEpoch.endRemoval(data);
        return files;
    }

    /**
     * Keeps the texts that calls committed since the plan use: another compactor (another host, or the app's
     * own while this one runs from the command line) may have committed calls with a text the plan found used
     * only by the selected calls. Called under the texts lock, so no calls file appears meanwhile. Returns
     * whether it kept any.
     */
    private boolean keepTextsOfCallsCommittedSince(List<Path> planned, Set<String> promptsOnly, Set<String> toolsOnly)
            throws IOException {
        if (promptsOnly.isEmpty() && toolsOnly.isEmpty()) {
            return false;
        }
        boolean[] kept = {false};
        Set<Path> seen = new HashSet<>(planned);
        for (Path f : parquetFiles(DatasetLayout.callsDir(data))) {
            if (!seen.contains(f)) {
                ParquetRewrite.forEachRow(f, List.of(DatasetSchema.SYSTEM_PROMPT_HASH, DatasetSchema.TOOLS_HASH), g -> {
                    String p = string(g, DatasetSchema.SYSTEM_PROMPT_HASH);
                    String t = string(g, DatasetSchema.TOOLS_HASH);
                    kept[0] |= p != null && promptsOnly.remove(p);
                    kept[0] |= t != null && toolsOnly.remove(t);
                });
            }
        }
        return kept[0];
    }

    /** The change for one full row; KEEP when it is not selected or already erased (so re-runs skip it). */
    static ParquetRewrite.Change change(Group row, ErasureRequest req, Set<String> promptsOnly, Set<String> toolsOnly) {
        if (!req.selects(string(row, CallField.USER_ID.column()), string(row, CallField.CALL_ID.column()),
                int64(row, CallField.START_TIME.column()))) {
            return ParquetRewrite.Change.KEEP;
        }
        if (req.allFields()) {
            return ParquetRewrite.Change.DROP;
        }
        return textErased(row, promptsOnly, toolsOnly);
    }

    /** Erases the text columns of a row (KEEP when there is nothing left to erase). */
    static ParquetRewrite.Change textErased(Group row, Set<String> promptsOnly, Set<String> toolsOnly) {
        Set<String> nulled = new HashSet<>();
        for (String c : TEXT_COLUMNS) {
            if (present(row, c)) {
                nulled.add(c);
            }
        }
        String ph = string(row, DatasetSchema.SYSTEM_PROMPT_HASH);
        if (ph != null && promptsOnly.contains(ph)) {
            nulled.add(DatasetSchema.SYSTEM_PROMPT_HASH);
        }
        String th = string(row, DatasetSchema.TOOLS_HASH);
        if (th != null && toolsOnly.contains(th)) {
            nulled.add(DatasetSchema.TOOLS_HASH);
        }
        boolean retained = present(row, DatasetSchema.TEXT_RETAINED) && row.getBoolean(DatasetSchema.TEXT_RETAINED, 0);
        if (nulled.isEmpty() && !retained) {
            return ParquetRewrite.Change.KEEP;
        }
        return new ParquetRewrite.Change(false, nulled, Map.of(DatasetSchema.TEXT_RETAINED, false));
    }

    /** The text files rewritten (to temps, not in place yet) without the texts of {@code prompts} and {@code tools}. */
    private void prepareTextDrops(Set<String> prompts, Set<String> tools, List<ParquetRewrite.Prepared> out)
            throws IOException {
        prepareTextDrops(DatasetSchema.SYSTEM_PROMPTS, prompts, out);
        prepareTextDrops(DatasetSchema.TOOL_DEFINITIONS, tools, out);
    }

    private void prepareTextDrops(DatasetSchema.TextTable table, Set<String> hashes, List<ParquetRewrite.Prepared> out)
            throws IOException {
        if (hashes.isEmpty()) {
            return;
        }
        for (Path f : parquetFiles(DatasetLayout.textDir(data, table))) {
            KnownTexts.Held held = KnownTexts.held(f, table);
            List<String> keep = new ArrayList<>();
            boolean hit = false;
            for (String h : held.hashes()) {
                if (hashes.contains(h)) {
                    hit = true;
                } else {
                    keep.add(h);
                }
            }
            if (!hit) {
                continue;
            }
            ParquetRewrite.Prepared p = ParquetRewrite.prepare(f, false,
                    row -> hashes.contains(string(row, table.hashColumn())) ? ParquetRewrite.Change.DROP : ParquetRewrite.Change.KEEP,
                    held.listed() ? Map.of(DatasetSchema.KEY_HASHES, String.join(",", keep)) : Map.of(), zstdLevel, rowGroupBytes);
            out.add(p);
        }
    }

    private static void closeAll(List<ParquetRewrite.Prepared> prepared) throws IOException {
        IOException first = null;
        for (ParquetRewrite.Prepared p : prepared) {
            try {
                p.close();
            } catch (IOException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    /**
     * Text retention: erases the text of calls of the days before {@code cutoffDay}, file by file for
     * the date partitions wholly before it; a file done is marked in its footer and not read again.
     */
    static int dropTextBefore(Path data, java.time.LocalDate cutoffDay, int zstdLevel, long rowGroupBytes) throws IOException {
        int rewritten = 0;
        for (Path f : parquetFiles(DatasetLayout.callsDir(data))) {
            String dir = f.getParent().getFileName().toString();
            if (!dir.startsWith(DatasetLayout.DATE_PREFIX)) {
                continue;
            }
            java.time.LocalDate day;
            try {
                day = java.time.LocalDate.parse(dir.substring(DatasetLayout.DATE_PREFIX.length()));
            } catch (java.time.format.DateTimeParseException e) {
                continue;
            }
            if (!day.isBefore(cutoffDay) || "true".equals(ParquetFiles.footerMetadata(f).get(KEY_TEXT_EXPIRED))) {
                continue;
            }
            ParquetRewrite.rewrite(f, true, row -> textErased(row, java.util.Set.of(), java.util.Set.of()),
                    Map.of(KEY_TEXT_EXPIRED, "true"), zstdLevel, rowGroupBytes);
            rewritten++;
        }
        return rewritten;
    }

    /** Footer entry of a calls file whose text the retention period has erased. */
    static final String KEY_TEXT_EXPIRED = "promptlog.text_expired";

    /** Removes temp files a killed rewrite left (they are never read; this keeps them from outliving it). */
    private void deleteStaleTemps() throws IOException {
        if (!Files.isDirectory(data)) {
            return;
        }
        try (Stream<Path> s = Files.walk(data)) {
            for (Path p : s.filter(p -> p.getFileName().toString().endsWith(ParquetRewrite.TEMP_SUFFIX)).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    static List<Path> parquetFiles(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> {
                String n = p.getFileName().toString();
                return n.endsWith(DatasetLayout.PARQUET) && !n.startsWith(".") && Files.isRegularFile(p);
            }).sorted().toList();
        }
    }

    private static void add(Set<String> set, String v) {
        if (v != null) {
            set.add(v);
        }
    }

    static boolean present(Group g, String column) {
        return g.getType().containsField(column) && g.getFieldRepetitionCount(g.getType().getFieldIndex(column)) > 0;
    }

    static String string(Group g, String column) {
        return present(g, column) ? g.getString(column, 0) : null;
    }

    static Long int64(Group g, String column) {
        return present(g, column) ? g.getLong(column, 0) : null;
    }
}
