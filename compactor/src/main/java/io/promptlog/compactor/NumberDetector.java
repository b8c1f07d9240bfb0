package io.promptlog.compactor;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.promptlog.compactor.Redactors.CREDIT_CARD;
import static io.promptlog.compactor.Redactors.IBAN;
import static io.promptlog.compactor.Redactors.PHONE;

/**
 * Numbers: finds the runs of number characters (digits, spaces, {@code + - . ( )}) with at least 7
 * digits, and the runs of IBAN characters of 15 or more, and tries the card and phone patterns, and the
 * IBAN pattern, only inside them.
 */
final class NumberDetector implements Detector {
    private static final Pattern IBAN_AT = Pattern.compile(
            "[A-Z]{2}\\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?(?![A-Za-z0-9])");
    static final Pattern CARD = Pattern.compile("(?<![\\d.-])\\d(?:[ -]?\\d){12,18}(?![\\d])");
    static final Pattern PHONE_NUMBER = Pattern.compile(
            "(?<![\\w+])\\+\\d{1,3}[ .-]?(?:\\(\\d{1,4}\\)[ .-]?)?\\d{1,4}(?:[ .-]?\\d{2,4}){1,4}(?![\\w])"
                    + "|(?<![\\w(])(?:\\(\\d{3}\\)\\s?|\\d{3}[-.\\s])\\d{3}[-.\\s]\\d{4}(?![\\w])");

    private final boolean ibans;
    private final boolean cards;
    private final boolean phones;

    NumberDetector(boolean ibans, boolean cards, boolean phones) {
        this.ibans = ibans;
        this.cards = cards;
        this.phones = phones;
    }

    /** Chars an IBAN is written with ({@code [A-Z0-9 ]}); one has at least {@value #IBAN_MIN_CHARS}. */
    private static final int IBAN_MIN_CHARS = 15;
    /** A card or phone number has at least this many digits, so its run of number chars is this long. */
    private static final int NUMBER_MIN_DIGITS = 7;

    /**
     * Two passes that probe every {@value #IBAN_MIN_CHARS}th and every {@value #NUMBER_MIN_DIGITS}th char
     * instead of reading each: a maximal run of IBAN chars (or of number chars) long enough to hold a
     * match covers at least one probed index, a probe inside a run expands to the run's bounds, and only
     * such runs are searched. IBANs first: a number run can start inside an IBAN's last groups (the
     * IBAN then wins, as it did when one left-to-right scan met the IBAN's letters first); neither kind
     * of match can reach into the other kind's run otherwise (letters end number runs).
     */
    @Override
    public void find(String text, char[] chars, Hits hits) {
        int n = text.length();
        if (ibans) {
            for (int p = IBAN_MIN_CHARS - 1; p < n; ) {
                if (!isIbanChar(chars[p])) {
                    p += IBAN_MIN_CHARS;
                    continue;
                }
                int start = p;
                while (start > 0 && isIbanChar(chars[start - 1])) {
                    start--;
                }
                int end = p + 1;
                while (end < n && isIbanChar(chars[end])) {
                    end++;
                }
                if (end - start >= IBAN_MIN_CHARS) {
                    ibansIn(text, chars, n, start, end, hits);
                }
                p = end + IBAN_MIN_CHARS;
            }
        }
        if (!cards && !phones) {
            return;
        }
        for (int p = NUMBER_MIN_DIGITS - 1; p < n; ) {
            if (!isNumberChar(chars[p])) {
                p += NUMBER_MIN_DIGITS;
                continue;
            }
            int start = p;
            while (start > 0 && isNumberChar(chars[start - 1])) {
                start--;
            }
            int end = p + 1;
            while (end < n && isNumberChar(chars[end])) {
                end++;
            }
            if (end - start >= NUMBER_MIN_DIGITS && digits(chars, start, end) >= NUMBER_MIN_DIGITS) {
                if (cards) {
                    match(CARD, text, start, end, hits, CREDIT_CARD, true);
                }
                if (phones) {
                    match(PHONE_NUMBER, text, start, end, hits, PHONE, false);
                }
            }
            p = end + NUMBER_MIN_DIGITS;
        }
    }

    /** The IBANs starting in a run of IBAN chars: two capitals and two digits after a non-alphanumeric char. */
    private static void ibansIn(String text, char[] chars, int n, int start, int end, Hits hits) {
        int i = start;
        while (i + 3 < end) {
            if (isUpper(chars[i]) && isUpper(chars[i + 1]) && isDigit(chars[i + 2]) && isDigit(chars[i + 3])
                    && (i == 0 || !isAlnum(chars[i - 1]))) {
                int e = iban(text, i);
                if (e > 0 && !hits.covers(i, e)) {
                    hits.add(i, e, IBAN);
                    i = e;
                    continue;
                }
            }
            i++;
        }
    }

    private static int digits(char[] chars, int start, int end) {
        int d = 0;
        for (int i = start; i < end; i++) {
            if (isDigit(chars[i])) {
                d++;
            }
        }
        return d;
    }

    private static boolean isIbanChar(char c) {
        return c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == ' ';
    }

    static void match(Pattern p, String text, int start, int end, Hits hits, String placeholder,
                              boolean luhn) {
        Matcher m = p.matcher(text).useTransparentBounds(true).useAnchoringBounds(false).region(start, end);
        while (m.find()) {
            String s = m.group();
            boolean ok = luhn ? luhnCard(s) : phoneDigits(s);
            if (ok && !hits.covers(m.start(), m.end())) {
                hits.add(m.start(), m.end(), placeholder);
            }
        }
    }

    /** End of a valid IBAN starting at {@code at}, or -1. */
    static int iban(String text, int at) {
        Matcher m = IBAN_AT.matcher(text).useTransparentBounds(true).useAnchoringBounds(false)
                .region(at, text.length());
        return m.lookingAt() && ibanChecksum(m.group()) ? m.end() : -1;
    }

    static boolean isNumberChar(char c) {
        return c >= '0' && c <= '9' || c == ' ' || c == '-' || c == '.' || c == '(' || c == ')' || c == '+';
    }

    private static boolean isUpper(char c) {
        return c >= 'A' && c <= 'Z';
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isAlnum(char c) {
        return isDigit(c) || isUpper(c) || c >= 'a' && c <= 'z';
    }

    /** ISO 13616: move the first 4 chars to the end, letters to 10..35, the number mod 97 is 1. */
    static boolean ibanChecksum(String s) {
        String compact = s.replace(" ", "");
        if (compact.length() < 15 || compact.length() > 34) {
            return false;
        }
        String r = compact.substring(4) + compact.substring(0, 4);
        int mod = 0;
        for (int i = 0; i < r.length(); i++) {
            char c = r.charAt(i);
            if (isDigit(c)) {
                mod = (mod * 10 + (c - '0')) % 97;
            } else {
                mod = (mod * 100 + (c - 'A' + 10)) % 97;
            }
        }
        return mod == 1;
    }

    static boolean luhnCard(String s) {
        int sum = 0;
        int digits = 0;
        boolean dbl = false;
        for (int i = s.length() - 1; i >= 0; i--) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                continue;
            }
            int d = c - '0';
            if (dbl) {
                d *= 2;
                if (d > 9) {
                    d -= 9;
                }
            }
            sum += d;
            dbl = !dbl;
            digits++;
        }
        return digits >= 13 && digits <= 19 && sum % 10 == 0;
    }

    private static boolean phoneDigits(String s) {
        int digits = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= '0' && c <= '9') {
                digits++;
            }
        }
        return digits >= 7 && digits <= 15;
    }
}
