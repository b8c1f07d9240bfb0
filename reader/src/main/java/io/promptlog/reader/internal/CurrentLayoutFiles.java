package io.promptlog.reader.internal;

import io.promptlog.format.DatasetSchema;
import io.promptlog.writer.CallField;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which calls files carry the current layout and schema version in their footers, so the view over them
 * can be bound by position instead of by name.
 *
 * <p>Why: DuckDB's {@code read_parquet(..., union_by_name = true)} unifies the schemas of every listed file
 * at every bind, which over the hundreds of small files a day leaves is about a third of a group-by's time
 * (1 M calls in 520 files: 336 against 228 ms, medians of 7; benchmarks/README.md, "Quiet machine,
 * 2026-12-02"). Without it DuckDB takes the first file's columns and fails on a file that lacks one, so it
 * is only safe when every file has the same columns, which the contract guarantees for files of one layout
 * and schema version ({@link DatasetSchema#KEY_LAYOUT_VERSION}, {@link DatasetSchema#KEY_SCHEMA_VERSION}).
 * A dataset that still holds files of an older version, or a file whose footer cannot be read, keeps
 * {@code union_by_name}.
 *
 * <p>Each file's answer is read from its footer once (files are immutable once named; an erasure rewrites
 * one under the same name with the same columns); a footer that cannot be read is asked again next time.
 */
final class CurrentLayoutFiles {
    private static final String LAYOUT = Integer.toString(DatasetSchema.VERSION);
    private static final String SCHEMA = Integer.toString(CallField.SCHEMA_VERSION);

    private final Map<Path, Boolean> current = new HashMap<>();

    /**
     * True when every file of {@code paths} has the current layout and schema version; false if one has not,
     * or when the footers cannot be read here (the scan then meets the bad file and names it as usual).
     */
    boolean allCurrent(Connection conn, List<Path> paths) {
        List<Path> unknown = new ArrayList<>();
        for (Path p : paths) {
            Boolean c = current.get(p);
            if (c == null) {
                unknown.add(p);
            } else if (!c) {
                return false;
            }
        }
        if (unknown.isEmpty()) {
            return true;
        }
        Set<String> matching = new HashSet<>();
        // a file list is a literal: DuckDB binds no parameter in a table function's file argument
        String sql = "SELECT file_name FROM parquet_kv_metadata(" + DatasetViews.fileList(unknown) + ") "
                + "WHERE (decode(key) = ? AND decode(value) = ?) OR (decode(key) = ? AND decode(value) = ?) "
                + "GROUP BY file_name HAVING count(*) = 2";
        try (PreparedStatement ps = conn.prepareStatement(sql)) {
            ps.setString(1, DatasetSchema.KEY_LAYOUT_VERSION);
            ps.setString(2, LAYOUT);
            ps.setString(3, DatasetSchema.KEY_SCHEMA_VERSION);
            ps.setString(4, SCHEMA);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    matching.add(rs.getString(1));
                }
            }
        } catch (SQLException e) {
            return false;
        }
        boolean all = true;
        for (Path p : unknown) {
            boolean c = matching.contains(p.toString());
            current.put(p, c);
            all &= c;
        }
        return all;
    }

    /** Forgets the files not in {@code listed} (merged away, deleted), so a long-lived reader stays bounded. */
    void retainOnly(List<Path> listed) {
        current.keySet().retainAll(new HashSet<>(listed));
    }
}
