package io.promptlog.compactor.internal;

import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.conf.ParquetConfiguration;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.RecordConsumer;
import org.apache.parquet.schema.MessageType;

import java.util.Map;

/** Writes {@link TextEntry} rows of a deduplicated text table (system prompts or tool definitions). */
final class TextWriteSupport extends WriteSupport<TextEntry> {
    private final MessageType schema;
    private final Map<String, String> metadata;
    private RecordConsumer out;

    TextWriteSupport(MessageType schema, Map<String, String> metadata) {
        this.schema = schema;
        this.metadata = metadata;
    }

    @Override
    public WriteContext init(Configuration configuration) {
        return new WriteContext(schema, metadata);
    }

    @Override
    public WriteContext init(ParquetConfiguration configuration) {
        return new WriteContext(schema, metadata);
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
    public void write(TextEntry e) {
        out.startMessage();
        field(0, Binary.fromString(e.hash()));
        field(1, Binary.fromString(e.text()));
        String chars = schema.getFieldName(2);
        out.startField(chars, 2);
        out.addLong(e.text().length());
        out.endField(chars, 2);
        String first = schema.getFieldName(3);
        out.startField(first, 3);
        out.addLong(e.firstSeenMicros());
        out.endField(first, 3);
        out.endMessage();
    }

    private void field(int i, Binary v) {
        String name = schema.getFieldName(i);
        out.startField(name, i);
        out.addBinary(v);
        out.endField(name, i);
    }
}
