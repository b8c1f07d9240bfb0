package io.promptlog.format;

import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The dataset's tables and columns, described once (the contract is in {@code format/README.md}). The
 * Parquet schemas, the compactor's write order, the DuckDB DDL of an empty view and the live view's Arrow
 * schema are all derived from {@link #CALLS} and the two {@link TextTable}s.
 *
 * <p>{@code calls}: one row per call. The {@link Column.Origin#LOGGED} columns carry the logged call field
 * of the same name (every field of the writer's canonical call schema except {@code system_prompt} and
 * {@code tools}, which are stored once per distinct text in the text tables and referenced by hash); the
 * {@link Column.Origin#DERIVED} columns follow; the {@link #DATE} partition is the directory.
 *
 * <p>{@link #VERSION} grows whenever the layout changes (a column added or retyped); it is stored in
 * each file's key-value metadata as {@link #KEY_LAYOUT_VERSION}. The per-row {@code schema_version} is the
 * version of the writer's canonical call schema the row was logged with.
 */
public final class DatasetSchema {
    /**
     * Version of this Parquet layout. 3: {@code input_hash} and {@code output_hash} hold the first 16 bytes of
     * their HMAC (32 hex chars; version 2 files hold all 32 bytes, 64 hex chars, of which the new value is the
     * prefix), same column types, so files of both versions are read together unchanged.
     */
    public static final int VERSION = 3;

    public static final String CALL_ID = "call_id";
    public static final String START_TIME = "start_time";
    public static final String MESSAGES = "messages";
    public static final String RESPONSE = "response";
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
    /** The hive partition: UTC date of {@code start_time} ({@link DerivedValues#epochDay}). */
    public static final String DATE = "date";

    /** The columns stored in each {@code calls} Parquet file, in file order. */
    public static final List<Column> CALLS = List.of(
            Column.logged("call_id", ColumnType.STRING).noDictionary(),
            Column.logged("trace_id", ColumnType.STRING).noDictionary(),
            Column.logged("span_id", ColumnType.STRING).noDictionary(),
            Column.logged("parent_span_id", ColumnType.STRING).noDictionary(),
            Column.logged("session_id", ColumnType.STRING),
            Column.logged("user_id", ColumnType.STRING),
            Column.logged("service", ColumnType.STRING),
            Column.logged("environment", ColumnType.STRING),
            Column.logged("host", ColumnType.STRING),
            Column.logged("response_id", ColumnType.STRING).noDictionary(),
            Column.logged("provider_request_id", ColumnType.STRING).noDictionary(),
            Column.logged("replay_of", ColumnType.STRING).noDictionary(),
            Column.logged("start_time", ColumnType.TIMESTAMP_MICROS).noDictionary(),
            Column.logged("duration_us", ColumnType.INT64),
            Column.logged("ttft_us", ColumnType.INT64),
            Column.logged("provider", ColumnType.STRING),
            Column.logged("operation", ColumnType.STRING),
            Column.logged("request_model", ColumnType.STRING),
            Column.logged("response_model", ColumnType.STRING),
            Column.logged("temperature", ColumnType.FLOAT64),
            Column.logged("top_p", ColumnType.FLOAT64),
            Column.logged("top_k", ColumnType.INT64),
            Column.logged("max_tokens", ColumnType.INT64),
            Column.logged("frequency_penalty", ColumnType.FLOAT64),
            Column.logged("presence_penalty", ColumnType.FLOAT64),
            Column.logged("seed", ColumnType.INT64),
            Column.logged("stop_sequences", ColumnType.STRING_LIST),
            Column.logged("stream", ColumnType.BOOL),
            Column.logged("params", ColumnType.STRING),
            Column.logged("prompt_name", ColumnType.STRING),
            Column.logged("prompt_version", ColumnType.STRING),
            Column.logged("messages", ColumnType.MESSAGES).noDictionary(),
            Column.logged("response", ColumnType.STRING).noDictionary(),
            Column.logged("response_tool_calls", ColumnType.STRING).noDictionary(),
            Column.logged("finish_reason", ColumnType.STRING),
            Column.logged("input_tokens", ColumnType.INT64),
            Column.logged("output_tokens", ColumnType.INT64),
            Column.logged("cached_input_tokens", ColumnType.INT64),
            Column.logged("reasoning_tokens", ColumnType.INT64),
            Column.logged("cost_usd", ColumnType.FLOAT64),
            Column.logged("status", ColumnType.STRING),
            Column.logged("error_type", ColumnType.STRING),
            Column.logged("error_message", ColumnType.STRING).noDictionary(),
            Column.logged("http_status", ColumnType.INT64),
            Column.logged("flagged", ColumnType.BOOL),
            Column.logged("flag_reason", ColumnType.STRING),
            Column.logged("attributes", ColumnType.ATTRIBUTES),
            /* consent: the call's text was not stored (see CallField.NO_TEXT_FIELDS) */
            Column.logged("no_text", ColumnType.BOOL),
            // derived at compaction
            /* lowercase hex SHA-256 of the system prompt as stored (after redaction); null when none */
            Column.derived(SYSTEM_PROMPT_HASH, ColumnType.STRING),
            /* the same for the tool definitions */
            Column.derived(TOOLS_HASH, ColumnType.STRING),
            /* the full text is stored */
            Column.derived(TEXT_RETAINED, ColumnType.BOOL).asRequired(),
            /* why: error, flagged, rule:<name>, sample, all (live: 'live'); null when not retained */
            Column.derived(RETENTION_REASON, ColumnType.STRING),
            /* DerivedValues.InputDigest of the messages as logged (32 hex chars); null when the call had none */
            Column.derived(INPUT_HASH, ColumnType.STRING).noDictionary(),
            /* DerivedValues.outputHash of the response as logged (32 hex chars); null when none */
            Column.derived(OUTPUT_HASH, ColumnType.STRING).noDictionary(),
            /* Java char count of all message contents as logged */
            Column.derived(INPUT_CHARS, ColumnType.INT64).asRequired(),
            /* Java char count of the response as logged (0 when none) */
            Column.derived(OUTPUT_CHARS, ColumnType.INT64).asRequired(),
            /* replacements made in this call's stored texts (its system prompt's included) */
            Column.derived(REDACTIONS, ColumnType.INT64).asRequired(),
            /* the writer cut text to fit its record size limit */
            Column.derived(TRUNCATED, ColumnType.BOOL).asRequired(),
            /* the writer's canonical call schema version the row was logged with */
            Column.derived(SCHEMA_VERSION, ColumnType.INT32).asRequired());

    /** The {@code date} partition column (in the directory name, not in the files). */
    public static final Column DATE_PARTITION = new Column(DATE, ColumnType.DATE, Column.Origin.PARTITION, true, true);

    /** The columns of the {@code calls} view: {@link #CALLS}, then {@link #DATE_PARTITION}. */
    public static final List<Column> CALLS_VIEW = withPartition();

    /** Parquet schema of a {@code calls} file. */
    public static final MessageType CALLS_PARQUET = parquet("promptlog_call", CALLS);

    /** The column with a bloom filter (sized to the row group). */
    public static final String BLOOM_COLUMN = CALL_ID;

    /** Table names = directory names under the dataset directory. */
    public static final String CALLS_DIR = "calls";

    /** Columns of the two text tables. */
    public static final String CHARS = "chars";
    public static final String FIRST_SEEN = "first_seen";

    /** Distinct system prompts, as stored (after redaction). */
    public static final TextTable SYSTEM_PROMPTS = new TextTable("system_prompts", SYSTEM_PROMPT_HASH, "system_prompt");
    /** Distinct tool definitions. */
    public static final TextTable TOOL_DEFINITIONS = new TextTable("tool_definitions", TOOLS_HASH, "tools");
    /** Both text tables. */
    public static final List<TextTable> TEXT_TABLES = List.of(SYSTEM_PROMPTS, TOOL_DEFINITIONS);

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
    /**
     * Comma-separated hashes a text-table file holds: written by compactors until 2026-12-03 (at 64 hex
     * digits and a comma per text it was 45% of a file of short distinct texts, and every reader of the file
     * parsed it with the footer), no longer written; read when present, else the hash column is read.
     */
    public static final String KEY_HASHES = "promptlog.hashes";

    private DatasetSchema() {
    }

    /**
     * A table holding each distinct text once: {@code <hash> STRING, <text> STRING, chars INT64,
     * first_seen TIMESTAMP} (all required). {@code chars} is the Java char count of the text, {@code
     * first_seen} the earliest {@code start_time} of the calls of the batch that first stored it.
     *
     * @param dir        its directory under the dataset (also the view name)
     * @param hashColumn the hash column, the key the calls table refers to
     * @param textColumn the text column
     */
    public record TextTable(String dir, String hashColumn, String textColumn) {
        /** The columns, in file order. */
        public List<Column> columns() {
            return List.of(Column.derived(hashColumn, ColumnType.STRING).asRequired(),
                    Column.logged(textColumn, ColumnType.STRING).asRequired(),
                    Column.derived(CHARS, ColumnType.INT64).asRequired(),
                    Column.derived(FIRST_SEEN, ColumnType.TIMESTAMP_MICROS).asRequired());
        }

        /** The Parquet schema of its files. */
        public MessageType parquetSchema() {
            return parquet("promptlog_" + dir, columns());
        }
    }

    /** The column named so in {@link #CALLS_VIEW}, or null. */
    public static Column callsColumn(String name) {
        for (Column c : CALLS_VIEW) {
            if (c.name().equals(name)) {
                return c;
            }
        }
        return null;
    }

    /**
     * Parquet column paths written without min/max statistics: free text (message contents, response, tool calls,
     * error message, params) and the per-call hashes. Their ranges prune nothing (any row group spans nearly
     * every value, and nobody filters free text by range), while the statistics cost a comparison per value at
     * compaction and put whole texts (the smallest and largest of each column) into every file's footer.
     */
    public static Set<String> noStatisticsPaths() {
        Set<String> out = new LinkedHashSet<>();
        for (Column c : CALLS) {
            if (c.type() == ColumnType.MESSAGES) {
                out.add(c.dictionaryPath());
            }
        }
        out.addAll(List.of(RESPONSE, "response_tool_calls", "error_message", "params", INPUT_HASH, OUTPUT_HASH));
        return out;
    }

    /** Parquet column paths written without dictionary encoding. */
    public static Set<String> noDictionaryPaths() {
        Set<String> out = new LinkedHashSet<>();
        for (Column c : CALLS) {
            if (!c.dictionary()) {
                out.add(c.dictionaryPath());
            }
        }
        return out;
    }

    /**
     * The column paths dictionary-encoded in merged calls files ({@link DatasetLayout}, "Merged days") though
     * not in batch files: the message contents. A chat re-sends its earlier turns with every call, so within
     * a merged row group (16 MiB by default) one content recurs in many calls, however far apart they are;
     * the dictionary, allowed to grow to a row group's size, stores it once (zstd alone only finds repeats
     * within one page). Where contents do not repeat, parquet-java drops the dictionary after the first page
     * (plain encoding, as in batch files). Plain Parquet dictionary encoding: DuckDB and Spark read it unchanged.
     * Batch files keep the content plain: the compaction's CPU is what their path is measured on.
     */
    public static Set<String> mergedDictionaryPaths() {
        Set<String> out = new LinkedHashSet<>();
        for (Column c : CALLS) {
            if (c.type() == ColumnType.MESSAGES) {
                out.add(c.dictionaryPath());
            }
        }
        return out;
    }

    /** DuckDB column definitions for these columns: {@code "a" VARCHAR, "b" BIGINT, ...}. */
    public static String duckDbColumns(List<Column> columns) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < columns.size(); i++) {
            Column c = columns.get(i);
            sb.append(i == 0 ? "" : ", ").append('"').append(c.name()).append("\" ").append(c.type().duckDbType());
        }
        return sb.toString();
    }

    private static MessageType parquet(String name, List<Column> columns) {
        StringBuilder s = new StringBuilder("message " + name + " {\n");
        for (Column c : columns) {
            s.append("  ").append(c.parquetDeclaration()).append('\n');
        }
        return MessageTypeParser.parseMessageType(s.append("}\n").toString());
    }

    private static List<Column> withPartition() {
        List<Column> all = new ArrayList<>(CALLS);
        all.add(DATE_PARTITION);
        return List.copyOf(all);
    }
}
