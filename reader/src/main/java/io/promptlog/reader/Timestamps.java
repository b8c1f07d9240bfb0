package io.promptlog.reader;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/** RFC 3339 UTC timestamps with exactly six fractional digits, the canonical JSON form of {@code start_time}. */
public final class Timestamps {
    private static final DateTimeFormatter FORMAT =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

    private Timestamps() {
    }

    /** {@code 2026-11-27T16:04:05.123456Z} for these microseconds since the epoch. */
    public static String format(long epochMicros) {
        return FORMAT.format(toInstant(epochMicros));
    }

    public static Instant toInstant(long epochMicros) {
        return Instant.ofEpochSecond(Math.floorDiv(epochMicros, 1_000_000L), Math.floorMod(epochMicros, 1_000_000L) * 1_000L);
    }

    /**
     * Parses an RFC 3339 timestamp (any offset, any number of fractional digits up to microseconds).
     *
     * @throws IllegalArgumentException with the reason when it is not one
     */
    public static long parseMicros(String text) {
        Instant i;
        try {
            i = DateTimeFormatter.ISO_OFFSET_DATE_TIME.parse(text, Instant::from);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("not an RFC 3339 timestamp: \"" + text + "\"");
        }
        if (i.getNano() % 1_000 != 0) {
            throw new IllegalArgumentException("timestamp \"" + text + "\" is finer than a microsecond");
        }
        return Math.addExact(Math.multiplyExact(i.getEpochSecond(), 1_000_000L), i.getNano() / 1_000);
    }
}
