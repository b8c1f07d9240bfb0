package io.promptlog.writer;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Thread pools that churn threads, and virtual threads, must not grow the writer's memory: 100,000
 * short-lived threads log one call each, and the state the log keeps per thread stays bounded by the
 * threads alive at once (counters of finished threads are folded into one total; nothing is lost).
 */
class ThreadChurnTest {
    private static final int THREADS = Integer.getInteger("promptlog.test.churnThreads", 100_000);
    private static final int AT_ONCE = 100;

    @TempDir
    Path home;

    private void churn(Function<Runnable, Thread> starter) throws Exception {
        String prompt = "You are a support agent. ".repeat(100);
        try (PromptLog log = PromptLog.open(PromptLogConfig.builder(home).shardCount(2).backgroundCompaction(false).build())) {
            Thread[] wave = new Thread[AT_ONCE];
            int maxRegistered = 0;
            for (int started = 0; started < THREADS; ) {
                int n = Math.min(AT_ONCE, THREADS - started);
                for (int i = 0; i < n; i++) {
                    int seq = started + i;
                    wave[i] = starter.apply(() -> log.begin().requestModel("m").systemPrompt(prompt)
                            .message("user", "q").attribute("seq", seq).commit());
                }
                for (int i = 0; i < n; i++) {
                    wave[i].join();
                }
                started += n;
                maxRegistered = Math.max(maxRegistered, log.registeredCounters());
            }
            PromptLogStats stats = log.stats();
            System.out.println(THREADS + " threads: at most " + maxRegistered + " per-thread counters registered at once; "
                    + stats);
            assertThat(stats.appended()).isEqualTo(THREADS);
            assertThat(stats.dropped()).isZero();
            assertThat(maxRegistered).as("registered per-thread counters").isLessThanOrEqualTo(4 * AT_ONCE + 64);
        }
    }

    @Test
    @Timeout(300)
    void shouldKeepPerThreadStateBoundedAcrossManyShortLivedPlatformThreads() throws Exception {
        churn(task -> {
            Thread t = new Thread(task);
            t.start();
            return t;
        });
    }

    @Test
    @Timeout(300)
    void shouldKeepPerThreadStateBoundedAcrossManyVirtualThreads() throws Exception {
        Method start;
        try {
            start = Thread.class.getMethod("startVirtualThread", Runnable.class); // Java 21+
        } catch (NoSuchMethodException e) {
            Assumptions.abort("virtual threads need Java 21+; this is " + Runtime.version());
            return;
        }
        churn(task -> {
            try {
                return (Thread) start.invoke(null, task);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        });
    }
}
