package io.promptlog.benchmarks;

import io.promptlog.writer.CallField;
import io.promptlog.writer.FieldType;
import io.promptlog.writer.LlmCall;
import io.promptlog.writer.Message;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One call of the benchmark workload, unpacked once into flat arrays so that every peer serialises the
 * same content the way an application holding its own strings would, without the workload itself
 * allocating on the measured path.
 *
 * <p>{@link #fields} lists the present fields in {@link CallField} order; {@link #values} holds the value
 * of each (String, Long, Double or Boolean, boxed once here), {@link #longs}, {@link #doubles} and
 * {@link #bools} the same values unboxed. List fields point into {@link #stops}, {@link #messages},
 * {@link #attrKeys}/{@link #attrValues}.
 */
public final class BenchCall {
    public final LlmCall value;
    public final CallField[] fields;
    public final Object[] values;
    public final long[] longs;
    public final double[] doubles;
    public final boolean[] bools;
    public final String[] stops;
    public final Message[] messages;
    public final String[] attrKeys;
    public final String[] attrValues;
    /** Size of this call's promptlog queue record (header and field tags included). */
    public final int recordBytes;
    /** The promptlog record itself: what the raw Chronicle floor appends. */
    public final byte[] record;
    /** Position of this call in its workload pool (set once by {@link Workload#pool}). */
    public int poolIndex;

    public BenchCall(LlmCall value) {
        this.value = value;
        List<CallField> present = new ArrayList<>();
        for (CallField f : CallField.all()) {
            if (value.get(f) != null) {
                present.add(f);
            }
        }
        int n = present.size();
        fields = present.toArray(new CallField[0]);
        values = new Object[n];
        longs = new long[n];
        doubles = new double[n];
        bools = new boolean[n];
        for (int i = 0; i < n; i++) {
            CallField f = fields[i];
            Object v = value.get(f);
            values[i] = v;
            FieldType t = f.type();
            if (t == FieldType.INT64 || t == FieldType.TIMESTAMP_MICROS) {
                longs[i] = (Long) v;
            } else if (t == FieldType.FLOAT64) {
                doubles[i] = (Double) v;
            } else if (t == FieldType.BOOL) {
                bools[i] = (Boolean) v;
            }
        }
        stops = value.stopSequences().toArray(new String[0]);
        messages = value.messages().toArray(new Message[0]);
        Map<String, String> attrs = value.attributes();
        attrKeys = attrs.keySet().toArray(new String[0]);
        attrValues = attrs.values().toArray(new String[0]);
        record = RecordBytes.encode(this);
        recordBytes = record.length;
    }

    /** Start time, or 0 when absent. */
    public long startTimeMicros() {
        Long t = value.startTimeMicros();
        return t == null ? 0 : t;
    }

    public long durationMicros() {
        Long d = value.int64(CallField.DURATION_US);
        return d == null ? 0 : d;
    }
}
