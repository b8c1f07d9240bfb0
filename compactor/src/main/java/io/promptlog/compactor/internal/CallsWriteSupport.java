package io.promptlog.compactor.internal;

import io.promptlog.format.Column;
import io.promptlog.format.ColumnType;
import io.promptlog.format.DatasetSchema;
import io.promptlog.format.Utf8Buffer;
import io.promptlog.writer.CallField;
import io.promptlog.writer.Message;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.conf.ParquetConfiguration;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.RecordConsumer;

import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Writes {@link CompactedCall} rows in the {@link DatasetSchema#CALLS_PARQUET} layout, walking
 * {@link DatasetSchema#CALLS}: a logged column takes the call's field of the same name (checked once, at
 * class load, to exist with the same type), a derived column the value the {@link CallProcessor} computed.
 */
final class CallsWriteSupport extends WriteSupport<CompactedCall> {
    private static final List<Column> COLUMNS = DatasetSchema.CALLS;
    private static final List<Function<CompactedCall, Object>> VALUES = COLUMNS.stream().map(CallsWriteSupport::valueOf).toList();

    /** Index of {@code content} in {@link ColumnType#MESSAGE_FIELDS}. */
    private static final int CONTENT = ColumnType.MESSAGE_FIELDS.indexOf("content");

    private final Map<String, String> metadata;
    /** Every string is encoded into this one buffer; parquet-java copies what it keeps (dictionary, min/max). */
    private final Utf8Buffer utf8 = new Utf8Buffer();
    private RecordConsumer out;

    CallsWriteSupport(Map<String, String> metadata) {
        this.metadata = metadata;
    }

    /** How a column's value is taken from a row. */
    static Function<CompactedCall, Object> valueOf(Column c) {
        if (c.origin() == Column.Origin.LOGGED) {
            CallField f = loggedField(c);
            if (f == CallField.RESPONSE) {
                return row -> row.text() == null ? row.call().get(f) : row.text().response();
            }
            if (f == CallField.RESPONSE_TOOL_CALLS) {
                return row -> row.text() == null ? row.call().get(f) : row.text().responseToolCalls();
            }
            return row -> row.call().get(f);
        }
        return switch (c.name()) {
            case DatasetSchema.SYSTEM_PROMPT_HASH -> CompactedCall::systemPromptHash;
            case DatasetSchema.TOOLS_HASH -> CompactedCall::toolsHash;
            case DatasetSchema.TEXT_RETAINED -> CompactedCall::textRetained;
            case DatasetSchema.RETENTION_REASON -> CompactedCall::retentionReason;
            case DatasetSchema.INPUT_HASH -> CompactedCall::inputHash;
            case DatasetSchema.OUTPUT_HASH -> CompactedCall::outputHash;
            case DatasetSchema.INPUT_CHARS -> CompactedCall::inputChars;
            case DatasetSchema.OUTPUT_CHARS -> CompactedCall::outputChars;
            case DatasetSchema.REDACTIONS -> CompactedCall::redactions;
            case DatasetSchema.TRUNCATED -> row -> row.call().truncated();
            case DatasetSchema.SCHEMA_VERSION -> row -> CallField.SCHEMA_VERSION;
            default -> throw new IllegalStateException("the compactor has no value for derived column " + c.name());
        };
    }

    /** The logged call field a column stores; fails when the writer's schema and the dataset's disagree. */
    static CallField loggedField(Column c) {
        CallField f = CallField.byColumn(c.name());
        if (f == null || !f.type().name().equals(c.type().name())) {
            throw new IllegalStateException("dataset column " + c.name() + " (" + c.type() + ") has no call field of that type: "
                    + (f == null ? "none" : f + " is " + f.type()));
        }
        return f;
    }

    @Override
    public WriteContext init(Configuration configuration) {
        return new WriteContext(DatasetSchema.CALLS_PARQUET, metadata);
    }

    @Override
    public WriteContext init(ParquetConfiguration configuration) {
        return new WriteContext(DatasetSchema.CALLS_PARQUET, metadata);
    }

    @Override
    public String getName() {
        return "promptlog";
    }

    @Override
    public void prepareForWrite(RecordConsumer recordConsumer) {
        this.out = recordConsumer;
    }

    @Override
    @SuppressWarnings("unchecked")
    public void write(CompactedCall row) {
        out.startMessage();
        for (int i = 0; i < COLUMNS.size(); i++) {
            Object v = VALUES.get(i).apply(row);
            if (v == null) {
                continue;
            }
            Column c = COLUMNS.get(i);
            String name = c.name();
            out.startField(name, i);
            switch (c.type()) {
                case STRING -> out.addBinary(v instanceof byte[] bytes ? Binary.fromConstantByteArray(bytes) : utf8((String) v));
                case INT32 -> out.addInteger((Integer) v);
                case INT64, TIMESTAMP_MICROS -> out.addLong((Long) v);
                case FLOAT64 -> out.addDouble((Double) v);
                case BOOL -> out.addBoolean((Boolean) v);
                case STRING_LIST -> stringList((List<String>) v);
                case MESSAGES -> messages((List<Message>) v, row.text() == null ? null : row.text().contents());
                case ATTRIBUTES -> attributes((Map<String, String>) v);
                case DATE -> throw new IllegalStateException(name + " is a partition column");
            }
            out.endField(name, i);
        }
        out.endMessage();
    }

    /** The UTF-8 bytes of {@code s}, valid until the next call. */
    private Binary utf8(String s) {
        utf8.encode(s);
        return Binary.fromReusedByteArray(utf8.bytes(), 0, utf8.length());
    }

    private void bytes(String name, int i, byte[] v) {
        if (v != null) {
            out.startField(name, i);
            out.addBinary(Binary.fromConstantByteArray(v));
            out.endField(name, i);
        }
    }

    private void string(String name, int i, String v) {
        if (v != null) {
            out.startField(name, i);
            out.addBinary(utf8(v));
            out.endField(name, i);
        }
    }

    private void stringList(List<String> values) {
        out.startGroup();
        if (!values.isEmpty()) {
            out.startField("list", 0);
            for (String s : values) {
                out.startGroup();
                out.startField("element", 0);
                out.addBinary(utf8(s));
                out.endField("element", 0);
                out.endGroup();
            }
            out.endField("list", 0);
        }
        out.endGroup();
    }

    /** {@code contents}: the stored contents as UTF-8, one per message (the messages' own are then null), or null. */
    private void messages(List<Message> messages, byte[][] contents) {
        out.startGroup();
        if (!messages.isEmpty()) {
            out.startField("list", 0);
            for (int i = 0; i < messages.size(); i++) {
                Message m = messages.get(i);
                out.startGroup();
                out.startField("element", 0);
                out.startGroup();
                for (int k = 0; k < ColumnType.MESSAGE_FIELDS.size(); k++) {
                    if (k == CONTENT && contents != null) {
                        bytes(ColumnType.MESSAGE_FIELDS.get(k), k, contents[i]);
                    } else {
                        string(ColumnType.MESSAGE_FIELDS.get(k), k, part(m, k));
                    }
                }
                out.endGroup();
                out.endField("element", 0);
                out.endGroup();
            }
            out.endField("list", 0);
        }
        out.endGroup();
    }

    /** Field {@code k} of {@link ColumnType#MESSAGE_FIELDS} of a message. */
    static String part(Message m, int k) {
        return switch (k) {
            case 0 -> m.role();
            case 1 -> m.content();
            case 2 -> m.name();
            case 3 -> m.toolCallId();
            default -> throw new IllegalArgumentException("no message field " + k);
        };
    }

    private void attributes(Map<String, String> attributes) {
        out.startGroup();
        if (!attributes.isEmpty()) {
            out.startField("key_value", 0);
            for (Map.Entry<String, String> e : attributes.entrySet()) {
                out.startGroup();
                string("key", 0, e.getKey());
                string("value", 1, e.getValue());
                out.endGroup();
            }
            out.endField("key_value", 0);
        }
        out.endGroup();
    }
}
