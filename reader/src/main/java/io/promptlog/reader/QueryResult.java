package io.promptlog.reader;

import java.util.List;

/**
 * The rows of one SQL query, fully read. Values are plain Java: {@code String}, {@code Long},
 * {@code Integer}, {@code Double}, {@code Boolean}, {@code java.math.BigInteger}/{@code BigDecimal} (sums),
 * {@code java.time.OffsetDateTime} (timestamps), {@code java.time.LocalDate} (dates), {@code List} (lists),
 * {@code Map} (maps and structs, in order), or null.
 *
 * @param columns column names, in order
 * @param types   DuckDB type names of the columns
 * @param rows    the rows, each as many values as columns
 */
public record QueryResult(List<String> columns, List<String> types, List<List<Object>> rows) {

    public int rowCount() {
        return rows.size();
    }

    /** The value at (row, column name). */
    public Object get(int row, String column) {
        int i = columns.indexOf(column);
        if (i < 0) {
            throw new IllegalArgumentException("no column \"" + column + "\" in " + columns);
        }
        return rows.get(row).get(i);
    }

    /** The single value of a one-row, one-column result. */
    public Object scalar() {
        if (rows.size() != 1 || columns.size() != 1) {
            throw new IllegalStateException("not a single value: " + rows.size() + " rows x " + columns.size() + " columns");
        }
        return rows.get(0).get(0);
    }
}
