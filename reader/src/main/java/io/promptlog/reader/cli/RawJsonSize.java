package io.promptlog.reader.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import io.promptlog.reader.CanonicalJson;
import io.promptlog.synthetic.SyntheticCalls;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;

/**
 * Measures, on a background thread, how many bytes the demo's calls take as canonical JSON lines (the
 * "log every call as JSON" baseline): the same seeded calls the generator logs, serialized into a
 * byte counter.
 */
final class RawJsonSize extends Thread {
    private final long seed;
    private final long count;
    private volatile long bytes;
    private volatile Throwable failure;

    RawJsonSize(long seed, long count) {
        super("promptlog-demo-json-size");
        setDaemon(true);
        this.seed = seed;
        this.count = count;
    }

    @Override
    public void run() {
        try {
            SyntheticCalls calls = new SyntheticCalls(seed);
            Counter counter = new Counter();
            try (JsonGenerator gen = CanonicalJson.mapper().getFactory().createGenerator(counter)) {
                for (long seq = 0; seq < count; seq++) {
                    CanonicalJson.mapper().writeTree(gen, CanonicalJson.toJson(calls.call(seq)));
                    gen.writeRaw('\n');
                }
            }
            bytes = counter.n;
        } catch (Throwable t) {
            failure = t;
        }
    }

    /** Waits for the count; the total bytes. */
    long await(PrintStream err) throws InterruptedException {
        if (isAlive()) {
            err.println("measuring raw JSON size...");
        }
        join();
        if (failure != null) {
            throw new IllegalStateException("measuring raw JSON size failed: " + failure, failure);
        }
        return bytes;
    }

    private static final class Counter extends OutputStream {
        long n;

        @Override
        public void write(int b) {
            n++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            n += len;
        }
    }
}
