package io.promptlog.benchmarks.sink;

import com.fasterxml.jackson.core.JsonGenerator;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.promptlog.benchmarks.BenchCall;
import io.promptlog.benchmarks.CanonicalJson;
import io.promptlog.writer.CallField;
import io.promptlog.writer.Message;

import java.io.BufferedWriter;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * How OpenLLMetry-style instrumentation records a prompt: one CLIENT span per call with the content in
 * {@code gen_ai.*} attributes (messages and output as JSON text, serialised on the calling thread), the
 * SDK's {@link BatchSpanProcessor} with its defaults (queue 2048, batch 512, 5 s delay; it DROPS spans
 * when the queue is full), and an exporter writing one JSON line per span to a file. Dropped spans are
 * counted: ended minus exported, after shutdown flushed the queue.
 */
final class OtelSink implements CallSink {
    private static final AttributeKey<?>[] KEYS = new AttributeKey<?>[CallField.values().length];
    private static final AttributeKey<String> INPUT_MESSAGES = AttributeKey.stringKey("gen_ai.input.messages");
    private static final AttributeKey<String> OUTPUT_MESSAGES = AttributeKey.stringKey("gen_ai.output.messages");
    private static final Map<String, AttributeKey<String>> ATTR_KEYS = new ConcurrentHashMap<>();

    static {
        // the batch processor reports each drop through java.util.logging; we count drops ourselves
        java.util.logging.Logger.getLogger("io.opentelemetry").setLevel(java.util.logging.Level.SEVERE);
        for (CallField f : CallField.all()) {
            String name = otelName(f);
            KEYS[f.ordinal()] = switch (f.type()) {
                case STRING -> AttributeKey.stringKey(name);
                case INT64, TIMESTAMP_MICROS -> AttributeKey.longKey(name);
                case FLOAT64 -> AttributeKey.doubleKey(name);
                case BOOL -> AttributeKey.booleanKey(name);
                case STRING_LIST -> AttributeKey.stringArrayKey(name);
                case MESSAGES, ATTRIBUTES -> null;
            };
        }
    }

    private final SdkTracerProvider provider;
    private final Tracer tracer;
    private final JsonLinesExporter exporter;
    private final LongAdder ended = new LongAdder();
    private final ThreadLocal<StringBuilder> text = ThreadLocal.withInitial(() -> new StringBuilder(32 * 1024));
    private volatile boolean closed;

    OtelSink(Path dir) throws IOException {
        dir.toFile().mkdirs();
        exporter = new JsonLinesExporter(dir.resolve("spans.jsonl"));
        provider = SdkTracerProvider.builder()
                .addSpanProcessor(BatchSpanProcessor.builder(exporter).build())
                .build();
        tracer = provider.get("io.promptlog.benchmarks");
    }

    /** The OTel GenAI attribute of a field when the convention has one, else {@code promptlog.<column>}. */
    static String otelName(CallField f) {
        String o = f.otelAttribute();
        int sp = o.indexOf(' ');
        String first = sp < 0 ? o : o.substring(0, sp);
        if (first.contains(".") && first.matches("[a-z_.]+") && f != CallField.SYSTEM_PROMPT) {
            return first;
        }
        return f == CallField.SYSTEM_PROMPT ? "gen_ai.system_instructions" : "promptlog." + f.column();
    }

    @Override
    public Appender appender() {
        return this::log;
    }

    @SuppressWarnings("unchecked")
    private int log(BenchCall c) {
        String model = c.value.requestModel();
        SpanBuilder b = tracer.spanBuilder(model == null ? "chat" : "chat " + model)
                .setSpanKind(SpanKind.CLIENT)
                .setStartTimestamp(c.startTimeMicros(), TimeUnit.MICROSECONDS);
        CallField[] fields = c.fields;
        for (int i = 0; i < fields.length; i++) {
            CallField f = fields[i];
            AttributeKey<?> k = KEYS[f.ordinal()];
            switch (f.type()) {
                case STRING -> {
                    if (f == CallField.RESPONSE) {
                        StringBuilder sb = text.get();
                        sb.setLength(0);
                        CanonicalJson.appendMessages(new Message[] {Message.of("assistant", (String) c.values[i])}, sb);
                        b.setAttribute(OUTPUT_MESSAGES, sb.toString());
                    } else {
                        b.setAttribute((AttributeKey<String>) k, (String) c.values[i]);
                    }
                }
                case INT64, TIMESTAMP_MICROS -> b.setAttribute((AttributeKey<Long>) k, c.longs[i]);
                case FLOAT64 -> b.setAttribute((AttributeKey<Double>) k, c.doubles[i]);
                case BOOL -> b.setAttribute((AttributeKey<Boolean>) k, c.bools[i]);
                case STRING_LIST -> b.setAttribute((AttributeKey<List<String>>) k, List.of(c.stops));
                case MESSAGES -> {
                    StringBuilder sb = text.get();
                    sb.setLength(0);
                    CanonicalJson.appendMessages(c.messages, sb);
                    b.setAttribute(INPUT_MESSAGES, sb.toString());
                }
                case ATTRIBUTES -> {
                    for (int a = 0; a < c.attrKeys.length; a++) {
                        b.setAttribute(ATTR_KEYS.computeIfAbsent(c.attrKeys[a],
                                key -> AttributeKey.stringKey("promptlog.attributes." + key)), c.attrValues[a]);
                    }
                }
            }
        }
        b.startSpan().end(c.startTimeMicros() + c.durationMicros(), TimeUnit.MICROSECONDS);
        ended.increment();
        return 0;
    }

    @Override
    public long dropped() {
        return closed ? ended.sum() - exporter.exported.sum() : 0;
    }

    /** Spans ended so far. */
    long ended() {
        return ended.sum();
    }

    @Override
    public void close() {
        provider.shutdown().join(120, TimeUnit.SECONDS);
        closed = true;
    }

    /** Writes each span (name, ids, times, attributes) as one JSON line; counts what it wrote. */
    static final class JsonLinesExporter implements SpanExporter {
        final LongAdder exported = new LongAdder();
        private final BufferedWriter writer;
        private final JsonGenerator g;

        JsonLinesExporter(Path file) throws IOException {
            writer = new BufferedWriter(new OutputStreamWriter(new FileOutputStream(file.toFile()),
                    StandardCharsets.UTF_8), 256 * 1024);
            g = CanonicalJson.FACTORY.createGenerator(writer);
        }

        @Override
        public synchronized CompletableResultCode export(Collection<SpanData> spans) {
            try {
                for (SpanData s : spans) {
                    g.writeStartObject();
                    g.writeStringField("trace_id", s.getTraceId());
                    g.writeStringField("span_id", s.getSpanId());
                    g.writeStringField("name", s.getName());
                    g.writeNumberField("start_time_unix_nano", s.getStartEpochNanos());
                    g.writeNumberField("end_time_unix_nano", s.getEndEpochNanos());
                    g.writeObjectFieldStart("attributes");
                    IOException[] failed = new IOException[1];
                    s.getAttributes().forEach((k, v) -> {
                        try {
                            g.writeFieldName(k.getKey());
                            if (v instanceof String str) {
                                g.writeString(str);
                            } else if (v instanceof Long l) {
                                g.writeNumber(l);
                            } else if (v instanceof Double d) {
                                g.writeNumber(d);
                            } else if (v instanceof Boolean bo) {
                                g.writeBoolean(bo);
                            } else if (v instanceof List<?> list) {
                                g.writeStartArray();
                                for (Object o : list) {
                                    g.writeString(String.valueOf(o));
                                }
                                g.writeEndArray();
                            } else {
                                g.writeString(String.valueOf(v));
                            }
                        } catch (IOException e) {
                            failed[0] = e;
                        }
                    });
                    if (failed[0] != null) {
                        throw failed[0];
                    }
                    g.writeEndObject();
                    g.writeEndObject();
                    g.writeRaw('\n');
                    exported.increment();
                }
                return CompletableResultCode.ofSuccess();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public synchronized CompletableResultCode flush() {
            try {
                g.flush();
                return CompletableResultCode.ofSuccess();
            } catch (IOException e) {
                return CompletableResultCode.ofFailure();
            }
        }

        @Override
        public synchronized CompletableResultCode shutdown() {
            try {
                g.close();
                writer.close();
                return CompletableResultCode.ofSuccess();
            } catch (IOException e) {
                return CompletableResultCode.ofFailure();
            }
        }
    }
}
