package io.promptlog.reader.internal;

import io.promptlog.format.DatasetLayout;
import io.promptlog.format.DatasetSchema;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
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
    /** The calls files of the last listing, not yet checked (for {@link #callsOn}); null: not listed. */
    private List<Path> listed;

    public DatasetFiles(Path dataDir) {
        this.dataDir = dataDir;
    }

    public Path dataDir() {
        return dataDir;
    }

    /** Lists the files again (they come and go while a compactor runs). */
    public void scan() {
        calls = list(DatasetLayout.callsDir(dataDir));
        scanned = true;
        scanTexts();
    }

    /**
     * The calls files of one {@code date} partition, checked like {@link #calls()}, without checking (or
     * handing DuckDB) the files of any other day: what a lookup of one call by its UUIDv7 id needs. Taken
     * from the last {@link #scan()}, or else from one listing of the calls directory kept until the next scan.
     */
    public List<Path> callsOn(java.time.LocalDate date) {
        String dirName = DatasetLayout.dateDir(dataDir, date).getFileName().toString();
        if (scanned) {
            return calls.stream().filter(p -> p.getParent().getFileName().toString().equals(dirName)).toList();
        }
        if (listed == null) {
            listed = walk(DatasetLayout.callsDir(dataDir));
        }
        return checked(listed.stream().filter(p -> p.getParent().getFileName().toString().equals(dirName)).toList());
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
        return checked(walk(dir));
    }

    private static List<Path> walk(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<Path> found = new ArrayList<>();
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path p, BasicFileAttributes attrs) {
                    String name = p.getFileName().toString();
                    if (attrs.isRegularFile() && name.endsWith(DatasetLayout.PARQUET) && !name.startsWith(".")) {
                        found.add(p.toAbsolutePath().normalize());
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path p, IOException e) throws IOException {
                    if (e instanceof NoSuchFileException) {
                        return FileVisitResult.CONTINUE; // renamed or deleted by a compactor while we walked
                    }
                    throw e;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                    if (e != null && !(e instanceof NoSuchFileException)) {
                        throw e;
                    }
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new IllegalStateException("cannot list " + dir + ": " + e.getMessage(), e);
        }
        found.sort(null);
        return found;
    }

    /** The listed files minus those set aside, each checked for Parquet's magic bytes (a bad one is set aside). */
    private List<Path> checked(List<Path> found) {
        List<Path> out = new ArrayList<>();
        for (Path abs : found) {
            if (skipped.containsKey(abs)) {
                continue;
            }
            String problem = checkMagic(abs);
            if (problem == null) {
                out.add(abs);
            } else if (Files.exists(abs)) {
                skipped.put(abs, problem);
            } // else: gone since the walk (replaced or deleted by a compactor): not a damaged file
        }
        return out;
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
