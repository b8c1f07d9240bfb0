package io.promptlog.reader.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * DuckDB settings and the statement check behind {@code SqlAccess.DATASET_ONLY}, checked against DuckDB
 * 2.0 (duckdb_jdbc 2.0.0.1):
 * <ul>
 * <li>{@code allowed_directories} = the dataset directory, then {@code enable_external_access = false}:
 * any file or URL outside it is refused ("file system operations are disabled by configuration"),
 * {@code ../} tricks included; {@code ATTACH} of a file, {@code INSTALL}, {@code CREATE SECRET} (which
 * needs {@code ~/.duckdb}) fail the same way;</li>
 * <li>{@code autoinstall_known_extensions}, {@code autoload_known_extensions},
 * {@code allow_community_extensions} = false: no extension is fetched or loaded behind the user's back;</li>
 * <li>{@code lock_configuration = true}: no {@code SET}/{@code RESET}/{@code PRAGMA} can change any of the above;</li>
 * <li>since DuckDB may still write inside an allowed directory ({@code COPY ... TO 'D/data/x'} would replace
 * a dataset file), user SQL must be a single read-only statement: DuckDB's own parser decides,
 * through {@code json_serialize_sql}, which serializes only SELECT-shaped statements ({@code SELECT},
 * {@code WITH}, {@code FROM}, {@code VALUES}, {@code DESCRIBE}, {@code SHOW}, {@code SUMMARIZE}) and
 * reports everything else ({@code COPY}, {@code ATTACH}, {@code CREATE}, {@code INSTALL}, {@code SET},
 * {@code PRAGMA}, {@code CALL}, ...) as an error. {@code EXPLAIN [ANALYZE]} is allowed in front of an
 * allowed statement.</li>
 * </ul>
 */
public final class SqlLockdown {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String REFUSED = "promptlog's SQL is read-only and reads only the dataset: ";
    static final String HINT = " (write files with `promptlog export`; for plain DuckDB on your own machine use "
            + "--unrestricted-sql, or SqlAccess.UNRESTRICTED in Java)";

    private SqlLockdown() {
    }

    /** Applies the settings, last of all the lock. Run after the connection's own setup. */
    public static void apply(Connection conn, Path dataDir) throws SQLException {
        String dir = dataDir.toAbsolutePath().normalize().toString();
        try {
            if (Files.isDirectory(dataDir)) {
                dir = dataDir.toRealPath().toString();
            }
        } catch (IOException e) {
            // keep the absolute path: DuckDB then refuses the files, which is safe
        }
        try (Statement st = conn.createStatement()) {
            st.execute("SET allowed_directories = [" + literal(dir.endsWith("/") ? dir : dir + "/") + "]");
            st.execute("SET enable_external_access = false");
            st.execute("SET autoinstall_known_extensions = false");
            st.execute("SET autoload_known_extensions = false");
            st.execute("SET allow_community_extensions = false");
            st.execute("SET lock_configuration = true");
        }
    }

    /**
     * Throws {@link SqlRefusedException} unless {@code sql} is one read-only statement, as DuckDB's parser
     * sees it.
     */
    public static void requireReadOnly(Connection conn, String sql) throws SQLException {
        String body = stripExplain(sql);
        JsonNode parsed;
        try (PreparedStatement ps = conn.prepareStatement("SELECT json_serialize_sql(?::VARCHAR)")) {
            ps.setString(1, body);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                parsed = JSON.readTree(rs.getString(1));
            }
        } catch (IOException e) {
            throw new SQLException("cannot read DuckDB's parse of the statement: " + e.getMessage(), e);
        }
        if (parsed.path("error").asBoolean(false)) {
            String type = parsed.path("error_type").asText("");
            if (type.equals("not implemented")) {
                throw new SqlRefusedException(REFUSED + "only one SELECT-like statement is allowed, not \""
                        + firstWords(body) + "\"" + HINT);
            }
            return; // a syntax or other error: let DuckDB report it when the statement runs
        }
        JsonNode statements = parsed.path("statements");
        if (statements.size() != 1) {
            throw new SqlRefusedException(REFUSED + "give one statement at a time, not " + statements.size() + HINT);
        }
    }

    private static String stripExplain(String sql) {
        String s = sql.strip();
        for (String prefix : List.of("EXPLAIN ANALYZE ", "EXPLAIN ")) {
            if (s.regionMatches(true, 0, prefix, 0, prefix.length())) {
                return s.substring(prefix.length());
            }
        }
        return s;
    }

    private static String firstWords(String sql) {
        String s = sql.strip().replaceAll("\\s+", " ");
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }

    /** Whether DuckDB refused this because of the lock-down (a file outside the dataset, a locked setting). */
    public static boolean isRefusal(String duckdbMessage) {
        return duckdbMessage != null && (duckdbMessage.contains("disabled by configuration")
                || duckdbMessage.contains("the configuration has been locked"));
    }

    /** DuckDB's refusal of a file outside the dataset, explained; other messages unchanged. */
    public static String explain(String duckdbMessage) {
        return isRefusal(duckdbMessage) ? REFUSED + duckdbMessage.strip() + HINT : duckdbMessage;
    }

    /**
     * Locks a connection that may write exactly one file, {@code target}, and read nothing: the second
     * DuckDB of an export, which only ever runs promptlog's own {@code COPY}.
     */
    public static void applyForExport(Connection conn, Path target) throws SQLException {
        try (Statement st = conn.createStatement()) {
            st.execute("SET threads = 1");
            st.execute("SET allowed_paths = [" + literal(target.toAbsolutePath().normalize().toString()) + "]");
            st.execute("SET enable_external_access = false");
            st.execute("SET autoinstall_known_extensions = false");
            st.execute("SET autoload_known_extensions = false");
            st.execute("SET lock_configuration = true");
        }
    }

    private static String literal(String s) {
        return "'" + s.replace("'", "''") + "'";
    }

    /** User SQL refused by the lock-down (not a DuckDB error). */
    public static final class SqlRefusedException extends SQLException {
        public SqlRefusedException(String message) {
            super(message);
        }
    }
}
