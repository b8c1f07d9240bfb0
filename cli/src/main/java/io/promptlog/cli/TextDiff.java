package io.promptlog.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * A line diff of two texts (longest common subsequence), printed unified-style with a few lines of
 * context: {@code -} only in the first, {@code +} only in the second.
 */
final class TextDiff {
    private TextDiff() {
    }

    record Line(char op, String text) {
    }

    static List<Line> diff(String a, String b) {
        String[] x = a.split("\n", -1);
        String[] y = b.split("\n", -1);
        int n = x.length;
        int m = y.length;
        int[][] lcs = new int[n + 1][m + 1];
        for (int i = n - 1; i >= 0; i--) {
            for (int j = m - 1; j >= 0; j--) {
                lcs[i][j] = x[i].equals(y[j]) ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
            }
        }
        List<Line> out = new ArrayList<>();
        int i = 0;
        int j = 0;
        while (i < n && j < m) {
            if (x[i].equals(y[j])) {
                out.add(new Line(' ', x[i++]));
                j++;
            } else if (lcs[i + 1][j] >= lcs[i][j + 1]) {
                out.add(new Line('-', x[i++]));
            } else {
                out.add(new Line('+', y[j++]));
            }
        }
        while (i < n) {
            out.add(new Line('-', x[i++]));
        }
        while (j < m) {
            out.add(new Line('+', y[j++]));
        }
        return out;
    }

    /** The diff with {@code context} unchanged lines around each change; "..." marks skipped runs. */
    static List<String> unified(String a, String b, int context) {
        List<Line> d = diff(a, b);
        boolean[] keep = new boolean[d.size()];
        for (int k = 0; k < d.size(); k++) {
            if (d.get(k).op() != ' ') {
                for (int c = Math.max(0, k - context); c <= Math.min(d.size() - 1, k + context); c++) {
                    keep[c] = true;
                }
            }
        }
        List<String> out = new ArrayList<>();
        boolean skipping = false;
        for (int k = 0; k < d.size(); k++) {
            if (keep[k]) {
                out.add(d.get(k).op() + " " + d.get(k).text());
                skipping = false;
            } else if (!skipping) {
                out.add("  ...");
                skipping = true;
            }
        }
        return out;
    }
}
