package io.promptlog.compactor;

import java.util.List;

/**
 * Runs detectors over the original text, then writes the output once, earliest span first: the engine of the
 * built-in redactors ({@link Redactors}).
 */
final class DetectorEngine implements Redactor {
    /** Per thread: the chars of the text being redacted (a copy the scanners index without bounds checks on the String). */
    private static final ThreadLocal<char[]> CHARS = ThreadLocal.withInitial(() -> new char[1024]);

    private final List<Detector> detectors;

    DetectorEngine(List<Detector> detectors) {
        this.detectors = List.copyOf(detectors);
    }

    @Override
    public Result redact(String text) {
        Hits hits = new Hits();
        char[] chars = CHARS.get();
        if (chars.length < text.length()) {
            chars = new char[Math.max(text.length(), 2 * chars.length)];
            CHARS.set(chars);
        }
        text.getChars(0, text.length(), chars, 0);
        for (Detector d : detectors) {
            d.find(text, chars, hits);
        }
        if (hits.size == 0) {
            return Result.unchanged(text);
        }
        Integer[] order = new Integer[hits.size];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, (a, b) -> hits.starts[a] != hits.starts[b]
                ? Integer.compare(hits.starts[a], hits.starts[b]) : Integer.compare(hits.ends[b], hits.ends[a]));
        StringBuilder out = new StringBuilder(text.length());
        int last = 0;
        int n = 0;
        for (int i : order) {
            if (hits.starts[i] < last) {
                continue; // overlaps a span already replaced
            }
            out.append(text, last, hits.starts[i]).append(hits.placeholders[i]);
            last = hits.ends[i];
            n++;
        }
        out.append(text, last, text.length());
        return new Result(out.toString(), n);
    }
}
