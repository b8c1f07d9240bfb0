package io.promptlog.cli;

import io.promptlog.reader.CanonicalJson;
import io.promptlog.synthetic.SyntheticCalls;
import io.promptlog.writer.CallField;
import io.promptlog.writer.LlmCall;

import java.io.IOException;
import java.io.Writer;
import java.io.PrintStream;
import java.util.HashMap;
import java.util.Map;

/**
 * Measures, on a background thread, how many bytes the demo's calls take as canonical JSON lines (the
 * "log every call as JSON" baseline): the same seeded calls the generator logs, every {@code every}-th one
 * (seq 0, every, 2*every, ...), streamed into a byte counter. Each distinct system prompt's bytes
 * ({@code ,"system_prompt":"..."}) are counted once and then added per call, which gives the same total
 * without re-encoding the same text for every call.
 */
final class RawJsonSize extends Thread {
    private final long seed;
    private final long count;
    private final int every;
    private volatile long bytes;
    private volatile long measured;
    private volatile Throwable failure;

    RawJsonSize(long seed, long count, int every) {
        super("promptlog-demo-json-size");
        setDaemon(true);
        this.seed = seed;
        this.count = count;
        this.every = every;
    }

    @Override
    public void run() {
        try {
            SyntheticCalls calls = new SyntheticCalls(seed);
            Map<String, Long> promptBytes = new HashMap<>();
            Counter counter = new Counter();
            long extra = 0;
            // the system prompt is counted once per distinct text below
            try (CanonicalJson.Lines lines = CanonicalJson.lines(counter, CallField.SYSTEM_PROMPT)) {
                long n = 0;
                for (long seq = 0; seq < count; seq += every, n++) {
                    LlmCall c = calls.call(seq);
                    String prompt = c.systemPrompt();
                    lines.write(c);
                    if (prompt != null) {
                        extra += promptBytes.computeIfAbsent(prompt, RawJsonSize::fieldBytes);
                    }
                }
                measured = n;
            }
            bytes = counter.n + extra;
        } catch (Throwable t) {
            failure = t;
        }
    }

    /** Bytes of {@code ,"system_prompt":"<escaped text>"} inside a JSON object. */
    static long fieldBytes(String prompt) {
        Counter c = new Counter();
        try (CanonicalJson.Lines g = CanonicalJson.lines(c, null)) {
            g.writeString(prompt);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return c.n + ",\"system_prompt\":".length();
    }

    /** How many calls were measured (after {@link #await}). */
    long measuredCalls() {
        return measured;
    }

    /** Waits for the count; the total bytes of the measured calls. */
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

    /**
     * Counts the UTF-8 bytes of the characters written (what {@code export --format jsonl} writes for the
     * same text: JSON built as characters, then encoded).
     */
    private static final class Counter extends Writer {
        long n;

        @Override
        public void write(char[] cbuf, int off, int len) {
            for (int i = off; i < off + len; i++) {
                char c = cbuf[i];
                n += c < 0x80 ? 1 : c < 0x800 || Character.isSurrogate(c) ? 2 : 3;
            }
        }

        @Override
        public void write(String s, int off, int len) {
            for (int i = off; i < off + len; i++) {
                char c = s.charAt(i);
                n += c < 0x80 ? 1 : c < 0x800 || Character.isSurrogate(c) ? 2 : 3;
            }
        }

        @Override
        public void write(int c) {
            write(String.valueOf((char) c), 0, 1);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    }
}
