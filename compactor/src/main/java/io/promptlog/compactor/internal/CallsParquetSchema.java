package io.promptlog.compactor.internal;

import io.promptlog.writer.CallField;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The Parquet layout of the dataset, described once (the contract is in {@code compactor/README.md}).
 *
 * <p>{@code calls}: every {@link CallField} column except {@code system_prompt} and {@code tools}, same
 * names, CallField order, then the {@link #EXTRA_COLUMNS}. Type mapping: STRING to BINARY(STRING), INT64
 * to INT64, TIMESTAMP_MICROS to INT64 TIMESTAMP(MICROS, UTC), FLOAT64 to DOUBLE, BOOL to BOOLEAN,
 * STRING_LIST to LIST&lt;STRING&gt;, MESSAGES to LIST&lt;STRUCT&lt;role, content, name, tool_call_id&gt;&gt;,
 * ATTRIBUTES to MAP&lt;STRING, STRING&gt;. Lists and maps use the standard three-level layout, so Spark,
 * DuckDB and parquet-java read them without options.
 *
 * <p>{@code system_prompts} / {@code tool_definitions}: hash, text, chars, first_seen.
 *
 * <p>{@link #VERSION} grows whenever the layout changes (a column added or retyped); it is stored in
 * each file's key-value metadata as {@link #KEY_LAYOUT_VERSION}. The per-row {@code schema_version} is
 * {@link CallField#SCHEMA_VERSION}, the version of the canonical call schema the row was logged with.
 */
public final class CallsParquetSchema {
    /** Version of this Parquet layout. */
    public static final int VERSION = 1;

    public static final String SYSTEM_PROMPT_HASH = "system_prompt_hash";
    public static final String TOOLS_HASH = "tools_hash";
    public static final String TEXT_RETAINED = "text_retained";
    public static final String RETENTION_REASON = "retention_reason";
    public static final String INPUT_HASH = "input_hash";
    public static final String OUTPUT_HASH = "output_hash";
    public static final String INPUT_CHARS = "input_chars";
    public static final String OUTPUT_CHARS = "output_chars";
    public static final String REDACTIONS = "redactions";
    public static final String TRUNCATED = "truncated";
    public static final String SCHEMA_VERSION = "schema_version";

    /** Columns after the CallField columns, in order. */
    public static final List<String> EXTRA_COLUMNS = List.of(SYSTEM_PROMPT_HASH, TOOLS_HASH, TEXT_RETAINED,
            RETENTION_REASON, INPUT_HASH, OUTPUT_HASH, INPUT_CHARS, OUTPUT_CHARS, REDACTIONS, TRUNCATED, SCHEMA_VERSION);

    /** CallField columns stored in the calls table (all but the two deduplicated texts). */
    public static final List<CallField> CALL_FIELDS;

    /** Columns that are near-unique per row: no dictionary (it would only be abandoned at run time). */
    public static final Set<String> NO_DICTIONARY = Set.of("call_id", "trace_id", "span_id", "parent_span_id",
            "response_id", "provider_request_id", "replay_of", "start_time", "response", "response_tool_calls",
            "messages.list.element.content", INPUT_HASH, OUTPUT_HASH, "error_message");

    /** The column with a bloom filter (sized to the row group). */
    public static final String BLOOM_COLUMN = "call_id";

    public static final MessageType CALLS;

    /** Table names = directory names under the dataset directory. */
    public static final String CALLS_DIR = "calls";
    public static final String SYSTEM_PROMPTS_DIR = "system_prompts";
    public static final String TOOL_DEFINITIONS_DIR = "tool_definitions";

    /** Columns of the two text tables. */
    public static final String SYSTEM_PROMPT = "system_prompt";
    public static final String TOOLS = "tools";
    public static final String CHARS = "chars";
    public static final String FIRST_SEEN = "first_seen";
    public static final MessageType SYSTEM_PROMPTS = textTable("promptlog_system_prompt", SYSTEM_PROMPT_HASH, SYSTEM_PROMPT);
    public static final MessageType TOOL_DEFINITIONS = textTable("promptlog_tool_definitions", TOOLS_HASH, TOOLS);

    // Footer key-value metadata written into every file.
    public static final String KEY_LAYOUT_VERSION = "promptlog.layout_version";
    public static final String KEY_SCHEMA_VERSION = "promptlog.schema_version";
    public static final String KEY_QUEUE_ID = "promptlog.queue_id";
    public static final String KEY_HOST = "promptlog.host";
    public static final String KEY_SHARD = "promptlog.shard";
    /** First and last Chronicle index of the queue range this file's batch covers (inclusive). */
    public static final String KEY_FIRST_INDEX = "promptlog.first_index";
    public static final String KEY_LAST_INDEX = "promptlog.last_index";
    /** Comma-separated dates of every calls file of the batch: all must exist for the batch to be whole. */
    public static final String KEY_BATCH_DATES = "promptlog.batch_dates";
    /** Comma-separated hashes a text-table file holds, so a restart can load them from the footer. */
    public static final String KEY_HASHES = "promptlog.hashes";

    static {
        List<CallField> fields = new ArrayList<>();
        StringBuilder s = new StringBuilder("message promptlog_call {\n");
        for (CallField f : CallField.all()) {
            if (f == CallField.SYSTEM_PROMPT || f == CallField.TOOLS) {
                continue;
            }
            fields.add(f);
            s.append("  ").append(declaration(f)).append('\n');
        }
        s.append("  optional binary ").append(SYSTEM_PROMPT_HASH).append(" (STRING);\n");
        s.append("  optional binary ").append(TOOLS_HASH).append(" (STRING);\n");
        s.append("  required boolean ").append(TEXT_RETAINED).append(";\n");
        s.append("  optional binary ").append(RETENTION_REASON).append(" (STRING);\n");
        s.append("  optional binary ").append(INPUT_HASH).append(" (STRING);\n");
        s.append("  optional binary ").append(OUTPUT_HASH).append(" (STRING);\n");
        s.append("  required int64 ").append(INPUT_CHARS).append(";\n");
        s.append("  required int64 ").append(OUTPUT_CHARS).append(";\n");
        s.append("  required int64 ").append(REDACTIONS).append(";\n");
        s.append("  required boolean ").append(TRUNCATED).append(";\n");
        s.append("  required int32 ").append(SCHEMA_VERSION).append(";\n");
        s.append("}\n");
        CALL_FIELDS = List.copyOf(fields);
        CALLS = MessageTypeParser.parseMessageType(s.toString());
    }

    private CallsParquetSchema() {
    }

    private static String declaration(CallField f) {
        String c = f.column();
        return switch (f.type()) {
            case STRING -> "optional binary " + c + " (STRING);";
            case INT64 -> "optional int64 " + c + ";";
            case TIMESTAMP_MICROS -> "optional int64 " + c + " (TIMESTAMP(MICROS,true));";
            case FLOAT64 -> "optional double " + c + ";";
            case BOOL -> "optional boolean " + c + ";";
            case STRING_LIST -> "optional group " + c + " (LIST) { repeated group list { optional binary element (STRING); } }";
            case MESSAGES -> "optional group " + c + " (LIST) { repeated group list { optional group element {"
                    + " required binary role (STRING); optional binary content (STRING);"
                    + " optional binary name (STRING); optional binary tool_call_id (STRING); } } }";
            case ATTRIBUTES -> "optional group " + c + " (MAP) { repeated group key_value {"
                    + " required binary key (STRING); optional binary value (STRING); } }";
        };
    }

    private static MessageType textTable(String name, String hashColumn, String textColumn) {
        return MessageTypeParser.parseMessageType("message " + name + " {\n"
                + "  required binary " + hashColumn + " (STRING);\n"
                + "  required binary " + textColumn + " (STRING);\n"
                + "  required int64 " + CHARS + ";\n"
                + "  required int64 " + FIRST_SEEN + " (TIMESTAMP(MICROS,true));\n"
                + "}\n");
    }
}
