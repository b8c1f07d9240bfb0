package io.promptlog.compactor.internal;

import io.promptlog.writer.CallField;
import io.promptlog.writer.LlmCall;
import io.promptlog.writer.Message;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.conf.ParquetConfiguration;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.RecordConsumer;

import java.util.List;
import java.util.Map;

/** Writes {@link CompactedCall} rows in the {@link CallsParquetSchema#CALLS} layout. */
final class CallsWriteSupport extends WriteSupport<CompactedCall> {
    private final Map<String, String> metadata;
    private RecordConsumer out;

    CallsWriteSupport(Map<String, String> metadata) {
        this.metadata = metadata;
    }

    @Override
    public WriteContext init(Configuration configuration) {
        return new WriteContext(CallsParquetSchema.CALLS, metadata);
    }

    @Override
    public WriteContext init(ParquetConfiguration configuration) {
        return new WriteContext(CallsParquetSchema.CALLS, metadata);
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
    public void write(CompactedCall row) {
        LlmCall c = row.call();
        out.startMessage();
        int i = 0;
        for (CallField f : CallsParquetSchema.CALL_FIELDS) {
            Object v = c.get(f);
            if (v != null) {
                String name = f.column();
                out.startField(name, i);
                switch (f.type()) {
                    case STRING -> out.addBinary(Binary.fromString((String) v));
                    case INT64, TIMESTAMP_MICROS -> out.addLong((Long) v);
                    case FLOAT64 -> out.addDouble((Double) v);
                    case BOOL -> out.addBoolean((Boolean) v);
                    case STRING_LIST -> stringList(c.stopSequences());
                    case MESSAGES -> messages(c.messages());
                    case ATTRIBUTES -> attributes(c.attributes());
                }
                out.endField(name, i);
            }
            i++;
        }
        string(CallsParquetSchema.SYSTEM_PROMPT_HASH, i++, row.systemPromptHash());
        string(CallsParquetSchema.TOOLS_HASH, i++, row.toolsHash());
        bool(CallsParquetSchema.TEXT_RETAINED, i++, row.textRetained());
        string(CallsParquetSchema.RETENTION_REASON, i++, row.retentionReason());
        string(CallsParquetSchema.INPUT_HASH, i++, row.inputHash());
        string(CallsParquetSchema.OUTPUT_HASH, i++, row.outputHash());
        int64(CallsParquetSchema.INPUT_CHARS, i++, row.inputChars());
        int64(CallsParquetSchema.OUTPUT_CHARS, i++, row.outputChars());
        int64(CallsParquetSchema.REDACTIONS, i++, row.redactions());
        bool(CallsParquetSchema.TRUNCATED, i++, c.truncated());
        out.startField(CallsParquetSchema.SCHEMA_VERSION, i);
        out.addInteger(CallField.SCHEMA_VERSION);
        out.endField(CallsParquetSchema.SCHEMA_VERSION, i);
        out.endMessage();
    }

    private void string(String name, int i, String v) {
        if (v != null) {
            out.startField(name, i);
            out.addBinary(Binary.fromString(v));
            out.endField(name, i);
        }
    }

    private void bool(String name, int i, boolean v) {
        out.startField(name, i);
        out.addBoolean(v);
        out.endField(name, i);
    }

    private void int64(String name, int i, long v) {
        out.startField(name, i);
        out.addLong(v);
        out.endField(name, i);
    }

    private void stringList(List<String> values) {
        out.startGroup();
        if (!values.isEmpty()) {
            out.startField("list", 0);
            for (String s : values) {
                out.startGroup();
                out.startField("element", 0);
                out.addBinary(Binary.fromString(s));
                out.endField("element", 0);
                out.endGroup();
            }
            out.endField("list", 0);
        }
        out.endGroup();
    }

    private void messages(List<Message> messages) {
        out.startGroup();
        if (!messages.isEmpty()) {
            out.startField("list", 0);
            for (Message m : messages) {
                out.startGroup();
                out.startField("element", 0);
                out.startGroup();
                out.startField("role", 0);
                out.addBinary(Binary.fromString(m.role()));
                out.endField("role", 0);
                string("content", 1, m.content());
                string("name", 2, m.name());
                string("tool_call_id", 3, m.toolCallId());
                out.endGroup();
                out.endField("element", 0);
                out.endGroup();
            }
            out.endField("list", 0);
        }
        out.endGroup();
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
