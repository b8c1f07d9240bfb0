package io.promptlog.testsupport;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Test helper: a thread-safe UTC clock that stands still until told to move, back as well as forward (a
 * roll clock for the queue, a compactor's clock).
 */
public final class SettableClock extends Clock {
    private final AtomicLong millis;

    public SettableClock(long epochMillis) {
        this.millis = new AtomicLong(epochMillis);
    }

    /** A clock at the start of hour {@code hour} since the epoch. */
    public static SettableClock atHour(long hour) {
        return new SettableClock(TimeUnit.HOURS.toMillis(hour));
    }

    public void advanceHours(long hours) {
        millis.addAndGet(TimeUnit.HOURS.toMillis(hours));
    }

    /** Moves by {@code delta} milliseconds, back when negative (a clock stepped back by NTP). */
    public void advanceMillis(long delta) {
        millis.addAndGet(delta);
    }

    @Override
    public long millis() {
        return millis.get();
    }

    @Override
    public Instant instant() {
        return Instant.ofEpochMilli(millis.get());
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException("a test clock stays in UTC");
    }

    @Override
    public String toString() {
        return "SettableClock[" + instant() + "]";
    }
}
