package io.promptlog.compactor;

/** Spans to replace in one text: start, end, placeholder; grows as needed. Not thread-safe. */
final class Hits {
    int[] starts = new int[8];
    int[] ends = new int[8];
    String[] placeholders = new String[8];
    int size;

    void add(int start, int end, String placeholder) {
        if (size == starts.length) {
            starts = java.util.Arrays.copyOf(starts, size * 2);
            ends = java.util.Arrays.copyOf(ends, size * 2);
            placeholders = java.util.Arrays.copyOf(placeholders, size * 2);
        }
        starts[size] = start;
        ends[size] = end;
        placeholders[size] = placeholder;
        size++;
    }

    /** Whether [start, end) overlaps a span already found (so a later detector does not re-find it). */
    boolean covers(int start, int end) {
        for (int i = 0; i < size; i++) {
            if (start < ends[i] && end > starts[i]) {
                return true;
            }
        }
        return false;
    }
}
