package io.promptlog.writer;

/**
 * The value type of a {@link CallField}: what the queue record, Parquet, JSONL and SQL carry for it.
 */
public enum FieldType {
    /** UTF-8 text. */
    STRING,
    /** Signed 64-bit integer. */
    INT64,
    /** IEEE 754 double. */
    FLOAT64,
    /** true / false. */
    BOOL,
    /** Microseconds since 1970-01-01T00:00:00Z (UTC), signed 64-bit. */
    TIMESTAMP_MICROS,
    /** Ordered list of text values. */
    STRING_LIST,
    /** Ordered list of {@link Message} (role, content, name, tool_call_id). */
    MESSAGES,
    /** String to string map, insertion order kept, keys unique (last value wins). */
    ATTRIBUTES
}
