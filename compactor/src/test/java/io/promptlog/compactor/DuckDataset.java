package io.promptlog.compactor;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Test helper: SQL over a dataset directory with an in-memory DuckDB, views calls / system_prompts / tools. */
final class DuckDataset implements AutoCloseable {
    private final Connection conn;

    DuckDataset(Path data) throws SQLException {
        conn = DriverManager.getConnection("jdbc:duckdb:");
        try (Statement s = conn.createStatement()) {
            s.execute("CREATE VIEW calls AS SELECT * FROM read_parquet('" + data.resolve("calls") + "/**/*.parquet', hive_partitioning=true)");
            if (data.resolve("system_prompts").toFile().isDirectory()) {
                s.execute("CREATE VIEW system_prompts AS SELECT * FROM read_parquet('" + data.resolve("system_prompts") + "/*.parquet')");
            }
            if (data.resolve("tool_definitions").toFile().isDirectory()) {
                s.execute("CREATE VIEW tool_definitions AS SELECT * FROM read_parquet('" + data.resolve("tool_definitions") + "/*.parquet')");
            }
        }
    }

    long count(String sql) throws SQLException {
        try (Statement s = conn.createStatement(); ResultSet r = s.executeQuery(sql)) {
            r.next();
            return r.getLong(1);
        }
    }

    List<Map<String, Object>> rows(String sql) throws SQLException {
        List<Map<String, Object>> out = new ArrayList<>();
        try (Statement s = conn.createStatement(); ResultSet r = s.executeQuery(sql)) {
            ResultSetMetaData md = r.getMetaData();
            while (r.next()) {
                Map<String, Object> row = new LinkedHashMap<>();
                for (int i = 1; i <= md.getColumnCount(); i++) {
                    row.put(md.getColumnLabel(i), r.getObject(i));
                }
                out.add(row);
            }
        }
        return out;
    }

    List<Object> column(String sql) throws SQLException {
        List<Object> out = new ArrayList<>();
        try (Statement s = conn.createStatement(); ResultSet r = s.executeQuery(sql)) {
            while (r.next()) {
                out.add(r.getObject(1));
            }
        }
        return out;
    }

    @Override
    public void close() throws SQLException {
        conn.close();
    }
}
