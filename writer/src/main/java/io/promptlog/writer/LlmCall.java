package io.promptlog.writer;

import io.promptlog.writer.internal.RecordDescriptor;
import io.promptlog.writer.internal.RecordEncoder;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One LLM call as an immutable value: the convenience way to log (it allocates; use
 * {@link CallRecorder} on hot paths) and what {@link RecordDecoder} returns when reading the queue.
 *
 * <p>Values are keyed by {@link CallField}; an absent field is null. {@code INT64} and
 * {@code TIMESTAMP_MICROS} values are {@code Long}, {@code FLOAT64} {@code Double}, {@code BOOL}
 * {@code Boolean}, {@code STRING_LIST} {@code List<String>}, {@code MESSAGES} {@code List<Message>},
 * {@code ATTRIBUTES} {@code Map<String, String>} (insertion-ordered). Lists and maps are unmodifiable.
 */
public final class LlmCall {
    private final Object[] values;
    private final boolean truncated;

    private LlmCall(Object[] values, boolean truncated) {
        this.values = values;
        this.truncated = truncated;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding a copy of this call's values. */
    public Builder toBuilder() {
        Builder b = new Builder();
        System.arraycopy(values, 0, b.values, 0, values.length);
        b.truncated = truncated;
        return b;
    }

    /** The value of a field, or null when absent. */
    public Object get(CallField field) {
        return values[field.ordinal()];
    }

    public String string(CallField field) {
        return (String) values[field.ordinal()];
    }

    public Long int64(CallField field) {
        return (Long) values[field.ordinal()];
    }

    public Double float64(CallField field) {
        return (Double) values[field.ordinal()];
    }

    public Boolean bool(CallField field) {
        return (Boolean) values[field.ordinal()];
    }

    /** True when the writer cut text fields of this record to fit its size limit. */
    public boolean truncated() {
        return truncated;
    }

    public String callId() {
        return string(CallField.CALL_ID);
    }

    public Long startTimeMicros() {
        return int64(CallField.START_TIME);
    }

    public String systemPrompt() {
        return string(CallField.SYSTEM_PROMPT);
    }

    public String requestModel() {
        return string(CallField.REQUEST_MODEL);
    }

    public String response() {
        return string(CallField.RESPONSE);
    }

    public String status() {
        return string(CallField.STATUS);
    }

    /** The messages (empty when absent). */
    @SuppressWarnings("unchecked")
    public List<Message> messages() {
        Object v = values[CallField.MESSAGES.ordinal()];
        return v == null ? List.of() : (List<Message>) v;
    }

    /** The stop sequences (empty when absent). */
    @SuppressWarnings("unchecked")
    public List<String> stopSequences() {
        Object v = values[CallField.STOP_SEQUENCES.ordinal()];
        return v == null ? List.of() : (List<String>) v;
    }

    /** The attributes (empty when absent). */
    @SuppressWarnings("unchecked")
    public Map<String, String> attributes() {
        Object v = values[CallField.ATTRIBUTES.ordinal()];
        return v == null ? Map.of() : (Map<String, String>) v;
    }

    /**
     * This call as one queue record: the layout {@link PromptLog} writes (described once, in
     * {@code io.promptlog.writer.internal.RecordDescriptor}; current version, a complete call, CRC-32C set)
     * with every text inline, no references. For tools that append promptlog records to a Chronicle queue
     * themselves (the benchmarks' raw-Chronicle floor does) or keep them elsewhere: one record is one
     * Chronicle document, and {@link RecordDecoder#decode(byte[], int, int)} reads it back with this call's
     * values. Texts over {@link PromptLogConfig#DEFAULT_MAX_RECORD_BYTES} are cut as the writer cuts them
     * (the record is then marked truncated). Allocates: not for the hot path.
     *
     * @throws IllegalArgumentException when even with every text emptied the call does not fit a record
     */
    public byte[] toQueueRecord() {
        RecordEncoder e = new RecordEncoder(PromptLogConfig.DEFAULT_MAX_RECORD_BYTES);
        e.reset();
        for (CallField f : CallField.all()) {
            Object v = values[f.ordinal()];
            if (v == null) {
                continue;
            }
            int id = f.id();
            switch (f.type()) {
                case STRING -> e.putString(id, (String) v);
                case INT64, TIMESTAMP_MICROS -> e.putInt64(id, (Long) v);
                case FLOAT64 -> e.putFloat64(id, (Double) v);
                case BOOL -> e.putBool(id, (Boolean) v);
                case STRING_LIST -> stopSequences().forEach(s -> e.putString(id, s));
                case MESSAGES -> {
                    for (Message m : messages()) {
                        e.beginGroup(id);
                        e.putString(RecordDescriptor.MSG_ROLE, m.role());
                        e.putString(RecordDescriptor.MSG_CONTENT, m.content());
                        e.putString(RecordDescriptor.MSG_NAME, m.name());
                        e.putString(RecordDescriptor.MSG_TOOL_CALL_ID, m.toolCallId());
                        e.endGroup();
                    }
                }
                case ATTRIBUTES -> attributes().forEach((key, value) -> {
                    e.beginGroup(id);
                    e.putString(RecordDescriptor.ATTR_KEY, key);
                    e.putString(RecordDescriptor.ATTR_VALUE, value);
                    e.endGroup();
                });
            }
        }
        int length = e.finish(RecordDescriptor.KIND_CALL);
        if (length < 0) {
            throw new IllegalArgumentException("the call does not fit a queue record of "
                    + PromptLogConfig.DEFAULT_MAX_RECORD_BYTES + " bytes even with its texts emptied");
        }
        e.writeChecksum(length);
        return Arrays.copyOf(e.buffer(), length);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LlmCall other && truncated == other.truncated && Arrays.equals(values, other.values);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(values) * 31 + (truncated ? 1 : 0);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("LlmCall{");
        for (CallField f : CallField.all()) {
            Object v = values[f.ordinal()];
            if (v != null) {
                if (sb.length() > 8) {
                    sb.append(", ");
                }
                String s = String.valueOf(v);
                sb.append(f.column()).append('=').append(s.length() > 80 ? s.substring(0, 77) + "..." : s);
            }
        }
        if (truncated) {
            sb.append(", truncated");
        }
        return sb.append('}').toString();
    }

    /** Builds an {@link LlmCall}. Setters validate types and fail fast; {@link #build()} never fails. */
    public static final class Builder {
        private final Object[] values = new Object[CallField.values().length];
        private boolean truncated;

        private Builder() {
        }

        /**
         * Sets any field; the value's Java type must match the field (see {@link LlmCall}); null clears.
         *
         * @throws IllegalArgumentException naming the field when the type does not match
         */
        public Builder set(CallField field, Object value) {
            if (value != null) {
                value = checked(field, value);
            }
            values[field.ordinal()] = value;
            return this;
        }

        public Object get(CallField field) {
            return values[field.ordinal()];
        }

        private static Object checked(CallField field, Object value) {
            switch (field.type()) {
                case STRING:
                    if (value instanceof CharSequence cs) {
                        return cs.toString();
                    }
                    break;
                case INT64:
                case TIMESTAMP_MICROS:
                    if (value instanceof Long || value instanceof Integer || value instanceof Short) {
                        return ((Number) value).longValue();
                    }
                    break;
                case FLOAT64:
                    if (value instanceof Number n) {
                        return n.doubleValue();
                    }
                    break;
                case BOOL:
                    if (value instanceof Boolean) {
                        return value;
                    }
                    break;
                case STRING_LIST:
                    if (value instanceof List<?> l) {
                        List<String> out = new ArrayList<>(l.size());
                        for (Object o : l) {
                            if (!(o instanceof String s)) {
                                throw new IllegalArgumentException(field.column() + " elements must be non-null strings, got " + o);
                            }
                            out.add(s);
                        }
                        return Collections.unmodifiableList(out);
                    }
                    break;
                case MESSAGES:
                    if (value instanceof List<?> l) {
                        List<Message> out = new ArrayList<>(l.size());
                        for (Object o : l) {
                            if (!(o instanceof Message m)) {
                                throw new IllegalArgumentException(field.column() + " elements must be Message, got " + o);
                            }
                            out.add(m);
                        }
                        return Collections.unmodifiableList(out);
                    }
                    break;
                case ATTRIBUTES:
                    if (value instanceof Map<?, ?> m) {
                        Map<String, String> out = new LinkedHashMap<>();
                        for (Map.Entry<?, ?> e : m.entrySet()) {
                            if (!(e.getKey() instanceof String k) || !(e.getValue() instanceof String v)) {
                                throw new IllegalArgumentException(field.column() + " must map strings to strings, got "
                                        + e.getKey() + "=" + e.getValue());
                            }
                            out.put(k, v);
                        }
                        return Collections.unmodifiableMap(out);
                    }
                    break;
                default:
                    break;
            }
            throw new IllegalArgumentException(field.column() + " is " + field.type() + ", cannot take a "
                    + value.getClass().getSimpleName() + " (" + value + ")");
        }

        public Builder truncated(boolean truncated) {
            this.truncated = truncated;
            return this;
        }

        public Builder callId(String v) {
            return set(CallField.CALL_ID, v);
        }

        public Builder traceId(String v) {
            return set(CallField.TRACE_ID, v);
        }

        public Builder spanId(String v) {
            return set(CallField.SPAN_ID, v);
        }

        public Builder parentSpanId(String v) {
            return set(CallField.PARENT_SPAN_ID, v);
        }

        public Builder sessionId(String v) {
            return set(CallField.SESSION_ID, v);
        }

        public Builder userId(String v) {
            return set(CallField.USER_ID, v);
        }

        public Builder service(String v) {
            return set(CallField.SERVICE, v);
        }

        public Builder environment(String v) {
            return set(CallField.ENVIRONMENT, v);
        }

        public Builder host(String v) {
            return set(CallField.HOST, v);
        }

        public Builder responseId(String v) {
            return set(CallField.RESPONSE_ID, v);
        }

        public Builder providerRequestId(String v) {
            return set(CallField.PROVIDER_REQUEST_ID, v);
        }

        public Builder replayOf(String v) {
            return set(CallField.REPLAY_OF, v);
        }

        public Builder startTimeMicros(long epochMicros) {
            return set(CallField.START_TIME, epochMicros);
        }

        public Builder durationMicros(long v) {
            return set(CallField.DURATION_US, v);
        }

        public Builder ttftMicros(long v) {
            return set(CallField.TTFT_US, v);
        }

        public Builder provider(String v) {
            return set(CallField.PROVIDER, v);
        }

        public Builder operation(String v) {
            return set(CallField.OPERATION, v);
        }

        public Builder requestModel(String v) {
            return set(CallField.REQUEST_MODEL, v);
        }

        public Builder responseModel(String v) {
            return set(CallField.RESPONSE_MODEL, v);
        }

        public Builder temperature(double v) {
            return set(CallField.TEMPERATURE, v);
        }

        public Builder topP(double v) {
            return set(CallField.TOP_P, v);
        }

        public Builder topK(long v) {
            return set(CallField.TOP_K, v);
        }

        public Builder maxTokens(long v) {
            return set(CallField.MAX_TOKENS, v);
        }

        public Builder frequencyPenalty(double v) {
            return set(CallField.FREQUENCY_PENALTY, v);
        }

        public Builder presencePenalty(double v) {
            return set(CallField.PRESENCE_PENALTY, v);
        }

        public Builder seed(long v) {
            return set(CallField.SEED, v);
        }

        public Builder stopSequences(List<String> v) {
            return set(CallField.STOP_SEQUENCES, v);
        }

        public Builder stream(boolean v) {
            return set(CallField.STREAM, v);
        }

        public Builder params(String json) {
            return set(CallField.PARAMS, json);
        }

        public Builder systemPrompt(String v) {
            return set(CallField.SYSTEM_PROMPT, v);
        }

        public Builder tools(String json) {
            return set(CallField.TOOLS, json);
        }

        public Builder promptName(String v) {
            return set(CallField.PROMPT_NAME, v);
        }

        public Builder promptVersion(String v) {
            return set(CallField.PROMPT_VERSION, v);
        }

        public Builder messages(List<Message> v) {
            return set(CallField.MESSAGES, v);
        }

        /** Appends one message to the messages list. */
        public Builder message(String role, String content) {
            List<Message> list = new ArrayList<>();
            Object cur = values[CallField.MESSAGES.ordinal()];
            if (cur != null) {
                list.addAll(castList(cur));
            }
            list.add(Message.of(role, content));
            return set(CallField.MESSAGES, list);
        }

        @SuppressWarnings("unchecked")
        private static List<Message> castList(Object o) {
            return (List<Message>) o;
        }

        public Builder response(String v) {
            return set(CallField.RESPONSE, v);
        }

        public Builder responseToolCalls(String json) {
            return set(CallField.RESPONSE_TOOL_CALLS, json);
        }

        public Builder finishReason(String v) {
            return set(CallField.FINISH_REASON, v);
        }

        public Builder inputTokens(long v) {
            return set(CallField.INPUT_TOKENS, v);
        }

        public Builder outputTokens(long v) {
            return set(CallField.OUTPUT_TOKENS, v);
        }

        public Builder cachedInputTokens(long v) {
            return set(CallField.CACHED_INPUT_TOKENS, v);
        }

        public Builder reasoningTokens(long v) {
            return set(CallField.REASONING_TOKENS, v);
        }

        public Builder costUsd(double v) {
            return set(CallField.COST_USD, v);
        }

        public Builder status(String v) {
            return set(CallField.STATUS, v);
        }

        public Builder errorType(String v) {
            return set(CallField.ERROR_TYPE, v);
        }

        public Builder errorMessage(String v) {
            return set(CallField.ERROR_MESSAGE, v);
        }

        public Builder httpStatus(long v) {
            return set(CallField.HTTP_STATUS, v);
        }

        public Builder flagged(boolean v) {
            return set(CallField.FLAGGED, v);
        }

        public Builder flagReason(String v) {
            return set(CallField.FLAG_REASON, v);
        }

        /** Consent: see {@link CallRecorder#noText()}. */
        public Builder noText() {
            return set(CallField.NO_TEXT, true);
        }

        public Builder attributes(Map<String, String> v) {
            return set(CallField.ATTRIBUTES, v);
        }

        /** Adds one attribute (a later value for the same key wins). */
        @SuppressWarnings("unchecked")
        public Builder attribute(String key, String value) {
            Map<String, String> m = new LinkedHashMap<>();
            Object cur = values[CallField.ATTRIBUTES.ordinal()];
            if (cur != null) {
                m.putAll((Map<String, String>) cur);
            }
            m.put(key, value);
            return set(CallField.ATTRIBUTES, m);
        }

        public LlmCall build() {
            return new LlmCall(values.clone(), truncated);
        }
    }
}
