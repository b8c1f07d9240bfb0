package io.promptlog.integrations;

/**
 * A snapshot of a {@link PromptLogHooks}' counters. A hook never throws into the app and never logs:
 * what went wrong is counted here (and the writer's own drops in {@code PromptLog.stats()}).
 *
 * @param recorded    calls appended to the log
 * @param dropped     calls the writer refused (log closed, disk full, ...: see {@code PromptLog.stats()})
 * @param failures    errors inside a hook (a bug, or a body it could not parse) that were swallowed; the
 *                    call went on unchanged and was recorded with what the hook had, or not at all
 * @param lastFailure description of the most recent failure, or null
 */
public record HookStats(long recorded, long dropped, long failures, String lastFailure) {
}
