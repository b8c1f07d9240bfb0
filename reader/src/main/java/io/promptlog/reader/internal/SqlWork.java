package io.promptlog.reader.internal;

import java.sql.SQLException;

/** Work over the DuckDB connection that may fail with DuckDB's error. */
@FunctionalInterface
public interface SqlWork<T> {
    T run() throws SQLException;
}
