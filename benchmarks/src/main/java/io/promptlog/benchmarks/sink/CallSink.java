package io.promptlog.benchmarks.sink;

import io.promptlog.benchmarks.BenchCall;

import java.nio.file.Path;
import java.util.List;

/**
 * One way of logging a call: promptlog or a peer. Opened on a fresh directory; each logging thread gets
 * its own {@link Appender}; {@link #close()} drains any background work (async loggers, span batches)
 * and releases everything. The measured path is {@link Appender#append}.
 */
public interface CallSink extends AutoCloseable {
    /** Every sink name, in report order. */
    List<String> NAMES = List.of("promptlog", "promptlog-value", "promptlog-1shard", "chronicle-floor",
            "log4j2-async", "logback-async", "jsonl-sync", "otel", "noop");

    /** A logging thread's handle; not thread-safe. */
    interface Appender {
        /** Logs one call; returns a negative number when the call was dropped (promptlog status codes). */
        int append(BenchCall call);
    }

    Appender appender();

    /** Calls accepted but lost (known exactly only after {@link #close()} for async sinks). */
    default long dropped() {
        return 0;
    }

    /** Calls handed to the sink but not yet written; drained by {@link #close()}. */
    @Override
    void close() throws Exception;

    static CallSink open(String name, Path dir) throws Exception {
        return switch (name) {
            case "promptlog" -> PromptLogSink.recorder(dir, 0);
            case "promptlog-1shard" -> PromptLogSink.recorder(dir, 1);
            case "promptlog-value" -> PromptLogSink.value(dir);
            case "chronicle-floor" -> new ChronicleFloorSink(dir);
            case "log4j2-async" -> new Log4j2AsyncSink(dir);
            case "logback-async" -> new LogbackAsyncSink(dir);
            case "jsonl-sync" -> new JsonlSyncSink(dir);
            case "otel" -> new OtelSink(dir);
            case "noop" -> new NoopSink();
            default -> throw new IllegalArgumentException("unknown sink " + name + "; known: " + NAMES);
        };
    }
}
