package io.promptlog.format;

/**
 * One column of a dataset table.
 *
 * @param name       the column name (Parquet, DuckDB, Spark, JSONL)
 * @param type       its type
 * @param origin     where its value comes from
 * @param required   never null (Parquet {@code required})
 * @param dictionary Parquet dictionary encoding on; off for near-unique values, where the dictionary would
 *                   only be abandoned at run time (for {@link ColumnType#MESSAGES}: off for the content)
 */
public record Column(String name, ColumnType type, Origin origin, boolean required, boolean dictionary) {

    /** Where a column's value comes from. */
    public enum Origin {
        /** The field of the logged call with the same name, as logged (texts redacted or dropped by retention). */
        LOGGED,
        /** Computed at compaction (and by the live view) by {@link DerivedValues} or the retention decision. */
        DERIVED,
        /** Not in the files: the hive partition directory ({@code date=YYYY-MM-DD}). */
        PARTITION
    }

    static Column logged(String name, ColumnType type) {
        return new Column(name, type, Origin.LOGGED, false, true);
    }

    static Column derived(String name, ColumnType type) {
        return new Column(name, type, Origin.DERIVED, false, true);
    }

    Column noDictionary() {
        return new Column(name, type, origin, required, false);
    }

    Column asRequired() {
        return new Column(name, type, origin, true, dictionary);
    }

    /** The Parquet column path whose dictionary encoding {@link #dictionary} governs. */
    String dictionaryPath() {
        return type == ColumnType.MESSAGES ? name + ".list.element." + ColumnType.MESSAGE_CONTENT : name;
    }

    /** This column's Parquet declaration. */
    String parquetDeclaration() {
        return type.parquetDeclaration(name, required);
    }
}
