package io.promptlog.benchmarks.sink;

import com.fasterxml.jackson.core.JsonGenerator;
import io.promptlog.benchmarks.BenchCall;
import io.promptlog.benchmarks.CanonicalJson;

import java.io.BufferedWriter;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * What many teams write by hand: one JSON line per call, Jackson's streaming generator over a buffered
 * file writer, synchronously on the calling thread, one lock for all threads. Lines are flushed when the
 * buffer fills, not per call (its best case; a crash loses the buffer).
 */
final class JsonlSyncSink implements CallSink {
    private final BufferedWriter writer;
    private final JsonGenerator generator;

    JsonlSyncSink(Path dir) throws IOException {
        dir.toFile().mkdirs();
        writer = new BufferedWriter(new OutputStreamWriter(new FileOutputStream(dir.resolve("calls.jsonl").toFile()),
                StandardCharsets.UTF_8), 64 * 1024);
        generator = CanonicalJson.FACTORY.createGenerator(writer);
    }

    @Override
    public Appender appender() {
        return call -> {
            synchronized (this) {
                try {
                    CanonicalJson.write(call, generator);
                    generator.writeRaw('\n');
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            return 0;
        };
    }

    @Override
    public synchronized void close() throws IOException {
        generator.close();
        writer.close();
    }
}
