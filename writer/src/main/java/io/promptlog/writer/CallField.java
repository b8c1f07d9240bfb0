package io.promptlog.writer;

import java.util.List;

/**
 * The canonical call schema: every field promptlog records for one LLM call, described once.
 *
 * <p>The {@link #column()} name is used everywhere: queue decoding, the Parquet columns, the JSONL
 * import/export keys and the SQL views. The {@link #id()} is the field's tag in the binary queue record
 * (see {@code io.promptlog.writer.internal.RecordDescriptor}); ids are never reused or renumbered, new
 * fields get new ids, and a decoder skips ids it does not know. {@link #SCHEMA_VERSION} grows when a
 * field is added.
 *
 * <p>Meanings follow the OpenTelemetry GenAI semantic conventions; {@link #otelAttribute()} names the
 * attribute (or, where none exists, the closest concept in brackets) a field corresponds to. Fields with
 * no OTel counterpart say {@code "-"}.
 *
 * <table>
 * <caption>Groups</caption>
 * <tr><td>identity / linkage</td><td>call_id ... replay_of</td></tr>
 * <tr><td>timing</td><td>start_time, duration_us, ttft_us</td></tr>
 * <tr><td>model / config</td><td>provider ... params</td></tr>
 * <tr><td>prompt</td><td>system_prompt, tools, prompt_name, prompt_version, messages</td></tr>
 * <tr><td>output</td><td>response, response_tool_calls, finish_reason</td></tr>
 * <tr><td>usage</td><td>input_tokens ... cost_usd</td></tr>
 * <tr><td>outcome</td><td>status, error_type, error_message, http_status</td></tr>
 * <tr><td>app hints</td><td>flagged, flag_reason, attributes</td></tr>
 * <tr><td>consent</td><td>no_text</td></tr>
 * </table>
 */
public enum CallField {
    // identity / linkage
    CALL_ID(1, "call_id", FieldType.STRING, "- (UUIDv7 text, generated at append if absent; time-ordered)"),
    TRACE_ID(2, "trace_id", FieldType.STRING, "trace_id (W3C trace context, 32 hex)"),
    SPAN_ID(3, "span_id", FieldType.STRING, "span_id (16 hex)"),
    PARENT_SPAN_ID(4, "parent_span_id", FieldType.STRING, "parent span id (16 hex)"),
    SESSION_ID(5, "session_id", FieldType.STRING, "gen_ai.conversation.id"),
    USER_ID(6, "user_id", FieldType.STRING, "user.id"),
    SERVICE(7, "service", FieldType.STRING, "service.name"),
    ENVIRONMENT(8, "environment", FieldType.STRING, "deployment.environment.name"),
    HOST(9, "host", FieldType.STRING, "host.name"),
    RESPONSE_ID(10, "response_id", FieldType.STRING, "gen_ai.response.id"),
    PROVIDER_REQUEST_ID(11, "provider_request_id", FieldType.STRING, "- (provider's x-request-id header)"),
    REPLAY_OF(12, "replay_of", FieldType.STRING, "- (call_id this call replays)"),
    // timing
    START_TIME(13, "start_time", FieldType.TIMESTAMP_MICROS, "span start time; set at append if absent"),
    DURATION_US(14, "duration_us", FieldType.INT64, "gen_ai.client.operation.duration (as microseconds)"),
    TTFT_US(15, "ttft_us", FieldType.INT64, "gen_ai.server.time_to_first_token (as microseconds)"),
    // model / config
    PROVIDER(16, "provider", FieldType.STRING, "gen_ai.provider.name (formerly gen_ai.system)"),
    OPERATION(17, "operation", FieldType.STRING, "gen_ai.operation.name (chat, text_completion, embeddings)"),
    REQUEST_MODEL(18, "request_model", FieldType.STRING, "gen_ai.request.model"),
    RESPONSE_MODEL(19, "response_model", FieldType.STRING, "gen_ai.response.model"),
    TEMPERATURE(20, "temperature", FieldType.FLOAT64, "gen_ai.request.temperature"),
    TOP_P(21, "top_p", FieldType.FLOAT64, "gen_ai.request.top_p"),
    TOP_K(22, "top_k", FieldType.INT64, "gen_ai.request.top_k"),
    MAX_TOKENS(23, "max_tokens", FieldType.INT64, "gen_ai.request.max_tokens"),
    FREQUENCY_PENALTY(24, "frequency_penalty", FieldType.FLOAT64, "gen_ai.request.frequency_penalty"),
    PRESENCE_PENALTY(25, "presence_penalty", FieldType.FLOAT64, "gen_ai.request.presence_penalty"),
    SEED(26, "seed", FieldType.INT64, "gen_ai.request.seed"),
    STOP_SEQUENCES(27, "stop_sequences", FieldType.STRING_LIST, "gen_ai.request.stop_sequences"),
    STREAM(28, "stream", FieldType.BOOL, "- (streaming response requested)"),
    PARAMS(29, "params", FieldType.STRING, "- (JSON object of any other request parameters)"),
    // prompt
    SYSTEM_PROMPT(30, "system_prompt", FieldType.STRING, "gen_ai.system_instructions"),
    TOOLS(31, "tools", FieldType.STRING, "gen_ai.tool.definitions (JSON)"),
    PROMPT_NAME(32, "prompt_name", FieldType.STRING, "- (app's prompt label)"),
    PROMPT_VERSION(33, "prompt_version", FieldType.STRING, "- (app's prompt version label)"),
    MESSAGES(34, "messages", FieldType.MESSAGES, "gen_ai.input.messages (system prompt excluded)"),
    // output
    RESPONSE(35, "response", FieldType.STRING, "gen_ai.output.messages (assistant text)"),
    RESPONSE_TOOL_CALLS(36, "response_tool_calls", FieldType.STRING, "gen_ai.output.messages tool_call parts (JSON)"),
    FINISH_REASON(37, "finish_reason", FieldType.STRING, "gen_ai.response.finish_reasons"),
    // usage
    INPUT_TOKENS(38, "input_tokens", FieldType.INT64, "gen_ai.usage.input_tokens"),
    OUTPUT_TOKENS(39, "output_tokens", FieldType.INT64, "gen_ai.usage.output_tokens"),
    CACHED_INPUT_TOKENS(40, "cached_input_tokens", FieldType.INT64, "gen_ai.usage.cache_read.input_tokens"),
    REASONING_TOKENS(41, "reasoning_tokens", FieldType.INT64, "- (provider's reasoning token count)"),
    COST_USD(42, "cost_usd", FieldType.FLOAT64, "- (app-computed cost)"),
    // outcome
    STATUS(43, "status", FieldType.STRING, "span status (ok | error | incomplete)"),
    ERROR_TYPE(44, "error_type", FieldType.STRING, "error.type"),
    ERROR_MESSAGE(45, "error_message", FieldType.STRING, "exception.message"),
    HTTP_STATUS(46, "http_status", FieldType.INT64, "http.response.status_code"),
    // app hints
    FLAGGED(47, "flagged", FieldType.BOOL, "- (app marked the call for review)"),
    FLAG_REASON(48, "flag_reason", FieldType.STRING, "-"),
    ATTRIBUTES(49, "attributes", FieldType.ATTRIBUTES, "- (free string map; span attributes)"),
    // consent
    NO_TEXT(50, "no_text", FieldType.BOOL, "- (the user did not consent to text storage: see NO_TEXT_FIELDS)");

    /** Version of this schema; bumped whenever a field is added. Stored in every compacted row. */
    public static final int SCHEMA_VERSION = 2;

    /**
     * The text of a call marked {@link #NO_TEXT}: never stored in the dataset (nor hashed), whatever the
     * retention policy, and hidden from the live view of the queue. Its metadata (model, parameters,
     * tokens, latency, cost, status, ids, attributes, ...) is kept.
     */
    public static final java.util.Set<CallField> NO_TEXT_FIELDS = java.util.Collections.unmodifiableSet(
            java.util.EnumSet.of(CallField.SYSTEM_PROMPT, CallField.TOOLS, CallField.MESSAGES, CallField.RESPONSE,
                    CallField.RESPONSE_TOOL_CALLS, CallField.ERROR_MESSAGE));

    /** Status values used by {@link #STATUS}. */
    public static final String STATUS_OK = "ok";
    public static final String STATUS_ERROR = "error";
    public static final String STATUS_INCOMPLETE = "incomplete";

    private static final CallField[] BY_ID;
    private static final List<CallField> ALL = List.of(values());

    static {
        int max = 0;
        for (CallField f : values()) {
            if (f.id < 1 || f.id > io.promptlog.writer.internal.RecordDescriptor.MAX_CALL_FIELD_ID) {
                // CallRecorder tracks set fields in one long bitmask: id 64 would alias id 0
                throw new ExceptionInInitializerError("field " + f + " has id " + f.id + "; call field ids must be 1.."
                        + io.promptlog.writer.internal.RecordDescriptor.MAX_CALL_FIELD_ID + " (the recorder's bitmask)");
            }
            max = Math.max(max, f.id);
        }
        BY_ID = new CallField[max + 1];
        for (CallField f : values()) {
            if (BY_ID[f.id] != null) {
                throw new ExceptionInInitializerError("duplicate field id " + f.id);
            }
            BY_ID[f.id] = f;
        }
    }

    private final int id;
    private final String column;
    private final FieldType type;
    private final String otelAttribute;

    CallField(int id, String column, FieldType type, String otelAttribute) {
        this.id = id;
        this.column = column;
        this.type = type;
        this.otelAttribute = otelAttribute;
    }

    /** Tag of this field in the binary queue record; stable forever. */
    public int id() {
        return id;
    }

    /** Column / JSON key name, snake_case. */
    public String column() {
        return column;
    }

    public FieldType type() {
        return type;
    }

    /** The OpenTelemetry GenAI attribute this field corresponds to, or a note in brackets. */
    public String otelAttribute() {
        return otelAttribute;
    }

    /** Every field, in schema order. */
    public static List<CallField> all() {
        return ALL;
    }

    /** The field with this queue tag, or null when this version does not know it. */
    public static CallField byId(int id) {
        return id >= 0 && id < BY_ID.length ? BY_ID[id] : null;
    }

    /** The field with this column name, or null. */
    public static CallField byColumn(String column) {
        for (CallField f : ALL) {
            if (f.column.equals(column)) {
                return f;
            }
        }
        return null;
    }
}
