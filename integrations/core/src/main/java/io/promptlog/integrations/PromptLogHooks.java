package io.promptlog.integrations;

import io.promptlog.writer.AppendStatus;
import io.promptlog.writer.CallField;
import io.promptlog.writer.LlmCall;
import io.promptlog.writer.PromptLog;

import java.util.Objects;
import java.util.OptionalDouble;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What every client hook shares: the {@link PromptLog} it writes to, the {@link PriceTable} that fills
 * {@code cost_usd}, the current OpenTelemetry span's ids, and the counters of what went wrong.
 * Thread-safe; one instance is normally shared by every hook of an application.
 *
 * <pre>{@code
 * PromptLogHooks hooks = PromptLogHooks.of(log);                       // default prices
 * PromptLogHooks hooks = PromptLogHooks.builder(log)
 *         .prices(PriceTable.defaults().withOverrides(PriceTable.load(Path.of("my-prices.csv"))))
 *         .build();
 * }</pre>
 *
 * <p>Nothing here throws into the app: {@link #record} and {@link #failed} count instead (see
 * {@link #stats()}). Closing the hooks does not close the log.
 */
public final class PromptLogHooks {
    private final PromptLog log;
    private final PriceTable prices;
    private final boolean traceIds;
    private final AtomicLong recorded = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private volatile String lastFailure;

    private PromptLogHooks(Builder b) {
        this.log = b.log;
        this.prices = b.prices;
        this.traceIds = b.traceIds;
    }

    /** Hooks writing to {@code log} with the default price table and trace ids on. */
    public static PromptLogHooks of(PromptLog log) {
        return builder(log).build();
    }

    public static Builder builder(PromptLog log) {
        return new Builder(log);
    }

    public PromptLog log() {
        return log;
    }

    public PriceTable prices() {
        return prices;
    }

    /**
     * Sets {@code trace_id} and {@code span_id} from the current OpenTelemetry span, if the OTel API is on
     * the class path and a valid span is current on this thread (call it on the app's thread, when the
     * request starts). Never throws.
     */
    public LlmCall.Builder captureTraceIds(LlmCall.Builder call) {
        if (traceIds) {
            String[] ids = TraceIds.current();
            if (ids != null) {
                call.traceId(ids[0]).spanId(ids[1]);
            }
        }
        return call;
    }

    /**
     * Appends one call: fills {@code cost_usd} from the price table when it is absent and the model is
     * known, then appends. Returns the {@link AppendStatus}; never throws (a failure is counted and
     * returned as {@link AppendStatus#DROPPED_ERROR}).
     */
    public int record(LlmCall.Builder call) {
        try {
            if (call.get(CallField.COST_USD) == null) {
                OptionalDouble cost = cost(call);
                if (cost.isPresent()) {
                    call.costUsd(cost.getAsDouble());
                }
            }
            int status = log.append(call.build());
            if (AppendStatus.isAppended(status)) {
                recorded.incrementAndGet();
            } else {
                dropped.incrementAndGet();
            }
            return status;
        } catch (Throwable t) {
            failed("record", t);
            return AppendStatus.DROPPED_ERROR;
        }
    }

    private OptionalDouble cost(LlmCall.Builder call) {
        Object model = call.get(CallField.RESPONSE_MODEL);
        if (model == null || prices.price((String) model) == null) {
            model = call.get(CallField.REQUEST_MODEL);
        }
        return prices.costUsd((String) model, tokens(call, CallField.INPUT_TOKENS),
                tokens(call, CallField.CACHED_INPUT_TOKENS), tokens(call, CallField.OUTPUT_TOKENS));
    }

    private static long tokens(LlmCall.Builder call, CallField f) {
        Object v = call.get(f);
        return v == null ? -1 : (Long) v;
    }

    /**
     * Counts a failure inside a hook, swallowed so that the app's call goes on unchanged. Rethrows only a
     * {@link VirtualMachineError} (out of memory, stack overflow), which no caller should lose.
     */
    public void failed(String where, Throwable t) {
        if (t instanceof VirtualMachineError e) {
            throw e;
        }
        failures.incrementAndGet();
        lastFailure = where + ": " + t;
    }

    public HookStats stats() {
        return new HookStats(recorded.get(), dropped.get(), failures.get(), lastFailure);
    }

    @Override
    public String toString() {
        return "PromptLogHooks" + stats();
    }

    /** Builds {@link PromptLogHooks}; validates in the setters. */
    public static final class Builder {
        private final PromptLog log;
        private PriceTable prices = PriceTable.defaults();
        private boolean traceIds = true;

        private Builder(PromptLog log) {
            this.log = Objects.requireNonNull(log, "log");
        }

        /** The prices that fill {@code cost_usd}; {@link PriceTable#empty()} to record no cost. */
        public Builder prices(PriceTable prices) {
            this.prices = Objects.requireNonNull(prices, "prices");
            return this;
        }

        /** Whether to take trace_id/span_id from the current OpenTelemetry span (default true). */
        public Builder traceIds(boolean on) {
            this.traceIds = on;
            return this;
        }

        public PromptLogHooks build() {
            return new PromptLogHooks(this);
        }
    }
}
