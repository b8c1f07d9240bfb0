package io.promptlog.benchmarks.sink;

import io.promptlog.benchmarks.BenchCall;

/** Logs nothing: the harness's own cost and the OS jitter baseline. */
final class NoopSink implements CallSink {
    @Override
    public Appender appender() {
        return call -> call.recordBytes > 0 ? 0 : -1;
    }

    @Override
    public void close() {
    }
}
