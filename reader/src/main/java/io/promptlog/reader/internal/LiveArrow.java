package io.promptlog.reader.internal;

import io.promptlog.format.Column;
import io.promptlog.format.ColumnType;
import io.promptlog.format.DatasetSchema;
import io.promptlog.format.DerivedValues;
import io.promptlog.writer.CallField;
import io.promptlog.writer.LlmCall;
import io.promptlog.writer.Message;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.TimeStampMicroTZVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorLoader;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.VectorUnloader;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.complex.MapVector;
import org.apache.arrow.vector.complex.StructVector;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Turns decoded queue calls into Arrow record batches with the columns of the {@code calls} view
 * ({@link DatasetSchema#CALLS_VIEW}; the system prompt and tool texts go to {@link LiveTexts}, once each),
 * so DuckDB can scan them next to the Parquet files. The Arrow schema is derived from the column types;
 * the derived columns are computed by {@link DerivedValues}, as the compactor computes them, with
 * {@code text_retained = true} and {@code retention_reason = 'live'} (the text is still in the queue; the
 * retention decision is made at compaction) and {@code redactions = 0}.
 */
public final class LiveArrow {
    public static final String LIVE_RETENTION_REASON = "live";
    static final int BATCH_ROWS = 4096;
    private static final List<Column> COLUMNS = DatasetSchema.CALLS_VIEW;
    /** For each logged column, its call field (null for the others). */
    private static final CallField[] FIELDS = COLUMNS.stream()
            .map(c -> c.origin() == Column.Origin.LOGGED ? CallField.byColumn(c.name()) : null)
            .toArray(CallField[]::new);
    private static final Schema SCHEMA = new Schema(COLUMNS.stream().map(LiveArrow::field).toList());

    private LiveArrow() {
    }

    public static Schema schema() {
        return SCHEMA;
    }

    /** The Arrow field of a dataset column (DuckDB maps it to {@link ColumnType#duckDbType()}). */
    static Field field(Column c) {
        String n = c.name();
        return switch (c.type()) {
            case STRING -> Field.nullable(n, ArrowType.Utf8.INSTANCE);
            case INT64 -> Field.nullable(n, new ArrowType.Int(64, true));
            case INT32 -> Field.nullable(n, new ArrowType.Int(32, true));
            case FLOAT64 -> Field.nullable(n, new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE));
            case BOOL -> Field.nullable(n, ArrowType.Bool.INSTANCE);
            case TIMESTAMP_MICROS -> Field.nullable(n, new ArrowType.Timestamp(TimeUnit.MICROSECOND, "UTC"));
            case DATE -> Field.nullable(n, new ArrowType.Date(DateUnit.DAY));
            case STRING_LIST -> new Field(n, FieldType.nullable(ArrowType.List.INSTANCE),
                    List.of(Field.nullable("element", ArrowType.Utf8.INSTANCE)));
            case MESSAGES -> new Field(n, FieldType.nullable(ArrowType.List.INSTANCE), List.of(
                    new Field("element", FieldType.nullable(ArrowType.Struct.INSTANCE),
                            ColumnType.MESSAGE_FIELDS.stream().map(f -> Field.nullable(f, ArrowType.Utf8.INSTANCE)).toList())));
            case ATTRIBUTES -> new Field(n, FieldType.nullable(new ArrowType.Map(false)), List.of(
                    new Field(MapVector.DATA_VECTOR_NAME, FieldType.notNullable(ArrowType.Struct.INSTANCE), List.of(
                            Field.notNullable(MapVector.KEY_NAME, ArrowType.Utf8.INSTANCE),
                            Field.nullable(MapVector.VALUE_NAME, ArrowType.Utf8.INSTANCE)))));
        };
    }

    /**
     * An ArrowReader that pulls calls from {@code source} batch by batch (so the queue is never held in
     * memory whole) and records their texts in {@code texts}; close it (or hand it to Arrow's C export).
     */
    public static ArrowReader reader(BufferAllocator allocator, LiveQueue source, LiveTexts texts) {
        return new BatchReader(allocator, source, texts);
    }

    /** The derived values of one live call. */
    private record Derived(String promptHash, String toolsHash, String inputHash, long inputChars,
                           String outputHash, long outputChars) {
        static Derived of(LlmCall call, LiveTexts texts, DerivedValues values) {
            if (noText(call)) {
                long inputChars = 0;
                for (Message m : call.messages()) {
                    inputChars += DerivedValues.chars(m.content());
                }
                return new Derived(null, null, null, inputChars, null, DerivedValues.chars(call.response()));
            }
            DerivedValues.InputDigest input = values.input();
            for (Message m : call.messages()) {
                input.message(m.role(), m.content(), m.name(), m.toolCallId());
            }
            long inputChars = input.chars();
            String inputHash = call.get(CallField.MESSAGES) == null ? null : input.hash();
            return new Derived(texts.prompt(call.systemPrompt(), call.startTimeMicros()),
                    texts.tools(call.string(CallField.TOOLS), call.startTimeMicros()),
                    inputHash, inputChars, values.outputHash(call.response()), DerivedValues.chars(call.response()));
        }
    }

    /** Fills one batch with these calls. */
    static void fill(VectorSchemaRoot root, List<LlmCall> calls, LiveTexts texts, DerivedValues values) {
        root.allocateNew();
        for (int row = 0; row < calls.size(); row++) {
            LlmCall call = calls.get(row);
            Derived d = Derived.of(call, texts, values);
            boolean hide = noText(call);
            for (int ci = 0; ci < COLUMNS.size(); ci++) {
                Column c = COLUMNS.get(ci);
                Object value = FIELDS[ci] == null ? derived(c.name(), call, d)
                        : hide && CallField.NO_TEXT_FIELDS.contains(FIELDS[ci]) ? null : call.get(FIELDS[ci]);
                set(root.getVector(ci), c.type(), row, value);
            }
        }
        root.setRowCount(calls.size());
    }

    /** A call whose user did not consent to text storage: the live view shows its metadata only, like Parquet. */
    private static boolean noText(LlmCall call) {
        return Boolean.TRUE.equals(call.bool(CallField.NO_TEXT));
    }

    private static Object derived(String column, LlmCall call, Derived d) {
        return switch (column) {
            case DatasetSchema.SYSTEM_PROMPT_HASH -> d.promptHash();
            case DatasetSchema.TOOLS_HASH -> d.toolsHash();
            case DatasetSchema.TEXT_RETAINED -> !noText(call);
            case DatasetSchema.RETENTION_REASON -> noText(call) ? null : LIVE_RETENTION_REASON;
            case DatasetSchema.INPUT_HASH -> d.inputHash();
            case DatasetSchema.OUTPUT_HASH -> d.outputHash();
            case DatasetSchema.INPUT_CHARS -> d.inputChars();
            case DatasetSchema.OUTPUT_CHARS -> d.outputChars();
            case DatasetSchema.REDACTIONS -> 0L;
            case DatasetSchema.TRUNCATED -> call.truncated();
            case DatasetSchema.SCHEMA_VERSION -> CallField.SCHEMA_VERSION;
            case DatasetSchema.DATE -> DerivedValues.epochDay(call.startTimeMicros());
            default -> throw new IllegalStateException("the live view has no value for column " + column);
        };
    }

    @SuppressWarnings("unchecked")
    private static void set(FieldVector v, ColumnType type, int i, Object value) {
        if (value == null) {
            if (v instanceof ListVector lv) {
                lv.setNull(i);
            } else {
                setNull(v, i);
            }
            return;
        }
        switch (type) {
            case STRING -> ((VarCharVector) v).setSafe(i, utf8((String) value));
            case INT64 -> ((BigIntVector) v).setSafe(i, (Long) value);
            case INT32 -> ((IntVector) v).setSafe(i, (Integer) value);
            case FLOAT64 -> ((Float8Vector) v).setSafe(i, (Double) value);
            case BOOL -> ((BitVector) v).setSafe(i, (Boolean) value ? 1 : 0);
            case TIMESTAMP_MICROS -> ((TimeStampMicroTZVector) v).setSafe(i, (Long) value);
            case DATE -> ((DateDayVector) v).setSafe(i, (Integer) value);
            case STRING_LIST -> {
                ListVector lv = (ListVector) v;
                List<String> list = (List<String>) value;
                int start = lv.startNewValue(i);
                VarCharVector data = (VarCharVector) lv.getDataVector();
                for (int k = 0; k < list.size(); k++) {
                    data.setSafe(start + k, utf8(list.get(k)));
                }
                lv.endValue(i, list.size());
            }
            case MESSAGES -> {
                ListVector lv = (ListVector) v;
                List<Message> list = (List<Message>) value;
                int start = lv.startNewValue(i);
                StructVector s = (StructVector) lv.getDataVector();
                VarCharVector role = (VarCharVector) s.getChildByOrdinal(0);
                VarCharVector content = (VarCharVector) s.getChildByOrdinal(1);
                VarCharVector name = (VarCharVector) s.getChildByOrdinal(2);
                VarCharVector tcid = (VarCharVector) s.getChildByOrdinal(3);
                for (int k = 0; k < list.size(); k++) {
                    Message m = list.get(k);
                    int at = start + k;
                    s.setIndexDefined(at);
                    setText(role, at, m.role());
                    setText(content, at, m.content());
                    setText(name, at, m.name());
                    setText(tcid, at, m.toolCallId());
                }
                lv.endValue(i, list.size());
            }
            case ATTRIBUTES -> {
                MapVector mv = (MapVector) v;
                Map<String, String> map = (Map<String, String>) value;
                int start = mv.startNewValue(i);
                StructVector s = (StructVector) mv.getDataVector();
                VarCharVector keys = s.getChild(MapVector.KEY_NAME, VarCharVector.class);
                VarCharVector values = s.getChild(MapVector.VALUE_NAME, VarCharVector.class);
                int k = 0;
                for (Map.Entry<String, String> e : map.entrySet()) {
                    int at = start + k++;
                    s.setIndexDefined(at);
                    setText(keys, at, e.getKey());
                    setText(values, at, e.getValue());
                }
                mv.endValue(i, map.size());
            }
        }
    }

    private static void setText(VarCharVector v, int i, String s) {
        if (s == null) {
            v.setNull(i);
        } else {
            v.setSafe(i, utf8(s));
        }
    }

    private static void setNull(FieldVector v, int i) {
        if (v instanceof VarCharVector x) {
            x.setNull(i);
        } else if (v instanceof BigIntVector x) {
            x.setNull(i);
        } else if (v instanceof IntVector x) {
            x.setNull(i);
        } else if (v instanceof Float8Vector x) {
            x.setNull(i);
        } else if (v instanceof BitVector x) {
            x.setNull(i);
        } else if (v instanceof TimeStampMicroTZVector x) {
            x.setNull(i);
        } else if (v instanceof DateDayVector x) {
            x.setNull(i);
        } else {
            throw new IllegalStateException("cannot set null in " + v.getClass().getSimpleName());
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Yields the source's calls as consecutive batches of up to {@link #BATCH_ROWS}. */
    private static final class BatchReader extends ArrowReader {
        private final LiveQueue source;
        private final LiveTexts texts;
        private final List<LlmCall> batch = new ArrayList<>(BATCH_ROWS);
        private DerivedValues values;

        BatchReader(BufferAllocator allocator, LiveQueue source, LiveTexts texts) {
            super(allocator);
            this.source = source;
            this.texts = texts;
        }

        @Override
        public boolean loadNextBatch() {
            batch.clear();
            while (batch.size() < BATCH_ROWS && source.next()) {
                batch.add(source.call());
            }
            if (batch.isEmpty()) {
                return false;
            }
            try (VectorSchemaRoot scratch = VectorSchemaRoot.create(schema(), allocator)) {
                if (values == null) {
                    values = source.derivedValues();
                }
                fill(scratch, batch, texts, values);
                try (ArrowRecordBatch b = new VectorUnloader(scratch).getRecordBatch()) {
                    new VectorLoader(getVectorSchemaRoot()).load(b);
                }
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            return true;
        }

        @Override
        public long bytesRead() {
            return 0;
        }

        @Override
        protected void closeReadSource() {
        }

        @Override
        protected Schema readSchema() {
            return schema();
        }
    }
}
