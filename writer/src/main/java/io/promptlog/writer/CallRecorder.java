package io.promptlog.writer;

import io.promptlog.writer.internal.Counters;
import io.promptlog.writer.internal.RecordDescriptor;
import io.promptlog.writer.internal.RecordEncoder;
import io.promptlog.writer.internal.SharedTexts;
import io.promptlog.writer.internal.TextSlot;
import io.promptlog.writer.internal.UuidV7;
import net.openhft.chronicle.core.time.SystemTimeProvider;

/**
 * The allocation-free way to log a call: a reusable, per-thread flyweight. Setters encode their value
 * straight into the thread's record buffer (strings are copied, so the caller may reuse a
 * {@code StringBuilder} right after a setter returns); {@link #commit()} (or {@link #close()}) publishes
 * the record to the queue in one write and returns an {@link AppendStatus} code.
 *
 * <pre>{@code
 * try (CallRecorder r = log.begin()) {
 *     r.provider("openai").requestModel("gpt-4o").temperature(0.2)
 *      .systemPrompt(systemPrompt)
 *      .message("user", question)
 *      .response(answer).inputTokens(812).outputTokens(95)
 *      .durationMicros(elapsedMicros).status(CallField.STATUS_OK);
 * }
 * }</pre>
 *
 * <p>A recorder belongs to the thread that got it from {@link PromptLog#begin()}; do not hand it to
 * another thread. Absent fields are null. {@code call_id} (a UUIDv7) and {@code start_time} (now) are
 * filled in at commit when not set. Setting a scalar field twice keeps the last value; list fields
 * ({@link #message}, {@link #stopSequence}, {@link #attribute}) append. Nothing here throws: a setter
 * used on a field of another type is ignored and counted in {@link PromptLogStats#rejectedFields()}.
 */
public final class CallRecorder implements AutoCloseable {
    private final PromptLog log;
    private final Counters counters;
    private final int homeShard;
    private final RecordEncoder encoder;
    private final byte[] uuid = new byte[UuidV7.TEXT_LENGTH];
    /** system_prompt and tools: kept apart from the record so a shard can write them by reference. */
    private final TextSlot[] slots;
    private long present;
    private long startTimeMicros;
    private static final int IDLE = 0;
    private static final int OPEN = 1;
    private static final int SENT = 2;
    private int phase = IDLE;
    /** Shard, Chronicle index and size of the record last published (filled by the queue). */
    private final long[] written = new long[3];
    /** The call in flight after {@link #send()}: its request half's shard and index (-1: not in the queue). */
    private int sentShard = -1;
    private long sentIndex = -1;
    /** The in-flight call came through {@link PromptLog#resume(long)}: its handle is checked against the queue. */
    private boolean sentResumed;
    private long sentStartMicros = -1;
    /** Its call id, copied out of the request half. */
    private byte[] sentCallId = new byte[UuidV7.TEXT_LENGTH];
    private int sentCallIdLength;
    /** Where the value of the call id set on this record is in the encoder's buffer (-1: not set). */
    private int callIdAt = -1;
    private int callIdLength;
    /**
     * The log has no queue (it could not be opened, e.g. the JVM lacks the flags Chronicle needs): setters
     * keep nothing and publishing counts a drop, so no encoder or clock code runs, and with it no Chronicle
     * class is initialised (one initialised without the flags throws {@code AssertionError}s).
     */
    private final boolean dropping;

    CallRecorder(PromptLog log, Counters counters, int homeShard, int maxRecordBytes, SharedTexts prompts, SharedTexts tools) {
        this.log = log;
        this.dropping = !log.hasQueue();
        this.slots = new TextSlot[] {new TextSlot(CallField.SYSTEM_PROMPT.id(), prompts), new TextSlot(CallField.TOOLS.id(), tools)};
        this.counters = counters;
        this.homeShard = homeShard;
        this.encoder = new RecordEncoder(maxRecordBytes);
    }

    /**
     * Starts a new record. A record begun and not committed is discarded (and counted as abandoned); a
     * call {@linkplain #send() sent} and not completed stays in flight (complete it later through
     * {@link PromptLog#resume(long)}, or it becomes an incomplete call).
     */
    public CallRecorder begin() {
        if (phase == OPEN) {
            counters.increment(Counters.ABANDONED);
        }
        startRecord();
        phase = OPEN;
        return this;
    }

    /** True when no record is begun or sent-and-awaiting-completion on this recorder. */
    boolean isIdle() {
        return phase == IDLE;
    }

    private void startRecord() {
        encoder.reset();
        slots[0].clear();
        slots[1].clear();
        present = 0;
        callIdAt = -1;
    }

    /**
     * Publishes the record as one complete call; see {@link AppendStatus}. After {@link #send()} it
     * completes the call instead (as {@link #complete()}). A second call returns {@code NOT_STARTED}.
     */
    public int commit() {
        if (phase == SENT) {
            return complete();
        }
        if (phase != OPEN) {
            return AppendStatus.NOT_STARTED;
        }
        phase = IDLE;
        if (dropping) {
            return dropUnavailable();
        }
        fillIdentity();
        return publish(RecordDescriptor.KIND_CALL, -1);
    }

    /**
     * Two-phase logging, first half: publishes what is set so far (model, parameters, system prompt,
     * messages, ...) as the call's request, durable from the moment this returns, before the model has
     * answered. Then set the response fields and call {@link #complete()} (or {@link #fail}). If the
     * process dies in between, the compactor stores the call with status {@code incomplete}. Allocates
     * nothing.
     *
     * <pre>{@code
     * CallRecorder r = log.begin().requestModel("gpt-4o").systemPrompt(system).message("user", question);
     * r.send();
     * try {
     *     Answer a = client.call(...);
     *     r.response(a.text()).inputTokens(a.in()).outputTokens(a.out()).complete();
     * } catch (Exception e) {
     *     r.fail(e.getClass().getName(), e.getMessage());
     * }
     * }</pre>
     *
     * <p>To complete on another thread (an async client), take {@link #inFlight()} after this call and
     * pass it to {@link PromptLog#resume(long)} there. Returns the request half's {@link AppendStatus};
     * {@code NOT_STARTED} when no record is begun (or it was sent already).
     */
    public int send() {
        if (phase != OPEN) {
            return AppendStatus.NOT_STARTED;
        }
        if (dropping) {
            sentShard = -1;
            phase = SENT;
            return dropUnavailable();
        }
        fillIdentity();
        keepCallId();
        WriterProcess me = WriterProcess.current();
        encoder.putInt64(RecordDescriptor.WRITER_PID, me.pid());
        encoder.putInt64(RecordDescriptor.WRITER_STARTED_MICROS, me.startedMicros());
        encoder.putString(RecordDescriptor.WRITER_HOST, me.host());
        int status = publish(RecordDescriptor.KIND_REQUEST, -1);
        boolean appended = AppendStatus.isAppended(status);
        sentShard = appended ? (int) written[0] : -1;
        sentResumed = false;
        sentIndex = appended ? written[1] : -1;
        sentStartMicros = startTimeMicros;
        startRecord();
        phase = SENT;
        return status;
    }

    /**
     * A handle on the call last {@linkplain #send() sent} by this recorder, for {@link PromptLog#resume(long)}
     * on any thread; -1 when its request half is not in the queue (dropped).
     */
    public long inFlight() {
        return sentShard < 0 ? -1 : InFlight.handle(sentShard, sentIndex);
    }

    /**
     * Two-phase logging, second half: publishes the fields set since {@link #send()} (response, usage,
     * outcome, ...) as the call's response, in the shard of its request. Fills in {@code status = ok} and
     * the duration since {@code send()} when they are not set. Returns an {@link AppendStatus};
     * {@code NOT_STARTED} when no call is in flight on this recorder.
     */
    public int complete() {
        if (phase != SENT) {
            return AppendStatus.NOT_STARTED;
        }
        phase = IDLE;
        if (dropping) {
            return dropUnavailable();
        }
        if (!has(CallField.STATUS)) {
            encoder.putString(CallField.STATUS.id(), CallField.STATUS_OK);
        }
        if (!has(CallField.DURATION_US) && sentStartMicros >= 0) {
            encoder.putInt64(CallField.DURATION_US.id(), SystemTimeProvider.CLOCK.currentTimeMicros() - sentStartMicros);
        }
        if (!has(CallField.CALL_ID) && sentCallIdLength > 0) {
            encoder.putAscii(CallField.CALL_ID.id(), sentCallId, 0, sentCallIdLength);
        }
        if (sentShard < 0) {
            // the request half was dropped: keep what is known, as a response half of no request
            return publish(RecordDescriptor.KIND_RESPONSE, -1);
        }
        encoder.putInt64(RecordDescriptor.REQUEST_INDEX, sentIndex);
        return publish(RecordDescriptor.KIND_RESPONSE, sentShard, sentResumed ? sentIndex : -1);
    }

    /** Completes the call in flight as failed: status {@code error} with the error's type and message. */
    public int fail(CharSequence errorType, CharSequence message) {
        if (phase != SENT) {
            return AppendStatus.NOT_STARTED;
        }
        error(errorType, message);
        return complete();
    }

    /** Takes up a call sent elsewhere (see {@link PromptLog#resume(long)}); discards an open record. */
    CallRecorder resume(int shard, long index) {
        if (phase == OPEN) {
            counters.increment(Counters.ABANDONED);
        }
        startRecord();
        sentShard = shard;
        sentIndex = index;
        sentResumed = true;
        sentStartMicros = -1;
        sentCallIdLength = 0;
        phase = SENT;
        return this;
    }

    /** Leaves the recorder with nothing open and nothing in flight (an invalid resume handle). */
    void abandonQuietly() {
        phase = IDLE;
    }

    private void fillIdentity() {
        if (!has(CallField.START_TIME)) {
            startTimeMicros = SystemTimeProvider.CLOCK.currentTimeMicros();
            encoder.putInt64(CallField.START_TIME.id(), startTimeMicros);
        }
        if (!has(CallField.CALL_ID)) {
            UuidV7.write(startTimeMicros, uuid);
            callIdAt = encoder.length() + RecordDescriptor.FIELD_HEADER_LENGTH + RecordDescriptor.LENGTH_PREFIX;
            callIdLength = uuid.length;
            encoder.putAscii(CallField.CALL_ID.id(), uuid, 0, uuid.length);
        }
    }

    private void keepCallId() {
        sentCallIdLength = 0;
        if (callIdAt < 0 || callIdAt + callIdLength > encoder.length()) {
            return;
        }
        if (sentCallId.length < callIdLength) {
            sentCallId = new byte[callIdLength]; // only for an app's own ids longer than a UUID
        }
        System.arraycopy(encoder.buffer(), callIdAt, sentCallId, 0, callIdLength);
        sentCallIdLength = callIdLength;
    }

    /** Finishes the staged record as {@code kind} and appends it (to {@code shard}, or any when -1). */
    private int publish(int kind, int shard) {
        return publish(kind, shard, -1);
    }

    /** As {@link #publish(int, int)}, only if {@code shard} holds a request half at {@code requestAt} (when >= 0). */
    private int publish(int kind, int shard, long requestAt) {
        if (encoder.length() + slots[0].inlineBytes() + slots[1].inlineBytes() > encoder.maxRecordBytes()) {
            inlineSlots(); // rare: over the size limit, so the encoder's truncation must see the texts too
        }
        int length = encoder.finish(kind);
        if (length < 0) {
            counters.increment(Counters.DROPPED_TOO_LARGE);
            return AppendStatus.DROPPED_TOO_LARGE;
        }
        int status = log.publish(shard < 0 ? homeShard : shard, shard >= 0, requestAt, encoder.buffer(), length, slots, counters,
                written);
        if (status == AppendStatus.OK) {
            counters.increment(Counters.APPENDED);
            counters.add(Counters.APPENDED_BYTES, written[2]);
            if (encoder.truncated()) {
                counters.increment(Counters.TRUNCATED);
                status = AppendStatus.OK_TRUNCATED;
            }
        }
        return status;
    }

    /** Commits if a record is open: lets a recorder be used in try-with-resources. */
    @Override
    public void close() {
        if (phase != IDLE) {
            commit();
        }
    }

    private void inlineSlots() {
        for (TextSlot t : slots) {
            if (t.staged()) {
                t.putInline(encoder);
                t.clear();
            }
        }
    }

    private int dropUnavailable() {
        counters.increment(Counters.DROPPED_UNAVAILABLE);
        return AppendStatus.DROPPED_UNAVAILABLE;
    }

    private boolean has(CallField f) {
        return (present & (1L << f.id())) != 0;
    }

    private boolean accept(CallField f, FieldType expected) {
        if (dropping) {
            return false;
        }
        FieldType t = f.type();
        if (t == expected || (expected == FieldType.INT64 && t == FieldType.TIMESTAMP_MICROS)) {
            present |= 1L << f.id();
            return true;
        }
        counters.increment(Counters.REJECTED_FIELDS);
        return false;
    }

    // ---- generic setters ---------------------------------------------------------------------------

    /** Sets a {@link FieldType#STRING} field; null leaves it absent. */
    public CallRecorder string(CallField field, CharSequence value) {
        if (value != null && accept(field, FieldType.STRING)) {
            if (field == CallField.SYSTEM_PROMPT) {
                stage(slots[0], value);
            } else if (field == CallField.TOOLS) {
                stage(slots[1], value);
            } else if (field == CallField.CALL_ID) {
                int mark = encoder.length();
                encoder.putString(field.id(), value);
                callIdAt = mark + RecordDescriptor.FIELD_HEADER_LENGTH + RecordDescriptor.LENGTH_PREFIX;
                callIdLength = encoder.length() - callIdAt;
            } else {
                encoder.putString(field.id(), value);
            }
        }
        return this;
    }

    private void stage(TextSlot slot, CharSequence value) {
        if (!slot.stage(value, encoder)) {
            slot.clear(); // cut to fit: stays inline in the record, as any other field
        }
    }

    /** Sets an {@link FieldType#INT64} or {@link FieldType#TIMESTAMP_MICROS} field. */
    public CallRecorder int64(CallField field, long value) {
        if (accept(field, FieldType.INT64)) {
            if (field == CallField.START_TIME) {
                startTimeMicros = value;
            }
            encoder.putInt64(field.id(), value);
        }
        return this;
    }

    public CallRecorder float64(CallField field, double value) {
        if (accept(field, FieldType.FLOAT64)) {
            encoder.putFloat64(field.id(), value);
        }
        return this;
    }

    public CallRecorder bool(CallField field, boolean value) {
        if (accept(field, FieldType.BOOL)) {
            encoder.putBool(field.id(), value);
        }
        return this;
    }

    // ---- identity / linkage ------------------------------------------------------------------------

    public CallRecorder callId(CharSequence v) {
        return string(CallField.CALL_ID, v);
    }

    public CallRecorder traceId(CharSequence v) {
        return string(CallField.TRACE_ID, v);
    }

    public CallRecorder spanId(CharSequence v) {
        return string(CallField.SPAN_ID, v);
    }

    public CallRecorder parentSpanId(CharSequence v) {
        return string(CallField.PARENT_SPAN_ID, v);
    }

    public CallRecorder sessionId(CharSequence v) {
        return string(CallField.SESSION_ID, v);
    }

    public CallRecorder userId(CharSequence v) {
        return string(CallField.USER_ID, v);
    }

    public CallRecorder service(CharSequence v) {
        return string(CallField.SERVICE, v);
    }

    public CallRecorder environment(CharSequence v) {
        return string(CallField.ENVIRONMENT, v);
    }

    public CallRecorder host(CharSequence v) {
        return string(CallField.HOST, v);
    }

    public CallRecorder responseId(CharSequence v) {
        return string(CallField.RESPONSE_ID, v);
    }

    public CallRecorder providerRequestId(CharSequence v) {
        return string(CallField.PROVIDER_REQUEST_ID, v);
    }

    public CallRecorder replayOf(CharSequence v) {
        return string(CallField.REPLAY_OF, v);
    }

    // ---- timing ------------------------------------------------------------------------------------

    public CallRecorder startTimeMicros(long epochMicros) {
        return int64(CallField.START_TIME, epochMicros);
    }

    public CallRecorder durationMicros(long v) {
        return int64(CallField.DURATION_US, v);
    }

    public CallRecorder ttftMicros(long v) {
        return int64(CallField.TTFT_US, v);
    }

    // ---- model / config ----------------------------------------------------------------------------

    public CallRecorder provider(CharSequence v) {
        return string(CallField.PROVIDER, v);
    }

    public CallRecorder operation(CharSequence v) {
        return string(CallField.OPERATION, v);
    }

    public CallRecorder requestModel(CharSequence v) {
        return string(CallField.REQUEST_MODEL, v);
    }

    public CallRecorder responseModel(CharSequence v) {
        return string(CallField.RESPONSE_MODEL, v);
    }

    public CallRecorder temperature(double v) {
        return float64(CallField.TEMPERATURE, v);
    }

    public CallRecorder topP(double v) {
        return float64(CallField.TOP_P, v);
    }

    public CallRecorder topK(long v) {
        return int64(CallField.TOP_K, v);
    }

    public CallRecorder maxTokens(long v) {
        return int64(CallField.MAX_TOKENS, v);
    }

    public CallRecorder frequencyPenalty(double v) {
        return float64(CallField.FREQUENCY_PENALTY, v);
    }

    public CallRecorder presencePenalty(double v) {
        return float64(CallField.PRESENCE_PENALTY, v);
    }

    public CallRecorder seed(long v) {
        return int64(CallField.SEED, v);
    }

    /** Appends one stop sequence. */
    public CallRecorder stopSequence(CharSequence v) {
        if (v != null && accept(CallField.STOP_SEQUENCES, FieldType.STRING_LIST)) {
            encoder.putString(CallField.STOP_SEQUENCES.id(), v);
        }
        return this;
    }

    public CallRecorder stream(boolean v) {
        return bool(CallField.STREAM, v);
    }

    /** JSON object text of any other request parameters. */
    public CallRecorder params(CharSequence json) {
        return string(CallField.PARAMS, json);
    }

    // ---- prompt ------------------------------------------------------------------------------------

    public CallRecorder systemPrompt(CharSequence v) {
        return string(CallField.SYSTEM_PROMPT, v);
    }

    /** JSON text of the tool definitions offered to the model. */
    public CallRecorder tools(CharSequence json) {
        return string(CallField.TOOLS, json);
    }

    public CallRecorder promptName(CharSequence v) {
        return string(CallField.PROMPT_NAME, v);
    }

    public CallRecorder promptVersion(CharSequence v) {
        return string(CallField.PROMPT_VERSION, v);
    }

    /** Appends one message (history or the new user message; not the system prompt). */
    public CallRecorder message(CharSequence role, CharSequence content) {
        return message(role, content, null, null);
    }

    /** Appends one message; a null role is recorded as an empty string, other nulls as absent. */
    public CallRecorder message(CharSequence role, CharSequence content, CharSequence name, CharSequence toolCallId) {
        if (accept(CallField.MESSAGES, FieldType.MESSAGES)) {
            encoder.beginGroup(CallField.MESSAGES.id());
            encoder.putString(RecordDescriptor.MSG_ROLE, role == null ? "" : role);
            encoder.putString(RecordDescriptor.MSG_CONTENT, content);
            encoder.putString(RecordDescriptor.MSG_NAME, name);
            encoder.putString(RecordDescriptor.MSG_TOOL_CALL_ID, toolCallId);
            encoder.endGroup();
        }
        return this;
    }

    // ---- output ------------------------------------------------------------------------------------

    public CallRecorder response(CharSequence v) {
        return string(CallField.RESPONSE, v);
    }

    public CallRecorder responseToolCalls(CharSequence json) {
        return string(CallField.RESPONSE_TOOL_CALLS, json);
    }

    public CallRecorder finishReason(CharSequence v) {
        return string(CallField.FINISH_REASON, v);
    }

    // ---- usage -------------------------------------------------------------------------------------

    public CallRecorder inputTokens(long v) {
        return int64(CallField.INPUT_TOKENS, v);
    }

    public CallRecorder outputTokens(long v) {
        return int64(CallField.OUTPUT_TOKENS, v);
    }

    public CallRecorder cachedInputTokens(long v) {
        return int64(CallField.CACHED_INPUT_TOKENS, v);
    }

    public CallRecorder reasoningTokens(long v) {
        return int64(CallField.REASONING_TOKENS, v);
    }

    public CallRecorder costUsd(double v) {
        return float64(CallField.COST_USD, v);
    }

    // ---- outcome -----------------------------------------------------------------------------------

    /** ok | error | incomplete (see {@link CallField#STATUS_OK} and friends). */
    public CallRecorder status(CharSequence v) {
        return string(CallField.STATUS, v);
    }

    public CallRecorder errorType(CharSequence v) {
        return string(CallField.ERROR_TYPE, v);
    }

    public CallRecorder errorMessage(CharSequence v) {
        return string(CallField.ERROR_MESSAGE, v);
    }

    /** Sets status "error" with the error's type and message. */
    public CallRecorder error(CharSequence type, CharSequence message) {
        return status(CallField.STATUS_ERROR).errorType(type).errorMessage(message);
    }

    public CallRecorder httpStatus(long v) {
        return int64(CallField.HTTP_STATUS, v);
    }

    // ---- app hints ---------------------------------------------------------------------------------

    public CallRecorder flagged(boolean v) {
        return bool(CallField.FLAGGED, v);
    }

    public CallRecorder flagReason(CharSequence v) {
        return string(CallField.FLAG_REASON, v);
    }

    /**
     * Consent: the user of this call did not agree to their text being stored. None of
     * {@link CallField#NO_TEXT_FIELDS} reaches the dataset, whatever the retention policy; the queue cycle
     * file holding it is deleted as soon as it is compacted and the queue has rolled past it (no grace
     * period). Metadata is kept. Allocates nothing.
     */
    public CallRecorder noText() {
        return bool(CallField.NO_TEXT, true);
    }

    /** Marks the call for review, with a reason. */
    public CallRecorder flag(CharSequence reason) {
        return flagged(true).flagReason(reason);
    }

    /** Appends one attribute; a later value for the same key wins when decoded. Null key or value: ignored. */
    public CallRecorder attribute(CharSequence key, CharSequence value) {
        if (key != null && value != null && accept(CallField.ATTRIBUTES, FieldType.ATTRIBUTES)) {
            encoder.beginGroup(CallField.ATTRIBUTES.id());
            encoder.putString(RecordDescriptor.ATTR_KEY, key);
            encoder.putString(RecordDescriptor.ATTR_VALUE, value);
            encoder.endGroup();
        }
        return this;
    }

    /** Appends an attribute whose value is a number, without allocating. */
    public CallRecorder attribute(CharSequence key, long value) {
        if (key != null && accept(CallField.ATTRIBUTES, FieldType.ATTRIBUTES)) {
            encoder.beginGroup(CallField.ATTRIBUTES.id());
            encoder.putString(RecordDescriptor.ATTR_KEY, key);
            int n = decimal(value, uuid);
            encoder.putAscii(RecordDescriptor.ATTR_VALUE, uuid, uuid.length - n, n);
            encoder.endGroup();
        }
        return this;
    }

    /** Writes value's decimal digits right-aligned at the end of out; returns how many. */
    private static int decimal(long value, byte[] out) {
        int p = out.length;
        boolean negative = value < 0;
        do {
            long digit = value % 10;
            out[--p] = (byte) ('0' + (negative ? -digit : digit));
            value /= 10;
        } while (value != 0);
        if (negative) {
            out[--p] = '-';
        }
        return out.length - p;
    }

    /** Copies every present field of a value (the convenience path). */
    void write(LlmCall call) {
        for (CallField f : CallField.all()) {
            Object v = call.get(f);
            if (v == null) {
                continue;
            }
            switch (f.type()) {
                case STRING -> string(f, (String) v);
                case INT64, TIMESTAMP_MICROS -> int64(f, (Long) v);
                case FLOAT64 -> float64(f, (Double) v);
                case BOOL -> bool(f, (Boolean) v);
                case STRING_LIST -> {
                    for (String s : call.stopSequences()) {
                        stopSequence(s);
                    }
                }
                case MESSAGES -> {
                    for (Message m : call.messages()) {
                        message(m.role(), m.content(), m.name(), m.toolCallId());
                    }
                }
                case ATTRIBUTES -> call.attributes().forEach(this::attribute);
            }
        }
    }
}
