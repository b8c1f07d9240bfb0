package io.promptlog.integrations.springai;

import org.springframework.boot.context.properties.ConfigurationProperties;

import java.nio.file.Path;

/**
 * Spring Boot properties under {@code promptlog.}: every one is optional.
 *
 * <ul>
 *   <li>{@code promptlog.dir}: the log's home directory (default {@code promptlog}, relative to the
 *       working directory);</li>
 *   <li>{@code promptlog.enabled}: {@code false} turns the auto-configuration off (default true);</li>
 *   <li>{@code promptlog.prices}: a CSV file of model prices ({@code model,input,cached_input,output}
 *       in US dollars per million tokens) that override the shipped table;</li>
 *   <li>{@code promptlog.trace-ids}: take trace_id/span_id from the current OpenTelemetry span (default
 *       true).</li>
 * </ul>
 */
@ConfigurationProperties(prefix = "promptlog")
public class PromptLogProperties {
    /** The log's home directory (relative to the working directory unless absolute). */
    private Path dir = Path.of("promptlog");
    /** Whether every Spring AI chat model call is logged. */
    private boolean enabled = true;
    /** A CSV file of model prices (model,input,cached_input,output in US dollars per million tokens) overriding the shipped table. */
    private Path prices;
    /** Whether to take trace_id and span_id from the current tracing span. */
    private boolean traceIds = true;

    public Path getDir() {
        return dir;
    }

    public void setDir(Path dir) {
        this.dir = dir;
    }

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public Path getPrices() {
        return prices;
    }

    public void setPrices(Path prices) {
        this.prices = prices;
    }

    public boolean isTraceIds() {
        return traceIds;
    }

    public void setTraceIds(boolean traceIds) {
        this.traceIds = traceIds;
    }
}
