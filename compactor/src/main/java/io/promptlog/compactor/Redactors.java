package io.promptlog.compactor;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Built-in {@link Redactor}s. {@link #defaults()} replaces:
 * <table>
 * <caption>Built-in detectors</caption>
 * <tr><th>placeholder</th><th>what</th></tr>
 * <tr><td>{@code [PRIVATE_KEY]}</td><td>a PEM private-key block, {@code -----BEGIN ... PRIVATE KEY-----} to its
 * {@code END} line (or to the end of the text when the block is cut off)</td></tr>
 * <tr><td>{@code [BEARER_TOKEN]}</td><td>{@code Bearer} followed by 16+ token characters</td></tr>
 * <tr><td>{@code [API_KEY]}</td><td>keys of known shapes: {@code sk-...} (OpenAI, Anthropic), {@code AKIA/ASIA}
 * + 16 (AWS access key id), {@code ghp_/gho_/ghu_/ghs_/ghr_...}, {@code github_pat_...}, {@code xox?-...}
 * (Slack), {@code AIza...} (Google)</td></tr>
 * <tr><td>{@code [AWS_SECRET_KEY]}</td><td>a standalone run of exactly 40 characters of
 * {@code [A-Za-z0-9/+]} mixing upper case, lower case and digits (the shape of an AWS secret access
 * key; hex digests are all one case and are left alone)</td></tr>
 * <tr><td>{@code [JWT]}</td><td>three base64url parts, the first two starting {@code eyJ}</td></tr>
 * <tr><td>{@code [SECRET]}</td><td>the value of a {@code key: value} or {@code key=value} pair (quotes
 * allowed, JSON included) whose key is one of {@link #SECRET_KEYS} or ends in {@code _password},
 * {@code _secret} or {@code _pwd}, ignoring case; the key itself is kept</td></tr>
 * <tr><td>{@code [EMAIL]}</td><td>e-mail addresses</td></tr>
 * <tr><td>{@code [IBAN]}</td><td>IBANs (country code, 2 check digits, 11-30 more; spaces every 4 allowed)
 * whose ISO 13616 mod-97 check passes</td></tr>
 * <tr><td>{@code [CREDIT_CARD]}</td><td>13-19 digits (spaces or dashes between) that pass the Luhn check</td></tr>
 * <tr><td>{@code [PHONE]}</td><td>a {@code +} international number or a North-American
 * {@code (555) 123-4567} shape, 7 to 15 digits</td></tr>
 * </table>
 * The patterns aim at few false positives: dates, versions, order numbers, hex digests and
 * {@code max_tokens: 512} are left alone.
 *
 * <p>Speed: the built-ins find matches in one pass per detector over the original text, jumping between
 * cheap triggers ({@link String#indexOf} of a literal, a run of digits, a run of key characters) and
 * running their regex only there, then build the output once; overlapping matches keep the earliest
 * (longest on a tie). User rules made with {@link #regex} scan the whole text with their pattern.
 */
public final class Redactors {
    public static final String EMAIL = "[EMAIL]";
    public static final String PHONE = "[PHONE]";
    public static final String CREDIT_CARD = "[CREDIT_CARD]";
    public static final String API_KEY = "[API_KEY]";
    public static final String BEARER_TOKEN = "[BEARER_TOKEN]";
    public static final String JWT = "[JWT]";
    public static final String AWS_SECRET_KEY = "[AWS_SECRET_KEY]";
    public static final String PRIVATE_KEY = "[PRIVATE_KEY]";
    public static final String SECRET = "[SECRET]";
    public static final String IBAN = "[IBAN]";

    /** Keys (compared ignoring case) whose value a {@code key: value} pair has replaced by {@link #SECRET}. */
    public static final Set<String> SECRET_KEYS = Set.of("password", "passwd", "pwd", "pass", "passphrase",
            "secret", "token", "api_key", "apikey", "api-key", "x-api-key", "access_key", "secret_key",
            "private_key", "access_token", "refresh_token", "id_token", "auth_token", "session_token",
            "bearer_token", "client_secret", "aws_secret_access_key", "credentials", "authorization");

    private static final Redactor NONE = Redactor.Result::unchanged;

    private static final Detector PRIVATE_KEYS = new PrivateKeyDetector();
    private static final Detector BEARER = new TriggeredRegex(BEARER_TOKEN,
            Pattern.compile("(?i)(?<![a-z0-9])bearer\\s+[A-Za-z0-9._~+/-]{16,}=*"),
            new String[]{"earer", "EARER"}, 1);
    private static final Detector API_KEYS = new TriggeredRegex(API_KEY, Pattern.compile(
            "(?<![A-Za-z0-9_-])(?:sk-[A-Za-z0-9_-]{20,}"
                    + "|(?:AKIA|ASIA)[0-9A-Z]{16}(?![A-Za-z0-9])"
                    + "|gh[pousr]_[A-Za-z0-9]{36,255}"
                    + "|github_pat_[A-Za-z0-9_]{22,255}"
                    + "|xox[abposr]-[A-Za-z0-9-]{10,}"
                    + "|AIza[0-9A-Za-z_-]{35})"),
            new String[]{"sk-", "AKIA", "ASIA", "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_", "xox", "AIza"}, 0);
    private static final Detector JWTS = new TriggeredRegex(JWT,
            Pattern.compile("(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{5,}\\.eyJ[A-Za-z0-9_-]{5,}\\.[A-Za-z0-9_-]{10,}"),
            new String[]{"eyJ"}, 0);
    private static final Detector AWS_SECRETS = new AwsSecretDetector();
    private static final Detector SECRET_PAIRS = new SecretPairDetector();
    private static final Detector EMAILS = new EmailDetector();
    private static final Detector NUMBERS = new NumberDetector(true, true, true);

    private static final Redactor DEFAULTS = new Engine(List.of(PRIVATE_KEYS, BEARER, API_KEYS, JWTS, AWS_SECRETS,
            SECRET_PAIRS, EMAILS, NUMBERS));

    private Redactors() {
    }

    /** Redacts nothing. */
    public static Redactor none() {
        return NONE;
    }

    /** Every built-in rule, as listed in the class comment. */
    public static Redactor defaults() {
        return DEFAULTS;
    }

    /** {@code default} or {@code none}, as the CLI's {@code --redact} option takes them. */
    public static Redactor parse(String name) {
        return switch (Objects.requireNonNull(name, "redaction name")) {
            case "default" -> defaults();
            case "none" -> none();
            default -> throw new IllegalArgumentException("redaction must be 'default' or 'none', was '" + name + "'");
        };
    }

    public static Redactor emails() {
        return new Engine(List.of(EMAILS));
    }

    public static Redactor phoneNumbers() {
        return new Engine(List.of(new NumberDetector(false, false, true)));
    }

    public static Redactor creditCards() {
        return new Engine(List.of(new NumberDetector(false, true, false)));
    }

    public static Redactor ibans() {
        return new Engine(List.of(new NumberDetector(true, false, false)));
    }

    public static Redactor apiKeys() {
        return new Engine(List.of(API_KEYS));
    }

    public static Redactor bearerTokens() {
        return new Engine(List.of(BEARER));
    }

    public static Redactor jwts() {
        return new Engine(List.of(JWTS));
    }

    public static Redactor awsSecretKeys() {
        return new Engine(List.of(AWS_SECRETS));
    }

    public static Redactor privateKeys() {
        return new Engine(List.of(PRIVATE_KEYS));
    }

    public static Redactor secretPairs() {
        return new Engine(List.of(SECRET_PAIRS));
    }

    /** Replaces every match of {@code pattern} with {@code placeholder} (taken literally). */
    public static Redactor regex(String placeholder, Pattern pattern) {
        return regex(placeholder, pattern, m -> true);
    }

    /** Like {@link #regex(String, Pattern)}, replacing only the matches {@code accept} says yes to. */
    public static Redactor regex(String placeholder, Pattern pattern, Predicate<String> accept) {
        Objects.requireNonNull(placeholder, "placeholder");
        Objects.requireNonNull(pattern, "pattern");
        Objects.requireNonNull(accept, "accept");
        return text -> {
            Matcher m = pattern.matcher(text);
            if (!m.find()) {
                return Redactor.Result.unchanged(text);
            }
            StringBuilder out = new StringBuilder(text.length());
            int last = 0;
            int n = 0;
            do {
                if (accept.test(m.group())) {
                    out.append(text, last, m.start()).append(placeholder);
                    last = m.end();
                    n++;
                }
            } while (m.find());
            if (n == 0) {
                return Redactor.Result.unchanged(text);
            }
            out.append(text, last, text.length());
            return new Redactor.Result(out.toString(), n);
        };
    }

    /** Applies each redactor in turn to the previous one's output; counts add up. */
    public static Redactor chain(Redactor... redactors) {
        List<Redactor> list = List.of(redactors);
        return text -> {
            String t = text;
            int n = 0;
            for (Redactor r : list) {
                Redactor.Result res = r.redact(t);
                t = res.text();
                n += res.replacements();
            }
            return new Redactor.Result(t, n);
        };
    }

    // ---- the engine of the built-ins ---------------------------------------------------------------

    /** Spans to replace in one text: start, end, placeholder; grows as needed. Not thread-safe. */
    static final class Hits {
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

    /** Finds the spans of one kind of sensitive text in {@code text}. Implementations are thread-safe. */
    interface Detector {
        /**
         * {@code chars} holds the text's chars in its first {@code text.length()} elements (it may be longer),
         * shared by the detectors that scan chars.
         */
        void find(String text, char[] chars, Hits hits);
    }

    /** Per thread: the chars of the text being redacted (a copy the scanners index without bounds checks on the String). */
    private static final ThreadLocal<char[]> CHARS = ThreadLocal.withInitial(() -> new char[1024]);

    /** Runs its detectors over the original text, then writes the output once, earliest span first. */
    private static final class Engine implements Redactor {
        private final List<Detector> detectors;

        Engine(List<Detector> detectors) {
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

    /**
     * A regex tried only where one of its literal triggers occurs: at {@code triggerPos - back}, with
     * transparent bounds (look-behinds see the text before it). Triggers sharing a prefix are found with one
     * scan for that prefix ({@code String.indexOf}, which the JIT vectorises) and told apart with
     * {@code startsWith}: the API-key triggers take 4 scans of each text instead of 11.
     */
    private static final class TriggeredRegex implements Detector {
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

    private static final class PrivateKeyDetector implements Detector {
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

    private static final class EmailDetector implements Detector {
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
    private static final class AwsSecretDetector implements Detector {
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
    private static final class SecretPairDetector implements Detector {
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

    /**
     * Numbers: finds the runs of number characters (digits, spaces, {@code + - . ( )}) with at least 7
     * digits, and the runs of IBAN characters of 15 or more, and tries the card and phone patterns, and the
     * IBAN pattern, only inside them.
     */
    static final class NumberDetector implements Detector {
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
