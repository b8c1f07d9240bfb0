package io.promptlog.benchmarks;

import io.promptlog.writer.CallField;
import io.promptlog.writer.CallRecorder;
import io.promptlog.writer.Message;

/**
 * Fills a promptlog recorder (the application's zero-allocation path) from a {@link BenchCall}, and
 * pre-encodes the same call into the queue record bytes the raw Chronicle floor appends. Both walk the
 * fields the same way, so the floor writes exactly the bytes promptlog would.
 */
public final class RecordBytes {
    private RecordBytes() {
    }

    /** What an application does on the hot path: one setter per field it has. */
    public static void fill(CallRecorder r, BenchCall c) {
        fill(r, c, true);
    }

    /** As {@link #fill(CallRecorder, BenchCall)} without the call's text: its messages and response left out. */
    static void fillWithoutText(CallRecorder r, BenchCall c) {
        fill(r, c, false);
    }

    private static void fill(CallRecorder r, BenchCall c, boolean text) {
        CallField[] fields = c.fields;
        for (int i = 0; i < fields.length; i++) {
            CallField f = fields[i];
            if (!text && (f == CallField.MESSAGES || f == CallField.RESPONSE)) {
                continue;
            }
            switch (f.type()) {
                case STRING -> r.string(f, (String) c.values[i]);
                case INT64, TIMESTAMP_MICROS -> r.int64(f, c.longs[i]);
                case FLOAT64 -> r.float64(f, c.doubles[i]);
                case BOOL -> r.bool(f, c.bools[i]);
                case STRING_LIST -> {
                    for (String s : c.stops) {
                        r.stopSequence(s);
                    }
                }
                case MESSAGES -> {
                    for (Message m : c.messages) {
                        r.message(m.role(), m.content(), m.name(), m.toolCallId());
                    }
                }
                case ATTRIBUTES -> {
                    for (int k = 0; k < c.attrKeys.length; k++) {
                        r.attribute(c.attrKeys[k], c.attrValues[k]);
                    }
                }
            }
        }
    }

    /** The queue record of the call, as promptlog's encoder writes it (every text inline). */
    static byte[] encode(BenchCall c) {
        return c.value.toQueueRecord();
    }
}
