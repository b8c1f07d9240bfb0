package io.promptlog.benchmarks;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamWriteFeature;
import io.promptlog.writer.CallField;
import io.promptlog.writer.Message;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;

/**
 * The canonical JSON of one call (keys are the {@link CallField} column names, start_time as RFC 3339
 * UTC with microseconds, messages as objects, attributes as an object), written with Jackson's streaming
 * generator. Every JSON peer (JSONL, Log4j2, Logback, the OTel exporter's attribute text) writes a call
 * with this class, so they all carry the same bytes of content.
 */
public final class CanonicalJson {
    public static final JsonFactory FACTORY = new com.fasterxml.jackson.core.JsonFactoryBuilder()
            .enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER)
            .rootValueSeparator((String) null)
            .build();

    private static final ThreadLocal<ToStringBuilder> BUILDERS = ThreadLocal.withInitial(ToStringBuilder::new);

    private CanonicalJson() {
    }

    public static void write(BenchCall c, JsonGenerator g) throws IOException {
        g.writeStartObject();
        CallField[] fields = c.fields;
        for (int i = 0; i < fields.length; i++) {
            CallField f = fields[i];
            g.writeFieldName(f.column());
            switch (f.type()) {
                case STRING -> g.writeString((String) c.values[i]);
                case INT64 -> g.writeNumber(c.longs[i]);
                case TIMESTAMP_MICROS -> {
                    char[] buf = Rfc3339.buffer();
                    int n = Rfc3339.format(c.longs[i], buf);
                    g.writeString(buf, 0, n);
                }
                case FLOAT64 -> g.writeNumber(c.doubles[i]);
                case BOOL -> g.writeBoolean(c.bools[i]);
                case STRING_LIST -> {
                    g.writeStartArray();
                    for (String s : c.stops) {
                        g.writeString(s);
                    }
                    g.writeEndArray();
                }
                case MESSAGES -> writeMessages(c.messages, g);
                case ATTRIBUTES -> {
                    g.writeStartObject();
                    for (int k = 0; k < c.attrKeys.length; k++) {
                        g.writeStringField(c.attrKeys[k], c.attrValues[k]);
                    }
                    g.writeEndObject();
                }
            }
        }
        g.writeEndObject();
    }

    public static void writeMessages(Message[] messages, JsonGenerator g) throws IOException {
        g.writeStartArray();
        for (Message m : messages) {
            g.writeStartObject();
            g.writeStringField("role", m.role());
            if (m.content() != null) {
                g.writeStringField("content", m.content());
            }
            if (m.name() != null) {
                g.writeStringField("name", m.name());
            }
            if (m.toolCallId() != null) {
                g.writeStringField("tool_call_id", m.toolCallId());
            }
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    /** Appends the call's JSON to {@code out}, reusing this thread's generator. */
    public static void appendTo(BenchCall c, StringBuilder out) {
        ToStringBuilder b = BUILDERS.get();
        b.target = out;
        try {
            write(c, b.generator);
            b.generator.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            b.target = null;
        }
    }

    /** Appends the messages' JSON array to {@code out}, reusing this thread's generator. */
    public static void appendMessages(Message[] messages, StringBuilder out) {
        ToStringBuilder b = BUILDERS.get();
        b.target = out;
        try {
            writeMessages(messages, b.generator);
            b.generator.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            b.target = null;
        }
    }

    /** A Writer into whichever StringBuilder is current, with one generator over it for the thread. */
    private static final class ToStringBuilder extends Writer {
        StringBuilder target;
        final JsonGenerator generator;

        ToStringBuilder() {
            try {
                generator = FACTORY.createGenerator(this);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void write(char[] cbuf, int off, int len) {
            target.append(cbuf, off, len);
        }

        @Override
        public void write(String str, int off, int len) {
            target.append(str, off, off + len);
        }

        @Override
        public void write(int c) {
            target.append((char) c);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    }
}
