package io.promptlog.benchmarks.sink;

import io.promptlog.benchmarks.BenchCall;
import io.promptlog.benchmarks.RecordBytes;
import io.promptlog.writer.CallRecorder;
import io.promptlog.writer.PromptLog;
import io.promptlog.writer.PromptLogConfig;
import io.promptlog.writer.PromptLogStats;

import java.nio.file.Path;

/**
 * promptlog itself: the recorder (zero-allocation) path or the {@code LlmCall} value path, default
 * settings (pretoucher on) except background compaction, which is off: the append benchmarks measure
 * the logging thread, and compaction is measured on its own ({@code StorageCompaction}).
 */
final class PromptLogSink implements CallSink {
    private final PromptLog log;
    private final boolean valuePath;

    private PromptLogSink(PromptLog log, boolean valuePath) {
        this.log = log;
        this.valuePath = valuePath;
        if (!log.isAvailable()) {
            throw new IllegalStateException("promptlog queue unavailable: " + log.stats().lastError());
        }
    }

    /** @param shardCount 0 for the default */
    static PromptLogSink recorder(Path dir, int shardCount) {
        PromptLogConfig.Builder b = PromptLogConfig.builder(dir).backgroundCompaction(false);
        if (shardCount > 0) {
            b.shardCount(shardCount);
        }
        return new PromptLogSink(PromptLog.open(b.build()), false);
    }

    static PromptLogSink value(Path dir) {
        return new PromptLogSink(PromptLog.open(PromptLogConfig.builder(dir).backgroundCompaction(false).build()), true);
    }

    @Override
    public Appender appender() {
        if (valuePath) {
            return call -> log.append(call.value);
        }
        return call -> {
            CallRecorder r = log.begin();
            RecordBytes.fill(r, call);
            return r.commit();
        };
    }

    @Override
    public long dropped() {
        return log.stats().dropped();
    }

    PromptLogStats stats() {
        return log.stats();
    }

    @Override
    public void close() {
        PromptLogStats s = log.stats();
        log.close();
        if (s.dropped() > 0) {
            System.err.println("promptlog dropped " + s.dropped() + " calls: " + s.lastError());
        }
        if (s.truncated() > 0) {
            System.err.println("promptlog truncated " + s.truncated() + " calls");
        }
    }
}
