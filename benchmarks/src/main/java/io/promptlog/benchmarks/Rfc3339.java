package io.promptlog.benchmarks;

/** Formats epoch microseconds as {@code 2026-11-27T16:04:05.123456Z} into a char array, allocation-free. */
final class Rfc3339 {
    static final int LENGTH = 27;
    private static final ThreadLocal<char[]> BUFFERS = ThreadLocal.withInitial(() -> new char[LENGTH]);

    private Rfc3339() {
    }

    static char[] buffer() {
        return BUFFERS.get();
    }

    static int format(long epochMicros, char[] out) {
        long secs = Math.floorDiv(epochMicros, 1_000_000L);
        int micros = (int) Math.floorMod(epochMicros, 1_000_000L);
        long days = Math.floorDiv(secs, 86_400L);
        int sod = (int) Math.floorMod(secs, 86_400L);
        // civil from days (H. Hinnant)
        long z = days + 719_468;
        long era = Math.floorDiv(z, 146_097);
        long doe = z - era * 146_097;
        long yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        long y = yoe + era * 400;
        long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        long mp = (5 * doy + 2) / 153;
        int d = (int) (doy - (153 * mp + 2) / 5 + 1);
        int m = (int) (mp < 10 ? mp + 3 : mp - 9);
        if (m <= 2) {
            y++;
        }
        digits((int) y, 4, out, 0);
        out[4] = '-';
        digits(m, 2, out, 5);
        out[7] = '-';
        digits(d, 2, out, 8);
        out[10] = 'T';
        digits(sod / 3600, 2, out, 11);
        out[13] = ':';
        digits(sod / 60 % 60, 2, out, 14);
        out[16] = ':';
        digits(sod % 60, 2, out, 17);
        out[19] = '.';
        digits(micros, 6, out, 20);
        out[26] = 'Z';
        return LENGTH;
    }

    private static void digits(int v, int n, char[] out, int at) {
        for (int i = n - 1; i >= 0; i--) {
            out[at + i] = (char) ('0' + v % 10);
            v /= 10;
        }
    }
}
