package io.promptlog.integrations;

/**
 * The trace and span id of the current OpenTelemetry span, when the OpenTelemetry API is on the class
 * path and a valid span is current. The API is an optional dependency: when it is missing, {@link
 * #current()} returns null and nothing else happens (no {@code NoClassDefFoundError}: the class that
 * touches the API is only loaded after a check that it is there).
 */
final class TraceIds {
    private static final boolean OTEL_PRESENT = otelPresent();

    private TraceIds() {
    }

    /** {trace_id, span_id} (32 and 16 lower-case hex) of the current span, or null when there is none. */
    static String[] current() {
        if (!OTEL_PRESENT) {
            return null;
        }
        try {
            return OtelSpan.current();
        } catch (LinkageError | RuntimeException e) {
            return null;
        }
    }

    static boolean otelPresent() {
        try {
            Class.forName("io.opentelemetry.api.trace.Span", false, TraceIds.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /** Loaded only when the OTel API is present. */
    private static final class OtelSpan {
        static String[] current() {
            io.opentelemetry.api.trace.SpanContext c = io.opentelemetry.api.trace.Span.current().getSpanContext();
            return c.isValid() ? new String[] {c.getTraceId(), c.getSpanId()} : null;
        }
    }
}
