package io.promptlog.integrations.springai;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.promptlog.integrations.PromptLogHooks;
import io.promptlog.writer.PromptLog;
import io.promptlog.writer.PromptLogStats;

import java.util.Objects;
import java.util.function.ToDoubleFunction;

/**
 * Exposes the writer's and the hooks' counters as Micrometer meters (function counters, read from
 * {@link PromptLog#stats()} and {@link PromptLogHooks#stats()} when the registry is scraped):
 *
 * <ul>
 *   <li>{@code promptlog.appended} (records), {@code promptlog.appended.bytes};</li>
 *   <li>{@code promptlog.dropped}, tagged {@code reason}: {@code closed}, {@code unavailable},
 *       {@code io_error}, {@code too_large}, {@code error};</li>
 *   <li>{@code promptlog.truncated}, {@code promptlog.rejected.fields};</li>
 *   <li>{@code promptlog.hook.failures}: failures inside the hooks, swallowed.</li>
 * </ul>
 */
public final class PromptLogMetrics implements MeterBinder {
    private final PromptLog log;
    private final PromptLogHooks hooks;

    public PromptLogMetrics(PromptLog log, PromptLogHooks hooks) {
        this.log = Objects.requireNonNull(log, "log");
        this.hooks = Objects.requireNonNull(hooks, "hooks");
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        counter(registry, "promptlog.appended", "records appended to the log", "records", PromptLogStats::appended, null);
        counter(registry, "promptlog.appended.bytes", "bytes of the records appended", "bytes",
                PromptLogStats::appendedBytes, null);
        counter(registry, "promptlog.dropped", "records dropped", "records", PromptLogStats::droppedClosed, "closed");
        counter(registry, "promptlog.dropped", "records dropped", "records", PromptLogStats::droppedUnavailable, "unavailable");
        counter(registry, "promptlog.dropped", "records dropped", "records", PromptLogStats::droppedIoError, "io_error");
        counter(registry, "promptlog.dropped", "records dropped", "records", PromptLogStats::droppedTooLarge, "too_large");
        counter(registry, "promptlog.dropped", "records dropped", "records", PromptLogStats::droppedError, "error");
        counter(registry, "promptlog.truncated", "records appended with text cut to fit", "records",
                PromptLogStats::truncated, null);
        counter(registry, "promptlog.rejected.fields", "field values ignored for a type mismatch", "fields",
                PromptLogStats::rejectedFields, null);
        FunctionCounter.builder("promptlog.hook.failures", hooks, h -> h.stats().failures())
                .description("failures inside the logging hooks, counted and swallowed").baseUnit("failures")
                .register(registry);
    }

    private void counter(MeterRegistry registry, String name, String description, String unit,
                         java.util.function.ToLongFunction<PromptLogStats> value, String reason) {
        ToDoubleFunction<PromptLog> f = l -> value.applyAsLong(l.stats());
        FunctionCounter.Builder<PromptLog> b = FunctionCounter.builder(name, log, f).description(description).baseUnit(unit);
        if (reason != null) {
            b.tag("reason", reason);
        }
        b.register(registry);
    }
}
