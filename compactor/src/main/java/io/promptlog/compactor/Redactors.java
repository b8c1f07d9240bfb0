package io.promptlog.compactor;

import java.util.List;
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
 *
 * <p>Where the built-ins live: {@link DetectorEngine} runs {@link Detector}s and writes the output;
 * {@link TextDetectors} holds the secret and e-mail detectors, {@link NumberDetector} cards, phones and IBANs.
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

    private static final Detector PRIVATE_KEYS = new TextDetectors.PrivateKeyDetector();
    private static final Detector BEARER = new TextDetectors.TriggeredRegex(BEARER_TOKEN,
            Pattern.compile("(?i)(?<![a-z0-9])bearer\\s+[A-Za-z0-9._~+/-]{16,}=*"),
            new String[]{"earer", "EARER"}, 1);
    private static final Detector API_KEYS = new TextDetectors.TriggeredRegex(API_KEY, Pattern.compile(
            "(?<![A-Za-z0-9_-])(?:sk-[A-Za-z0-9_-]{20,}"
                    + "|(?:AKIA|ASIA)[0-9A-Z]{16}(?![A-Za-z0-9])"
                    + "|gh[pousr]_[A-Za-z0-9]{36,255}"
                    + "|github_pat_[A-Za-z0-9_]{22,255}"
                    + "|xox[abposr]-[A-Za-z0-9-]{10,}"
                    + "|AIza[0-9A-Za-z_-]{35})"),
            new String[]{"sk-", "AKIA", "ASIA", "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_", "xox", "AIza"}, 0);
    private static final Detector JWTS = new TextDetectors.TriggeredRegex(JWT,
            Pattern.compile("(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{5,}\\.eyJ[A-Za-z0-9_-]{5,}\\.[A-Za-z0-9_-]{10,}"),
            new String[]{"eyJ"}, 0);
    private static final Detector AWS_SECRETS = new TextDetectors.AwsSecretDetector();
    private static final Detector SECRET_PAIRS = new TextDetectors.SecretPairDetector();
    private static final Detector EMAILS = new TextDetectors.EmailDetector();
    private static final Detector NUMBERS = new NumberDetector(true, true, true);

    private static final Redactor DEFAULTS = new DetectorEngine(List.of(PRIVATE_KEYS, BEARER, API_KEYS, JWTS, AWS_SECRETS,
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
        return new DetectorEngine(List.of(EMAILS));
    }

    public static Redactor phoneNumbers() {
        return new DetectorEngine(List.of(new NumberDetector(false, false, true)));
    }

    public static Redactor creditCards() {
        return new DetectorEngine(List.of(new NumberDetector(false, true, false)));
    }

    public static Redactor ibans() {
        return new DetectorEngine(List.of(new NumberDetector(true, false, false)));
    }

    public static Redactor apiKeys() {
        return new DetectorEngine(List.of(API_KEYS));
    }

    public static Redactor bearerTokens() {
        return new DetectorEngine(List.of(BEARER));
    }

    public static Redactor jwts() {
        return new DetectorEngine(List.of(JWTS));
    }

    public static Redactor awsSecretKeys() {
        return new DetectorEngine(List.of(AWS_SECRETS));
    }

    public static Redactor privateKeys() {
        return new DetectorEngine(List.of(PRIVATE_KEYS));
    }

    public static Redactor secretPairs() {
        return new DetectorEngine(List.of(SECRET_PAIRS));
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
}
