package io.promptlog.compactor;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * A UTC clock that runs {@code speed} times faster than the wall clock from {@code baseMillis} at wall time
 * {@code wallStartMillis}: processes given the same three numbers agree on the time (they share the wall
 * clock), so a writer's roll clock and a compactor's clock in another JVM see the same cycles and days.
 * {@link #millis()} does not allocate (the writer asks it on every append).
 */
final class FastClock extends Clock {
    private final long baseMillis;
    private final long wallStartMillis;
    private final long speed;

    FastClock(long baseMillis, long wallStartMillis, long speed) {
        this.baseMillis = baseMillis;
        this.wallStartMillis = wallStartMillis;
        this.speed = speed;
    }

    @Override
    public long millis() {
        return baseMillis + (System.currentTimeMillis() - wallStartMillis) * speed;
    }

    @Override
    public Instant instant() {
        return Instant.ofEpochMilli(millis());
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        if (!zone.equals(ZoneOffset.UTC)) {
            throw new UnsupportedOperationException("UTC only, was " + zone);
        }
        return this;
    }

    @Override
    public String toString() {
        return "FastClock{x" + speed + " from " + Instant.ofEpochMilli(baseMillis) + '}';
    }
}
