package io.promptlog.compactor;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.promptlog.compactor.Redactors.AWS_SECRET_KEY;
import static io.promptlog.compactor.Redactors.EMAIL;
import static io.promptlog.compactor.Redactors.PRIVATE_KEY;
import static io.promptlog.compactor.Redactors.SECRET;
import static io.promptlog.compactor.Redactors.SECRET_KEYS;

/**
 * The built-in detectors of secrets and e-mail addresses ({@link Redactors}): regexes tried only where their
 * literal triggers occur (API keys, bearer tokens, JWTs), PEM private keys, AWS secret keys, {@code key: value}
 * secrets and e-mail addresses. Numbers (cards, phones, IBANs) are {@link NumberDetector}.
 */
final class TextDetectors {
    private TextDetectors() {
    }

    /**
     * A regex tried only where one of its literal triggers occurs: at {@code triggerPos - back}, with
     * transparent bounds (look-behinds see the text before it). Triggers sharing a prefix are found with one
     * scan for that prefix ({@code String.indexOf}, which the JIT vectorises) and told apart with
     * {@code startsWith}: the API-key triggers take 4 scans of each text instead of 11.
     */
    static final class TriggeredRegex implements Detector {
        private final String placeholder;
        private final Pattern pattern;
        /** What is scanned for; {@code triggers[i]} all start with {@code scans[i]}. */
        private final String[] scans;
        private final String[][] triggers;
        private final int back;

        /** @param triggers every literal a match contains at {@code back} chars from its start */
        TriggeredRegex(String placeholder, Pattern pattern, String[] triggers, int back) {
            this.placeholder = placeholder;
            this.pattern = pattern;
            this.back = back;
            java.util.Map<String, List<String>> byScan = new java.util.LinkedHashMap<>();
            for (String t : triggers) {
                byScan.computeIfAbsent(scanFor(t, triggers), k -> new ArrayList<>()).add(t);
            }
            this.scans = byScan.keySet().toArray(new String[0]);
            this.triggers = byScan.values().stream().map(l -> l.toArray(new String[0])).toArray(String[][]::new);
        }

        /** The longest prefix of {@code t} that the other triggers sharing {@code t}'s first char also start with. */
        private static String scanFor(String t, String[] all) {
            int n = t.length();
            for (String o : all) {
                if (o.charAt(0) == t.charAt(0)) {
                    int k = 0;
                    while (k < Math.min(n, o.length()) && o.charAt(k) == t.charAt(k)) {
                        k++;
                    }
                    n = Math.min(n, k);
                }
            }
            return t.substring(0, n);
        }

        @Override
        public void find(String text, char[] chars, Hits hits) {
            Matcher m = null;
            for (int i = 0; i < scans.length; i++) {
                String scan = scans[i];
                String[] full = triggers[i];
                int from = 0;
                int at;
                while ((at = text.indexOf(scan, from)) >= 0) {
                    int start = at - back;
                    from = at + 1;
                    if (start < 0 || !startsWithAny(text, at, full)) {
                        continue;
                    }
                    if (m == null) {
                        m = pattern.matcher(text).useTransparentBounds(true).useAnchoringBounds(false);
                    }
                    m.region(start, text.length());
                    if (m.lookingAt() && !hits.covers(m.start(), m.end())) {
                        hits.add(m.start(), m.end(), placeholder);
                        from = m.end();
                    }
                }
            }
        }

        private static boolean startsWithAny(String text, int at, String[] full) {
            for (String f : full) {
                if (text.startsWith(f, at)) {
                    return true;
                }
            }
            return false;
        }
    }

    static final class PrivateKeyDetector implements Detector {
        private static final Pattern BEGIN = Pattern.compile("-----BEGIN ((?:[A-Z0-9]+ )*)PRIVATE KEY-----");

        @Override
        public void find(String text, char[] chars, Hits hits) {
            int from = 0;
            int at;
            while ((at = text.indexOf("-----BEGIN ", from)) >= 0) {
                Matcher m = BEGIN.matcher(text).region(at, text.length());
                if (!m.lookingAt()) {
                    from = at + 1;
                    continue;
                }
                String endLine = "-----END " + m.group(1) + "PRIVATE KEY-----";
                int end = text.indexOf(endLine, m.end());
                end = end < 0 ? text.length() : end + endLine.length();
                hits.add(at, end, PRIVATE_KEY);
                from = end;
            }
        }
    }

    static final class EmailDetector implements Detector {
        private static final Pattern EMAIL_AT_START = Pattern.compile(
                "[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\\.[A-Za-z0-9-]+)*\\.[A-Za-z]{2,}");

        @Override
        public void find(String text, char[] chars, Hits hits) {
            int from = 0;
            int at;
            int done = 0;
            Matcher m = null;
            while ((at = text.indexOf('@', from)) >= 0) {
                from = at + 1;
                int start = at;
                while (start > done && isLocalChar(text.charAt(start - 1))) {
                    start--;
                }
                if (start == at) {
                    continue;
                }
                if (m == null) {
                    m = EMAIL_AT_START.matcher(text);
                }
                m.region(start, text.length());
                if (m.lookingAt() && m.end() > at + 1 && !hits.covers(start, m.end())) {
                    hits.add(start, m.end(), EMAIL);
                    done = m.end();
                    from = m.end();
                }
            }
        }

        private static boolean isLocalChar(char c) {
            return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                    || c == '.' || c == '_' || c == '%' || c == '+' || c == '-';
        }
    }

    /**
     * Exactly 40 chars of {@code [A-Za-z0-9/+]}, not touching another such char or {@code =}, with at least
     * one upper-case letter, one lower-case letter and one digit, and at most 4 of {@code / +} (so a file path
     * of many segments is not one).
     */
    static final class AwsSecretDetector implements Detector {
        private static final byte LOWER = 1;
        private static final byte UPPER = 2;
        private static final byte DIGIT = 4;
        private static final byte SYMBOL = 8;
        private static final int KEY_CHARS = 40;
        /** Class bits of the ASCII chars of a key; 0 for everything else. */
        private static final byte[] CLASS = new byte[128];

        static {
            for (char c = 'a'; c <= 'z'; c++) {
                CLASS[c] = LOWER;
            }
            for (char c = 'A'; c <= 'Z'; c++) {
                CLASS[c] = UPPER;
            }
            for (char c = '0'; c <= '9'; c++) {
                CLASS[c] = DIGIT;
            }
            CLASS['/'] = SYMBOL;
            CLASS['+'] = SYMBOL;
        }

        private static int classOf(char c) {
            return c < 128 ? CLASS[c] : 0;
        }

        /**
         * A run of exactly 40 key chars covers exactly one index that is a multiple of 40, so only those
         * indexes are probed: a probe on a key char expands to the bounds of its run (stopping once the run
         * is known to be longer than 40), a probe on any other char costs one lookup. Ordinary prose has
         * short runs, so a text costs about a fortieth of a char-by-char scan.
         */
        @Override
        public void find(String text, char[] chars, Hits hits) {
            int n = text.length();
            int p = 0;
            while (p < n) {
                if (classOf(chars[p]) == 0) {
                    p += KEY_CHARS;
                    continue;
                }
                int start = p;
                while (start > 0 && classOf(chars[start - 1]) != 0 && p - start < KEY_CHARS) {
                    start--;
                }
                int end = p + 1;
                while (end < n && classOf(chars[end]) != 0 && end - start <= KEY_CHARS) {
                    end++;
                }
                boolean alone = (start == 0 || classOf(chars[start - 1]) == 0) && (end == n || classOf(chars[end]) == 0);
                if (alone && end - start == KEY_CHARS) {
                    check(chars, n, start, end, hits);
                } else {
                    while (end < n && classOf(chars[end]) != 0) {
                        end++; // longer than a key: skip the rest of the run
                    }
                }
                p = (end / KEY_CHARS + 1) * KEY_CHARS;
            }
        }

        private static void check(char[] chars, int n, int start, int end, Hits hits) {
            int seen = 0;
            int symbols = 0;
            for (int i = start; i < end; i++) {
                int k = classOf(chars[i]);
                seen |= k;
                if (k == SYMBOL) {
                    symbols++;
                }
            }
            if ((seen & (LOWER | UPPER | DIGIT)) == (LOWER | UPPER | DIGIT) && symbols <= 4
                    && (end == n || chars[end] != '=') && !hits.covers(start, end)) {
                hits.add(start, end, AWS_SECRET_KEY);
            }
        }
    }

    /**
     * At each {@code :} or {@code =}: the word before it (skipping a closing quote and spaces) is a secret
     * key, so the value after it (skipping spaces and an opening quote; up to the closing quote, or to
     * white space, a comma, a semicolon or a closing bracket) of 3+ chars is replaced.
     */
    static final class SecretPairDetector implements Detector {
        @Override
        public void find(String text, char[] chars, Hits hits) {
            int n = text.length();
            int nextColon = text.indexOf(':');
            int nextEq = text.indexOf('=');
            while (nextColon >= 0 || nextEq >= 0) {
                int p = nextColon < 0 ? nextEq : nextEq < 0 ? nextColon : Math.min(nextColon, nextEq);
                int resume = pair(text, n, p, hits);
                if (nextColon >= 0 && nextColon < resume) {
                    nextColon = text.indexOf(':', resume);
                }
                if (nextEq >= 0 && nextEq < resume) {
                    nextEq = text.indexOf('=', resume);
                }
            }
        }

        /** Handles the separator at {@code p}; returns where to look for the next one. */
        private static int pair(String text, int n, int p, Hits hits) {
            int k = p;
            while (k > 0 && text.charAt(k - 1) == ' ') {
                k--;
            }
            if (k > 0 && (text.charAt(k - 1) == '"' || text.charAt(k - 1) == '\'')) {
                k--;
            }
            int keyEnd = k;
            while (k > 0 && isKeyWordChar(text.charAt(k - 1))) {
                k--;
            }
            if (keyEnd - k < 3 || keyEnd - k > 40 || !isSecretKey(text.substring(k, keyEnd))) {
                return p + 1;
            }
            int v = p + 1;
            while (v < n && text.charAt(v) == ' ') {
                v++;
            }
            int start;
            int end;
            if (v < n && (text.charAt(v) == '"' || text.charAt(v) == '\'')) {
                char q = text.charAt(v);
                start = v + 1;
                end = start;
                while (end < n && text.charAt(end) != q && text.charAt(end) != '\n') {
                    end += text.charAt(end) == '\\' && end + 1 < n ? 2 : 1;
                }
                end = Math.min(end, n);
            } else {
                start = v;
                end = v;
                end = bareEnd(text, v);
                if (end < n && text.charAt(end) == ' ' && isAuthScheme(text, start, end)) {
                    // "Authorization: Basic dXNlcjpw..." : the scheme and its credentials
                    int t = end;
                    while (t < n && text.charAt(t) == ' ') {
                        t++;
                    }
                    end = bareEnd(text, t);
                }
            }
            if (end - start >= 3 && !hits.covers(start, end)) {
                hits.add(start, end, SECRET);
                return Math.max(p + 1, end);
            }
            return p + 1;
        }

        private static int bareEnd(String text, int from) {
            int end = from;
            while (end < text.length() && !endsBareValue(text.charAt(end))) {
                end++;
            }
            return end;
        }

        private static boolean isAuthScheme(String text, int start, int end) {
            for (String s : new String[]{"bearer", "basic", "token", "digest"}) {
                if (end - start == s.length() && text.regionMatches(true, start, s, 0, s.length())) {
                    return true;
                }
            }
            return false;
        }

        private static boolean isKeyWordChar(char c) {
            return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-';
        }

        private static boolean endsBareValue(char c) {
            return Character.isWhitespace(c) || c == ',' || c == ';' || c == '}' || c == ']' || c == ')'
                    || c == '"' || c == '\'' || c == '&';
        }

        static boolean isSecretKey(String key) {
            String k = key.toLowerCase(Locale.ROOT);
            return SECRET_KEYS.contains(k) || k.endsWith("_password") || k.endsWith("_secret") || k.endsWith("_pwd")
                    || k.endsWith("-password") || k.endsWith("-secret");
        }
    }
}
