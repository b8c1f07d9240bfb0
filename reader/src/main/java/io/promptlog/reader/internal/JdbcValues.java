package io.promptlog.reader.internal;

import io.promptlog.reader.QueryResult;

import java.sql.Array;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Struct;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Turns DuckDB JDBC values into plain Java values (lists, maps) for {@link QueryResult}. */
public final class JdbcValues {
    private JdbcValues() {
    }

    public static QueryResult readAll(ResultSet rs) throws SQLException {
        ResultSetMetaData md = rs.getMetaData();
        int n = md.getColumnCount();
        List<String> cols = new ArrayList<>(n);
        List<String> types = new ArrayList<>(n);
        for (int i = 1; i <= n; i++) {
            cols.add(md.getColumnLabel(i));
            types.add(md.getColumnTypeName(i));
        }
        List<List<Object>> rows = new ArrayList<>();
        while (rs.next()) {
            List<Object> row = new ArrayList<>(n);
            for (int i = 1; i <= n; i++) {
                row.add(plain(rs.getObject(i)));
            }
            rows.add(Collections.unmodifiableList(row));
        }
        return new QueryResult(List.copyOf(cols), List.copyOf(types), Collections.unmodifiableList(rows));
    }

    public static Object plain(Object v) throws SQLException {
        if (v instanceof Array a) {
            Object[] items = (Object[]) a.getArray();
            List<Object> out = new ArrayList<>(items.length);
            for (Object o : items) {
                out.add(plain(o));
            }
            return out;
        }
        if (v instanceof org.duckdb.DuckDBStruct s) {
            Map<String, Object> out = new LinkedHashMap<>();
            for (Map.Entry<String, Object> e : s.getMap().entrySet()) {
                out.put(e.getKey(), plain(e.getValue()));
            }
            return out;
        }
        if (v instanceof Struct s) {
            List<Object> out = new ArrayList<>();
            for (Object o : s.getAttributes()) {
                out.add(plain(o));
            }
            return out;
        }
        if (v instanceof Map<?, ?> m) {
            Map<Object, Object> out = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : m.entrySet()) {
                out.put(plain(e.getKey()), plain(e.getValue()));
            }
            return out;
        }
        if (v instanceof java.util.UUID u) {
            return u.toString();
        }
        return v;
    }

    /** Runs one statement. */
    public static void exec(Connection conn, String sql) throws SQLException {
        try (Statement st = conn.createStatement()) {
            st.execute(sql);
        }
    }

    /** The first column of the first row of a query. */
    public static Object scalar(Connection conn, String sql) throws SQLException {
        try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getObject(1);
        }
    }
}
