package io.promptlog.testsupport;

import java.time.Duration;
import java.util.function.Supplier;

/**
 * The one way tests wait: until a condition holds, or fail after a timeout with a message that says what
 * was awaited and what was seen. Never a fixed sleep as synchronisation; the short pause between two
 * checks of the condition lives here only.
 */
public final class Await {
    /** Pause between two checks of the condition. */
    private static final long POLL_NANOS = Duration.ofMillis(10).toNanos();

    /** A condition that may read files or processes; an exception it throws (or an assertion) ends the wait. */
    @FunctionalInterface
    public interface Condition {
        boolean holds() throws Exception;
    }

    private Await() {
    }

    /**
     * Returns as soon as {@code condition} holds; throws {@link AssertionError} with {@code message} (evaluated
     * then, so it can show the latest state) when it still does not after {@code timeout}.
     */
    public static void until(Condition condition, Duration timeout, Supplier<String> message) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.holds()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("not within " + timeout.toSeconds() + " s: " + message.get());
            }
            if (Thread.interrupted()) {
                throw new InterruptedException("interrupted while waiting: " + message.get());
            }
            java.util.concurrent.locks.LockSupport.parkNanos(POLL_NANOS);
        }
    }

    /** {@link #until(Condition, Duration, Supplier)} with a fixed message. */
    public static void until(Condition condition, Duration timeout, String message) throws Exception {
        until(condition, timeout, () -> message);
    }
}
