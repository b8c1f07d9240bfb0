package io.promptlog.reader.internal;

import io.promptlog.compactor.internal.CallsParquetSchema;
import io.promptlog.writer.CallField;
import io.promptlog.writer.FieldType;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The columns of the {@code calls} view as the reader sees them: the compacted Parquet schema of the
 * dataset contract (every {@link CallField} except the two deduplicated texts, then the derived columns,
 * then the hive partition {@code date}). The contract itself is defined by the compactor; this is the
 * reader's SQL/Arrow rendering of it, used to type an empty dataset and the live (queue) view so that
 * {@code UNION ALL BY NAME} lines both up.
 */
public final class CallsColumns {
    /** Kind of a column, enough to pick both a DuckDB and an Arrow type. */
    public enum Kind { STRING, INT64, INT32, FLOAT64, BOOL, TIMESTAMP, DATE, STRING_LIST, MESSAGES, ATTRIBUTES }

    public record Column(String name, Kind kind) {
        public String duckDbType() {
            return switch (kind) {
                case STRING -> "VARCHAR";
                case INT64 -> "BIGINT";
                case INT32 -> "INTEGER";
                case FLOAT64 -> "DOUBLE";
                case BOOL -> "BOOLEAN";
                case TIMESTAMP -> "TIMESTAMP WITH TIME ZONE";
                case DATE -> "DATE";
                case STRING_LIST -> "VARCHAR[]";
                case MESSAGES -> "STRUCT(role VARCHAR, content VARCHAR, name VARCHAR, tool_call_id VARCHAR)[]";
                case ATTRIBUTES -> "MAP(VARCHAR, VARCHAR)";
            };
        }
    }

    public static final String SYSTEM_PROMPT_HASH = CallsParquetSchema.SYSTEM_PROMPT_HASH;
    public static final String TOOLS_HASH = CallsParquetSchema.TOOLS_HASH;
    public static final String TEXT_RETAINED = CallsParquetSchema.TEXT_RETAINED;
    public static final String RETENTION_REASON = CallsParquetSchema.RETENTION_REASON;
    public static final String INPUT_HASH = CallsParquetSchema.INPUT_HASH;
    public static final String OUTPUT_HASH = CallsParquetSchema.OUTPUT_HASH;
    public static final String INPUT_CHARS = CallsParquetSchema.INPUT_CHARS;
    public static final String OUTPUT_CHARS = CallsParquetSchema.OUTPUT_CHARS;
    public static final String REDACTIONS = CallsParquetSchema.REDACTIONS;
    public static final String TRUNCATED = CallsParquetSchema.TRUNCATED;
    public static final String SCHEMA_VERSION = CallsParquetSchema.SCHEMA_VERSION;
    public static final String DATE = "date";

    /** Columns after the CallField ones, in contract order (the partition {@code date} last). */
    public static final List<Column> DERIVED = List.of(
            new Column(SYSTEM_PROMPT_HASH, Kind.STRING),
            new Column(TOOLS_HASH, Kind.STRING),
            new Column(TEXT_RETAINED, Kind.BOOL),
            new Column(RETENTION_REASON, Kind.STRING),
            new Column(INPUT_HASH, Kind.STRING),
            new Column(OUTPUT_HASH, Kind.STRING),
            new Column(INPUT_CHARS, Kind.INT64),
            new Column(OUTPUT_CHARS, Kind.INT64),
            new Column(REDACTIONS, Kind.INT64),
            new Column(TRUNCATED, Kind.BOOL),
            new Column(SCHEMA_VERSION, Kind.INT32),
            new Column(DATE, Kind.DATE));

    private static final List<Column> CALLS;

    static {
        List<Column> calls = new ArrayList<>();
        for (CallField f : CallField.all()) {
            Column c = new Column(f.column(), kindOf(f.type()));
            if (f != CallField.SYSTEM_PROMPT && f != CallField.TOOLS) {
                calls.add(c);
            }
        }
        calls.addAll(DERIVED);
        CALLS = Collections.unmodifiableList(calls);
    }

    private CallsColumns() {
    }

    /** The columns of {@code calls}, in order. */
    public static List<Column> calls() {
        return CALLS;
    }

    public static Kind kindOf(FieldType t) {
        return switch (t) {
            case STRING -> Kind.STRING;
            case INT64 -> Kind.INT64;
            case FLOAT64 -> Kind.FLOAT64;
            case BOOL -> Kind.BOOL;
            case TIMESTAMP_MICROS -> Kind.TIMESTAMP;
            case STRING_LIST -> Kind.STRING_LIST;
            case MESSAGES -> Kind.MESSAGES;
            case ATTRIBUTES -> Kind.ATTRIBUTES;
        };
    }

    /** {@code CREATE TEMP TABLE name (...)} for these columns. */
    public static String createTable(String name, List<Column> columns) {
        StringBuilder sb = new StringBuilder("CREATE OR REPLACE TEMP TABLE ").append(name).append(" (");
        for (int i = 0; i < columns.size(); i++) {
            Column c = columns.get(i);
            sb.append(i == 0 ? "" : ", ").append('"').append(c.name()).append("\" ").append(c.duckDbType());
        }
        return sb.append(')').toString();
    }
}
