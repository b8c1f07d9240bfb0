package io.promptlog.writer;

/**
 * Service-provider interface through which {@link PromptLog} starts background compaction of its queue
 * when a compactor is on the class path (the {@code promptlog-compactor} module provides one via
 * {@code META-INF/services/io.promptlog.writer.BackgroundCompaction}). The writer does not depend on the
 * compactor; it looks the provider up with {@link java.util.ServiceLoader} in {@link PromptLog#open} when
 * {@link PromptLogConfig#backgroundCompaction()} is on.
 */
public interface BackgroundCompaction {

    /**
     * Starts compacting {@code config}'s queue in the background. The returned handle's {@code close()}
     * is called by {@link PromptLog#close()} after the queue is closed for appends: it must stop the
     * background work and compact what is left. Problems after start are the provider's to report.
     */
    AutoCloseable start(PromptLogConfig config) throws Exception;
}
