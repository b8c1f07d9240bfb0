package io.promptlog.compactor;

import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Built-in {@link Redactor}s. {@link #defaults()} replaces, in this order: bearer tokens
 * ({@code [BEARER_TOKEN]}), API keys of common shapes ({@code sk-...}, {@code AKIA...}/{@code ASIA...},
 * {@code ghp_/gho_/ghu_/ghs_/ghr_...}, {@code github_pat_...}, {@code xox?-...}, {@code AIza...}:
 * {@code [API_KEY]}), JSON web tokens ({@code [JWT]}), e-mail addresses ({@code [EMAIL]}), payment card
 * numbers that pass the Luhn check ({@code [CREDIT_CARD]}) and phone numbers ({@code [PHONE]}: a
 * {@code +} international number or a North-American {@code (555) 123-4567} shape, 7 to 15 digits).
 * The patterns aim at few false positives: dates, versions and order numbers are left alone.
 */
public final class Redactors {
    public static final String EMAIL = "[EMAIL]";
    public static final String PHONE = "[PHONE]";
    public static final String CREDIT_CARD = "[CREDIT_CARD]";
    public static final String API_KEY = "[API_KEY]";
    public static final String BEARER_TOKEN = "[BEARER_TOKEN]";
    public static final String JWT = "[JWT]";

    private static final Redactor NONE = Redactor.Result::unchanged;

    private static final Redactor BEARER = prefiltered(t -> containsIgnoreCase(t, "bearer"), regex(BEARER_TOKEN,
            Pattern.compile("(?i)\\bbearer\\s+[A-Za-z0-9._~+/-]{16,}=*")));
    private static final Redactor API_KEYS = prefiltered(t -> t.contains("sk-") || t.contains("AKIA")
            || t.contains("ASIA") || t.contains("_") || t.contains("xox") || t.contains("AIza"), regex(API_KEY, Pattern.compile(
            "(?<![A-Za-z0-9_-])(?:sk-[A-Za-z0-9_-]{20,}"
                    + "|(?:AKIA|ASIA)[0-9A-Z]{16}"
                    + "|gh[pousr]_[A-Za-z0-9]{36,255}"
                    + "|github_pat_[A-Za-z0-9_]{22,255}"
                    + "|xox[abposr]-[A-Za-z0-9-]{10,}"
                    + "|AIza[0-9A-Za-z_-]{35})")));
    private static final Redactor JWTS = prefiltered(t -> t.contains("eyJ"), regex(JWT,
            Pattern.compile("\\beyJ[A-Za-z0-9_-]{5,}\\.eyJ[A-Za-z0-9_-]{5,}\\.[A-Za-z0-9_-]{10,}")));
    private static final Redactor EMAILS = prefiltered(t -> t.indexOf('@') >= 0, regex(EMAIL,
            Pattern.compile("[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\\.[A-Za-z0-9-]+)*\\.[A-Za-z]{2,}")));
    private static final Redactor CARDS = prefiltered(t -> digits(t) >= 13, regex(CREDIT_CARD,
            Pattern.compile("(?<![\\d.-])\\d(?:[ -]?\\d){12,18}(?![\\d])"), Redactors::luhnCard));
    private static final Redactor PHONES = prefiltered(t -> digits(t) >= 7, regex(PHONE, Pattern.compile(
            "(?<![\\w+])\\+\\d{1,3}[ .-]?(?:\\(\\d{1,4}\\)[ .-]?)?\\d{1,4}(?:[ .-]?\\d{2,4}){1,4}(?![\\w])"
                    + "|(?<![\\w(])(?:\\(\\d{3}\\)\\s?|\\d{3}[-.\\s])\\d{3}[-.\\s]\\d{4}(?![\\w])"),
            Redactors::phoneDigits));
    private static final Redactor DEFAULTS = chain(BEARER, API_KEYS, JWTS, EMAILS, CARDS, PHONES);

    private Redactors() {
    }

    /** Redacts nothing. */
    public static Redactor none() {
        return NONE;
    }

    /** Every built-in rule, in the order listed in the class comment. */
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
        return EMAILS;
    }

    public static Redactor phoneNumbers() {
        return PHONES;
    }

    public static Redactor creditCards() {
        return CARDS;
    }

    public static Redactor apiKeys() {
        return API_KEYS;
    }

    public static Redactor bearerTokens() {
        return BEARER;
    }

    public static Redactor jwts() {
        return JWTS;
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

    /** Runs {@code r} only on texts {@code mayMatch} accepts: a cheap test that every match needs. */
    private static Redactor prefiltered(Predicate<String> mayMatch, Redactor r) {
        return text -> mayMatch.test(text) ? r.redact(text) : Redactor.Result.unchanged(text);
    }

    private static boolean containsIgnoreCase(String text, String lower) {
        int n = lower.length();
        for (int i = 0; i + n <= text.length(); i++) {
            if (text.regionMatches(true, i, lower, 0, n)) {
                return true;
            }
        }
        return false;
    }

    private static int digits(String s) {
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= '0' && c <= '9') {
                n++;
            }
        }
        return n;
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
