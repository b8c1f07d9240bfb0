package io.promptlog.compactor;

import io.promptlog.writer.CallField;
import io.promptlog.writer.LlmCall;
import io.promptlog.writer.Message;

import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * A named reason to keep a call's full text: when {@link #matches} is true the call's messages and
 * response are stored and its {@code retention_reason} is {@code rule:<name>}. Rules see the call as
 * logged (before redaction). Immutable; predicates must be deterministic and thread-safe.
 */
public final class RetentionRule {
    private static final Pattern NAME = Pattern.compile("[a-z0-9_.-]{1,64}");

    /**
     * Common prompt-injection phrasings (case-insensitive): "ignore / disregard / forget (all) previous
     * instructions", "disregard the rules above", "reveal / print your system
     * prompt" or "the hidden prompt", "you are now DAN", "developer mode", "jailbreak",
     * "pretend you have no restrictions", "act as an unfiltered ...".
     */
    public static final Pattern PROMPT_INJECTION = Pattern.compile("(?i)"
            + "\\b(?:ignore|disregard|forget|override|bypass)\\s+(?:all\\s+|any\\s+|the\\s+|your\\s+|my\\s+)*"
            + "(?:previous|prior|above|earlier|preceding|system|original)\\s+"
            + "(?:instructions?|prompts?|rules?|directions?|guidelines?|messages?)"
            + "|\\b(?:ignore|disregard|forget|override|bypass)\\s+(?:all\\s+|any\\s+|the\\s+|your\\s+|my\\s+|these\\s+)*"
            + "(?:instructions?|prompts?|rules?|directions?|guidelines?)\\s+(?:above|before|given)"
            + "|\\b(?:reveal|print|show|repeat|output|leak|display)\\s+(?:me\\s+)?(?:your|the)\\s+"
            + "(?:system\\s+prompt|initial\\s+instructions|hidden\\s+(?:instructions|prompt)|instructions\\s+above)"
            + "|\\byou\\s+are\\s+now\\s+(?:DAN|in\\s+developer\\s+mode|jailbroken|unrestricted)"
            + "|\\bdeveloper\\s+mode\\s+(?:enabled|on)\\b"
            + "|\\bjailbreak(?:ing|ed)?\\b"
            + "|\\bpretend\\s+(?:that\\s+)?you\\s+(?:have|had)\\s+no\\s+(?:restrictions|rules|filters|guidelines)"
            + "|\\bact\\s+as\\s+an?\\s+(?:unfiltered|uncensored|unrestricted)\\b");

    private final String name;
    private final Predicate<LlmCall> predicate;

    private RetentionRule(String name, Predicate<LlmCall> predicate) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("rule name must match " + NAME.pattern() + ", was '" + name + "'");
        }
        this.name = name;
        this.predicate = Objects.requireNonNull(predicate, "predicate");
    }

    /** A rule from any predicate on the call as logged. */
    public static RetentionRule of(String name, Predicate<LlmCall> predicate) {
        return new RetentionRule(name, predicate);
    }

    /** Matches when any {@code user} message's content contains a match of {@code regex}. */
    public static RetentionRule userMessageMatches(String name, Pattern regex) {
        Objects.requireNonNull(regex, "regex");
        return new RetentionRule(name, call -> {
            for (Message m : call.messages()) {
                if ("user".equals(m.role()) && m.content() != null && regex.matcher(m.content()).find()) {
                    return true;
                }
            }
            return false;
        });
    }

    /**
     * Every match of {@link #PROMPT_INJECTION} contains one of these words (lowercase); a message without
     * any of them cannot match, which a word scan finds about ten times faster than the regex.
     */
    private static final Set<String> INJECTION_WORDS = Set.of("ignore", "disregard", "forget", "override",
            "bypass", "system", "instructions", "hidden", "dan", "jailbroken", "unrestricted", "developer", "jailbreak",
            "jailbreaking", "jailbreaked", "pretend", "unfiltered", "uncensored");

    /** The shipped prompt-injection rule, named {@code prompt_injection} (see {@link #PROMPT_INJECTION}). */
    public static RetentionRule promptInjection() {
        return new RetentionRule("prompt_injection", call -> {
            for (Message m : call.messages()) {
                String c = m.content();
                if ("user".equals(m.role()) && c != null && hasWord(c, INJECTION_WORDS)
                        && PROMPT_INJECTION.matcher(c).find()) {
                    return true;
                }
            }
            return false;
        });
    }

    /** Whether text has one of {@code words} (lowercase ASCII) as a whole word, ignoring ASCII case. */
    static boolean hasWord(String text, Set<String> words) {
        int n = text.length();
        int i = 0;
        char[] buf = new char[16];
        while (i < n) {
            while (i < n && !isAsciiLetter(text.charAt(i))) {
                i++;
            }
            int start = i;
            while (i < n && isAsciiLetter(text.charAt(i))) {
                i++;
            }
            int len = i - start;
            if (len >= 3 && len <= buf.length) {
                for (int k = 0; k < len; k++) {
                    buf[k] = (char) (text.charAt(start + k) | 0x20);
                }
                if (words.contains(new String(buf, 0, len))) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean isAsciiLetter(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    /** Matches calls whose {@code duration_us} is above {@code threshold}. */
    public static RetentionRule latencyAbove(String name, Duration threshold) {
        if (threshold == null || threshold.isNegative()) {
            throw new IllegalArgumentException("latency threshold must be >= 0, was " + threshold);
        }
        long micros = threshold.toNanos() / 1000;
        return new RetentionRule(name, call -> {
            Long d = call.int64(CallField.DURATION_US);
            return d != null && d > micros;
        });
    }

    /** Matches calls whose {@code finish_reason} is one of {@code reasons}. */
    public static RetentionRule finishReason(String name, String... reasons) {
        if (reasons.length == 0) {
            throw new IllegalArgumentException("finishReason rule '" + name + "' needs at least one reason");
        }
        Set<String> set = Set.of(reasons);
        return new RetentionRule(name, call -> {
            String r = call.string(CallField.FINISH_REASON);
            return r != null && set.contains(r);
        });
    }

    public String name() {
        return name;
    }

    public boolean matches(LlmCall call) {
        return predicate.test(call);
    }

    @Override
    public String toString() {
        return "rule:" + name;
    }
}
