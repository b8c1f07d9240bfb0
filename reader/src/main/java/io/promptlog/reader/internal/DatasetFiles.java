package io.promptlog.reader.internal;

import io.promptlog.format.CallsFileListing;
import io.promptlog.format.DatasetLayout;
import io.promptlog.format.DatasetSchema;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The Parquet files of a dataset directory ({@code calls/date=.../*.parquet}, {@code system_prompts/*.parquet},
 * {@code tool_definitions/*.parquet}), minus those found corrupt. A file is set aside (and named in
 * {@link #skipped()}) when it lacks Parquet's magic bytes at either end, or when DuckDB fails reading it;
 * the others stay queryable.
 */
public final class DatasetFiles {
    private static final byte[] MAGIC = "PAR1".getBytes(StandardCharsets.US_ASCII);

    private final Path dataDir;
    private final Map<Path, String> skipped = new LinkedHashMap<>();
    private List<Path> calls = List.of();
    private List<Path> systemPrompts = List.of();
    private List<Path> toolDefinitions = List.of();
    private boolean scanned;
    private boolean textsScanned;
    /** The calls files {@link #callsOn} listed last (before any scan); null: none yet. */
    private List<Path> listed;

    public DatasetFiles(Path dataDir) {
        this.dataDir = dataDir;
    }

    public Path dataDir() {
        return dataDir;
    }

    /** Lists the files again (they come and go while a compactor runs). */
    public void scan() {
        calls = listCalls(null);
        scanned = true;
        scanTexts();
    }

    /**
     * The calls files of one {@code date} partition, checked like {@link #calls()}, without checking (or
     * handing DuckDB) the files of any other day: what a lookup of one call by its UUIDv7 id needs. Taken
     * from the last {@link #scan()}, or else from a listing of that day's directory alone (through the merge
     * journal, like every listing of calls files).
     */
    public List<Path> callsOn(java.time.LocalDate date) {
        String dirName = DatasetLayout.dateDir(dataDir, date).getFileName().toString();
        if (scanned) {
            return calls.stream().filter(p -> p.getParent().getFileName().toString().equals(dirName)).toList();
        }
        List<Path> out = listCalls(date);
        listed = out;
        return out;
    }

    /**
     * The calls files (of one day when {@code day} is not null) through {@link CallsFileListing}, which honours
     * the merge journal (every call in exactly one listed file), minus damaged ones. A file that vanished
     * between listing and checking means a merge finished meanwhile: the listing is taken again, so a merge's
     * sources are never dropped without its targets.
     */
    private List<Path> listCalls(java.time.LocalDate day) {
        for (int attempt = 0; ; attempt++) {
            List<Path> found;
            try {
                found = day == null ? CallsFileListing.list(dataDir) : CallsFileListing.listDay(dataDir, day);
            } catch (IOException e) {
                throw new IllegalStateException("cannot list the calls files of " + dataDir + ": " + e.getMessage(), e);
            }
            List<Path> out = new ArrayList<>();
            if (!checked(found, out) || attempt >= 20) {
                return out;
            }
        }
    }

    /** Lists the system prompt and tool definition files again (few: one per compaction that met a new text). */
    public void scanTexts() {
        systemPrompts = list(DatasetLayout.textDir(dataDir, DatasetSchema.SYSTEM_PROMPTS));
        toolDefinitions = list(DatasetLayout.textDir(dataDir, DatasetSchema.TOOL_DEFINITIONS));
        textsScanned = true;
    }

    /** Whether {@link #scanTexts()} (or {@link #scan()}) ran. */
    public boolean textsScanned() {
        return textsScanned;
    }

    private List<Path> list(Path dir) {
        List<Path> out = new ArrayList<>();
        try {
            checked(CallsFileListing.parquetFilesUnder(dir), out);
        } catch (IOException e) {
            throw new IllegalStateException("cannot list " + dir + ": " + e.getMessage(), e);
        }
        return out;
    }

    /**
     * Adds the listed files minus those set aside to {@code out}, each checked for Parquet's magic bytes (a bad
     * one is set aside); returns whether a file vanished since it was listed (replaced or deleted by a
     * compactor: not a damaged file).
     */
    private boolean checked(List<Path> found, List<Path> out) {
        boolean vanished = false;
        for (Path abs : found) {
            if (skipped.containsKey(abs)) {
                continue;
            }
            String problem = checkMagic(abs);
            if (problem == null) {
                out.add(abs);
            } else if (Files.exists(abs)) {
                skipped.put(abs, problem);
            } else {
                vanished = true;
            }
        }
        return vanished;
    }

    static String checkMagic(Path file) {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
            long n = f.length();
            if (n < 12) {
                return "not a Parquet file: only " + n + " bytes";
            }
            byte[] head = new byte[4];
            byte[] tail = new byte[4];
            f.readFully(head);
            f.seek(n - 4);
            f.readFully(tail);
            if (!java.util.Arrays.equals(head, MAGIC) || !java.util.Arrays.equals(tail, MAGIC)) {
                return "not a Parquet file: no PAR1 magic bytes at its " + (java.util.Arrays.equals(head, MAGIC) ? "end" : "start")
                        + " (truncated or overwritten)";
            }
            return null;
        } catch (IOException e) {
            return "cannot read: " + e.getMessage();
        }
    }

    public List<Path> calls() {
        return calls;
    }

    /** The calls files of the last scan, or before any scan those of the listing {@link #callsOn} took. */
    private List<Path> callsKnown() {
        return scanned || listed == null ? calls : listed;
    }

    public List<Path> systemPrompts() {
        return systemPrompts;
    }

    public List<Path> toolDefinitions() {
        return toolDefinitions;
    }

    /** The files of text table {@code t}. */
    public List<Path> texts(DatasetSchema.TextTable t) {
        return t.equals(DatasetSchema.SYSTEM_PROMPTS) ? systemPrompts : toolDefinitions;
    }

    /** Files set aside, with the reason. */
    public Map<Path, String> skipped() {
        return skipped;
    }

    /**
     * Given an error message from DuckDB, the listed file it names (so it can be set aside), or null.
     */
    public Path mentionedIn(String message) {
        if (message == null) {
            return null;
        }
        for (List<Path> l : List.of(callsKnown(), systemPrompts, toolDefinitions)) {
            for (Path p : l) {
                if (message.contains(p.toString())) {
                    return p;
                }
            }
        }
        return null;
    }

    /**
     * Finds the listed files DuckDB cannot read, one by one: first their footers, then (when
     * {@code deep}) every row. For errors that do not say which file they came from.
     *
     * @return file -> DuckDB's message, for the files that failed
     */
    public Map<Path, String> probe(java.sql.Connection conn, boolean deep) {
        Map<Path, String> bad = new LinkedHashMap<>();
        List<Path> all = new ArrayList<>(callsKnown());
        all.removeAll(skipped.keySet());
        all.addAll(systemPrompts);
        all.addAll(toolDefinitions);
        for (Path p : all) {
            String lit = "'" + p.toString().replace("'", "''") + "'";
            String problem = run(conn, "SELECT count(*) FROM parquet_metadata(" + lit + ")");
            if (problem == null && deep) {
                // hash of the whole row: every page of every column is decoded (a plain count(*) would be
                // answered from the footer, which may be intact in front of garbage pages)
                problem = run(conn, "SELECT min(hash(t)) FROM read_parquet(" + lit + ") t");
            }
            if (problem != null) {
                bad.put(p, problem);
            }
        }
        return bad;
    }

    private static String run(java.sql.Connection conn, String sql) {
        try (java.sql.Statement st = conn.createStatement(); java.sql.ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                // read everything
            }
            return null;
        } catch (java.sql.SQLException e) {
            String m = e.getMessage() == null ? e.toString() : e.getMessage().strip();
            int nl = m.indexOf('\n');
            return nl < 0 ? m : m.substring(0, nl);
        }
    }

    public void skip(Path file, String reason) {
        skipped.put(file, reason);
        calls = without(calls, file);
        systemPrompts = without(systemPrompts, file);
        toolDefinitions = without(toolDefinitions, file);
    }

    private static List<Path> without(List<Path> l, Path p) {
        if (!l.contains(p)) {
            return l;
        }
        List<Path> out = new ArrayList<>(l);
        out.remove(p);
        return out;
    }
}
