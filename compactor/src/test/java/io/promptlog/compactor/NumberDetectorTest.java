package io.promptlog.compactor;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The number detector (IBANs, cards, phones) probes every 15th / 7th char instead of reading each; it must
 * find exactly what the char-by-char scan it replaced found (kept here as the oracle), on texts dense with
 * numbers, capitals and separators.
 */
@Timeout(60)
class NumberDetectorTest {
    private static final String[] TOKENS = {"DE89 3704 0044 0532 0130 00", "GB82WEST12345698765432",
            "FR14 2004 1010 0505 0001 3M02 606", "NO9386011117947", "NO93 8601 1117 947", "+1234567", "DE89 3704 0044 0532 0130 01", "4111 1111 1111 1111",
            "5500-0000-0000-0004", "378282246310005", "4111111111111111", "+44 20 7946 0958", "(555) 123-4567",
            "555-123-4567", "+1 415 555 0100", "2026-11-27", "1.2.3", "192.168.1.10", "ABC", "DE89", "GB", "x",
            "word", "The", "\ud83d\ude00", "0", "12", "345", "6789", "00", " ", "  ", "-", ".", "(", ")", "+", ",",
            "\n", "\u00e9", "é,"};

    @Test
    void shouldFindExactlyWhatTheCharByCharScanFound() {
        long seed = System.nanoTime();
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int t = 0; t < 3_000; t++) {
            StringBuilder sb = new StringBuilder();
            int parts = rnd.nextInt(1, 30);
            for (int p = 0; p < parts; p++) {
                if (rnd.nextInt(4) == 0) {
                    for (int k = rnd.nextInt(1, 12); k > 0; k--) {
                        sb.append((char) (rnd.nextBoolean() ? '0' + rnd.nextInt(10) : 'A' + rnd.nextInt(26)));
                    }
                } else {
                    sb.append(TOKENS[rnd.nextInt(TOKENS.length)]);
                }
                if (rnd.nextBoolean()) {
                    sb.append(' ');
                }
            }
            String text = sb.toString();
            for (boolean[] kinds : new boolean[][] {{true, true, true}, {true, false, false}, {false, true, false}, {false, false, true}}) {
                Hits want = new Hits();
                scan(text, want, kinds[0], kinds[1], kinds[2]);
                Hits got = new Hits();
                new NumberDetector(kinds[0], kinds[1], kinds[2]).find(text, text.toCharArray(), got);
                assertThat(spans(got)).as("seed %d, kinds %s %s %s, text [%s]", seed, kinds[0], kinds[1], kinds[2], text)
                        .isEqualTo(spans(want));
            }
        }
    }

    private static List<String> spans(Hits h) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < h.size; i++) {
            out.add(h.starts[i] + "-" + h.ends[i] + h.placeholders[i]);
        }
        out.sort(null);
        return out;
    }

    /** The scan the detector used before: every char, left to right. */
    private static void scan(String text, Hits hits, boolean ibans, boolean cards, boolean phones) {
        char[] chars = text.toCharArray();
        int n = chars.length;
        int i = 0;
        while (i < n) {
            char c = chars[i];
            if (c < '0' || c > '9') {
                if (ibans && i + 3 < n && upper(c) && upper(chars[i + 1]) && digit(chars[i + 2])
                        && digit(chars[i + 3]) && (i == 0 || !alnum(chars[i - 1]))) {
                    int end = NumberDetector.iban(text, i);
                    if (end > 0 && !hits.covers(i, end)) {
                        hits.add(i, end, Redactors.IBAN);
                        i = end;
                        continue;
                    }
                }
                i++;
                continue;
            }
            int start = i;
            while (start > 0 && NumberDetector.isNumberChar(chars[start - 1])) {
                start--;
            }
            int digits = 0;
            int end = i;
            while (end < n && NumberDetector.isNumberChar(chars[end])) {
                if (digit(chars[end])) {
                    digits++;
                }
                end++;
            }
            if (digits >= 7) {
                if (cards) {
                    NumberDetector.match(NumberDetector.CARD, text, start, end, hits, Redactors.CREDIT_CARD, true);
                }
                if (phones) {
                    NumberDetector.match(NumberDetector.PHONE_NUMBER, text, start, end, hits, Redactors.PHONE, false);
                }
            }
            i = end;
        }
    }

    private static boolean upper(char c) {
        return c >= 'A' && c <= 'Z';
    }

    private static boolean digit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean alnum(char c) {
        return digit(c) || upper(c) || c >= 'a' && c <= 'z';
    }
}
