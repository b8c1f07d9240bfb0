package io.promptlog.integrations;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Scope;
import io.promptlog.writer.AppendStatus;
import io.promptlog.writer.LlmCall;
import io.promptlog.writer.PromptLog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

@Timeout(60)
class PromptLogHooksTest {
    private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String SPAN = "00f067aa0ba902b7";

    @Test
    void shouldFillCostForKnownModelsAndLeaveItEmptyForUnknownOnes(@TempDir Path home) {
        try (PromptLog log = PromptLog.open(home)) {
            PromptLogHooks hooks = PromptLogHooks.of(log);
            hooks.record(LlmCall.builder().requestModel("gpt-4o").responseModel("gpt-4o-2024-08-06")
                    .inputTokens(1000).cachedInputTokens(400).outputTokens(200));
            hooks.record(LlmCall.builder().requestModel("my-finetune").inputTokens(1000).outputTokens(200));
            hooks.record(LlmCall.builder().requestModel("gpt-4o").inputTokens(10).costUsd(42.0));
            assertThat(hooks.stats()).isEqualTo(new HookStats(3, 0, 0, null));
        }
        var calls = LoggedCalls.readAll(home);
        assertThat(calls.get(0).float64(io.promptlog.writer.CallField.COST_USD))
                .isCloseTo((600 * 2.50 + 400 * 1.25 + 200 * 10.00) / 1e6, within(1e-12));
        assertThat(calls.get(1).float64(io.promptlog.writer.CallField.COST_USD)).isNull();
        assertThat(calls.get(2).float64(io.promptlog.writer.CallField.COST_USD)).isEqualTo(42.0);
    }

    @Test
    void shouldTakeTraceAndSpanIdsFromTheCurrentOpenTelemetrySpan(@TempDir Path home) {
        try (PromptLog log = PromptLog.open(home)) {
            PromptLogHooks hooks = PromptLogHooks.of(log);
            Span span = Span.wrap(SpanContext.create(TRACE, SPAN, TraceFlags.getSampled(), TraceState.getDefault()));
            try (Scope ignored = span.makeCurrent()) {
                hooks.record(hooks.captureTraceIds(LlmCall.builder().requestModel("inside")));
            }
            hooks.record(hooks.captureTraceIds(LlmCall.builder().requestModel("outside")));
            PromptLogHooks off = PromptLogHooks.builder(log).traceIds(false).build();
            try (Scope ignored = span.makeCurrent()) {
                off.record(off.captureTraceIds(LlmCall.builder().requestModel("switched-off")));
            }
        }
        var calls = LoggedCalls.readAll(home);
        assertThat(calls.get(0).string(io.promptlog.writer.CallField.TRACE_ID)).isEqualTo(TRACE);
        assertThat(calls.get(0).string(io.promptlog.writer.CallField.SPAN_ID)).isEqualTo(SPAN);
        assertThat(calls.get(1).string(io.promptlog.writer.CallField.TRACE_ID)).isNull();
        assertThat(calls.get(2).string(io.promptlog.writer.CallField.TRACE_ID)).isNull();
    }

    @Test
    void shouldCountDropsAndSwallowedFailuresInsteadOfThrowing(@TempDir Path home) {
        PromptLog log = PromptLog.open(home);
        PromptLogHooks hooks = PromptLogHooks.of(log);
        log.close();
        assertThat(hooks.record(LlmCall.builder().requestModel("gpt-4o"))).isEqualTo(AppendStatus.DROPPED_CLOSED);
        hooks.failed("parse response", new IllegalStateException("unexpected token"));
        assertThat(hooks.stats()).isEqualTo(new HookStats(0, 1, 1, "parse response: java.lang.IllegalStateException: unexpected token"));
    }
}
