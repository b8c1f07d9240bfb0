package io.promptlog.compactor.internal;

import io.promptlog.writer.CallField;
import io.promptlog.writer.FieldType;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Which fields the compactor redacts, derived from the schema ({@link CallField}) so that a text field
 * added later is redacted without anyone remembering to list it: every field of a text-bearing type
 * ({@link #isTextType}) is redacted except the {@link #IDENTIFIERS}, which are stored as given because
 * they are the keys calls are joined, traced and erased by.
 *
 * <ul>
 * <li>{@link CallField#SYSTEM_PROMPT}, {@link CallField#TOOLS}: redacted once per distinct text, before
 * hashing; the text tables hold the redacted text.</li>
 * <li>{@link #RETAINED}: the call's text, kept only when the retention policy keeps it, then redacted
 * (message {@code content} and {@code name}; {@code role} and {@code tool_call_id} are labels/ids).</li>
 * <li>{@link #METADATA}: every other text-bearing field, kept for every call, redacted for every call
 * (list elements, map keys and values).</li>
 * </ul>
 */
public final class RedactedFields {
    /** Text fields stored as given: ids. */
    public static final Set<CallField> IDENTIFIERS = EnumSet.of(CallField.CALL_ID, CallField.TRACE_ID,
            CallField.SPAN_ID, CallField.PARENT_SPAN_ID, CallField.SESSION_ID, CallField.USER_ID,
            CallField.RESPONSE_ID, CallField.PROVIDER_REQUEST_ID, CallField.REPLAY_OF);

    /** The call's text proper: stored only when retained. */
    public static final Set<CallField> RETAINED = EnumSet.of(CallField.MESSAGES, CallField.RESPONSE,
            CallField.RESPONSE_TOOL_CALLS);

    /** Deduplicated texts, stored once in their own tables. */
    public static final Set<CallField> DEDUPLICATED = EnumSet.of(CallField.SYSTEM_PROMPT, CallField.TOOLS);

    /** Every other text-bearing field: redacted on every call. */
    public static final List<CallField> METADATA;

    static {
        List<CallField> m = new ArrayList<>();
        for (CallField f : CallField.all()) {
            if (isTextType(f.type()) && !IDENTIFIERS.contains(f) && !RETAINED.contains(f) && !DEDUPLICATED.contains(f)) {
                m.add(f);
            }
        }
        METADATA = List.copyOf(m);
    }

    private RedactedFields() {
    }

    /** Types that carry text: strings, string lists, messages, string maps. */
    public static boolean isTextType(FieldType t) {
        return t == FieldType.STRING || t == FieldType.STRING_LIST || t == FieldType.MESSAGES
                || t == FieldType.ATTRIBUTES;
    }

    /** Every text-bearing field that is redacted (all but the identifiers), in schema order. */
    public static List<CallField> redacted() {
        List<CallField> out = new ArrayList<>();
        for (CallField f : CallField.all()) {
            if (isTextType(f.type()) && !IDENTIFIERS.contains(f)) {
                out.add(f);
            }
        }
        return out;
    }
}
