package io.promptlog.compactor.internal;

import io.promptlog.compactor.Compactor;
import io.promptlog.compactor.CompactorConfig;
import io.promptlog.writer.BackgroundCompaction;
import io.promptlog.writer.PromptLogConfig;

/**
 * The compactor's {@link BackgroundCompaction} provider (registered in {@code META-INF/services}):
 * {@code PromptLog.open} starts one low-priority daemon thread, {@value Compactor#THREAD_NAME}, that
 * opens a {@link Compactor} on the log's home with default settings and the log's interval, then
 * compacts whenever a shard's thresholds are met. If the compactor cannot open (another process, such as
 * {@code promptlog compact --follow}, holds the queue's lock; the dataset is not writable) the thread
 * retries every interval instead of failing the application. Closing the handle stops the thread and
 * compacts what is left.
 */
public final class BackgroundCompactionService implements BackgroundCompaction {

    @Override
    public AutoCloseable start(PromptLogConfig config) {
        CompactorConfig cc = CompactorConfig.builder(config.home()).intervalMillis(config.compactionIntervalMillis()).build();
        Handle h = new Handle(cc);
        Thread t = new Thread(h::run, Compactor.THREAD_NAME);
        t.setDaemon(true);
        t.setPriority(Thread.MIN_PRIORITY);
        h.thread = t;
        t.start();
        return h;
    }

    private static final class Handle implements AutoCloseable {
        private final CompactorConfig config;
        private final Object wake = new Object();
        private volatile boolean stopping;
        private volatile Compactor compactor;
        private volatile String lastOpenError;
        Thread thread;

        Handle(CompactorConfig config) {
            this.config = config;
        }

        void run() {
            while (!stopping) {
                Compactor c = compactor;
                if (c == null) {
                    try {
                        compactor = Compactor.open(config);
                    } catch (Exception e) {
                        lastOpenError = e.toString();
                    }
                } else {
                    try {
                        c.runIfDue();
                    } catch (Exception e) {
                        // counted in the compactor's stats; retried next interval
                    }
                }
                synchronized (wake) {
                    if (!stopping) {
                        try {
                            wake.wait(config.intervalMillis());
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                }
            }
        }

        @Override
        public void close() throws Exception {
            stopping = true;
            Compactor running = compactor;
            if (running != null) {
                running.stopFollowing(); // a merge of a closed day in progress gives up (rolled back) at once
            }
            synchronized (wake) {
                wake.notifyAll();
            }
            thread.join();
            Compactor c = compactor;
            if (c == null) {
                // never opened while running: one last try, so close() still compacts what is there
                try {
                    c = Compactor.open(config);
                } catch (Exception e) {
                    throw new java.io.IOException("background compaction could not start: "
                            + (lastOpenError != null ? lastOpenError : e.toString()), e);
                }
            }
            c.close();
            if (c.stats().lastError() != null && c.stats().errors() > 0) {
                throw new java.io.IOException("background compaction: " + c.stats().lastError());
            }
        }
    }
}
