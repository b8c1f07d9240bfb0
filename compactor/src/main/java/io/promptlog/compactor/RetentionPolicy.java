package io.promptlog.compactor;

import io.promptlog.writer.CallField;
import io.promptlog.writer.LlmCall;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Which calls keep their full text (messages, response, response tool calls) in the dataset. Metadata,
 * hashes and lengths are kept for every call whatever the policy. Immutable.
 *
 * <p>A call's text is kept, with the first reason that applies as its {@code retention_reason}, when:
 * the call errored ({@code error}: status {@code error} or an {@code error_type}); the app flagged it
 * ({@code flagged}); a rule matches ({@code rule:<name>}, rules in order); or it falls in the sample
 * ({@code sample}): the first 8 bytes of SHA-256 of its {@code call_id}, as an unsigned number, below
 * {@code sampleRate * 2^64}, which is the same decision on every run and every host. {@link #all()} keeps
 * every text (reason {@code all}); {@link #none()} keeps none.
 */
public final class RetentionPolicy {
    public static final String ERROR = "error";
    public static final String FLAGGED = "flagged";
    public static final String SAMPLE = "sample";
    public static final String ALL = "all";
    public static final String RULE_PREFIX = "rule:";
    public static final double DEFAULT_SAMPLE_RATE = 0.10;

    private static final RetentionPolicy ALL_POLICY = new RetentionPolicy(true, false, false, List.of(), 0, "all");
    private static final RetentionPolicy NONE_POLICY = new RetentionPolicy(false, false, false, List.of(), 0, "none");

    private final boolean keepAll;
    private final boolean keepErrors;
    private final boolean keepFlagged;
    private final List<RetentionRule> rules;
    private final double sampleRate;
    private final long sampleThreshold;
    private final String description;

    private RetentionPolicy(boolean keepAll, boolean keepErrors, boolean keepFlagged, List<RetentionRule> rules,
                            double sampleRate, String description) {
        this.keepAll = keepAll;
        this.keepErrors = keepErrors;
        this.keepFlagged = keepFlagged;
        this.rules = List.copyOf(rules);
        this.sampleRate = sampleRate;
        // compare the top 53 bits of the hash with rate * 2^53
        this.sampleThreshold = (long) Math.floor(sampleRate * (double) (1L << 53));
        this.description = description;
    }

    /** Errors + flagged + the shipped prompt-injection rule + a 10% sample. */
    public static RetentionPolicy defaults() {
        return builder().build();
    }

    public static RetentionPolicy all() {
        return ALL_POLICY;
    }

    public static RetentionPolicy none() {
        return NONE_POLICY;
    }

    /** {@code default}, {@code all} or {@code none}, as the CLI's {@code --retain} option takes them. */
    public static RetentionPolicy parse(String name) {
        return switch (Objects.requireNonNull(name, "retention name")) {
            case "default" -> defaults();
            case "all" -> all();
            case "none" -> none();
            default -> throw new IllegalArgumentException("retention must be 'default', 'all' or 'none', was '"
                    + name + "'");
        };
    }

    /** A builder starting from the defaults (errors, flagged, prompt_injection rule, 10% sample). */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The reason to keep this call's text, or null to drop it.
     *
     * @param sampleHash the first 8 bytes of SHA-256 of the call_id (big-endian), see class comment
     */
    public String reason(LlmCall call, long sampleHash, boolean hasCallId) {
        if (keepAll) {
            return ALL;
        }
        if (keepErrors && (CallField.STATUS_ERROR.equals(call.status()) || call.string(CallField.ERROR_TYPE) != null)) {
            return ERROR;
        }
        if (keepFlagged && Boolean.TRUE.equals(call.bool(CallField.FLAGGED))) {
            return FLAGGED;
        }
        for (RetentionRule r : rules) {
            if (r.matches(call)) {
                return RULE_PREFIX + r.name();
            }
        }
        if (hasCallId && sampleThreshold > 0 && (sampleHash >>> 11) < sampleThreshold) {
            return SAMPLE;
        }
        return null;
    }

    public boolean keepsAll() {
        return keepAll;
    }

    public boolean keepsErrors() {
        return keepErrors;
    }

    public boolean keepsFlagged() {
        return keepFlagged;
    }

    public List<RetentionRule> rules() {
        return rules;
    }

    public double sampleRate() {
        return sampleRate;
    }

    @Override
    public String toString() {
        return description != null ? description : "RetentionPolicy{errors=" + keepErrors + ", flagged="
                + keepFlagged + ", rules=" + rules + ", sampleRate=" + sampleRate + '}';
    }

    public static final class Builder {
        private boolean keepErrors = true;
        private boolean keepFlagged = true;
        private final List<RetentionRule> rules = new ArrayList<>(List.of(RetentionRule.promptInjection()));
        private double sampleRate = DEFAULT_SAMPLE_RATE;

        private Builder() {
        }

        public Builder keepErrors(boolean keep) {
            this.keepErrors = keep;
            return this;
        }

        public Builder keepFlagged(boolean keep) {
            this.keepFlagged = keep;
            return this;
        }

        /** Adds a rule after those already there. */
        public Builder rule(RetentionRule rule) {
            rules.add(Objects.requireNonNull(rule, "rule"));
            return this;
        }

        /** Removes every rule, the shipped prompt-injection rule included. */
        public Builder clearRules() {
            rules.clear();
            return this;
        }

        /** Fraction of the remaining calls kept, 0 to 1. */
        public Builder sampleRate(double rate) {
            this.sampleRate = rate;
            return this;
        }

        public RetentionPolicy build() {
            if (!(sampleRate >= 0 && sampleRate <= 1)) {
                throw new IllegalArgumentException("sampleRate must be within 0..1, was " + sampleRate);
            }
            Set<String> names = new HashSet<>();
            for (RetentionRule r : rules) {
                if (!names.add(r.name())) {
                    throw new IllegalArgumentException("two retention rules are named '" + r.name() + "'");
                }
            }
            return new RetentionPolicy(false, keepErrors, keepFlagged, rules, sampleRate, null);
        }
    }
}
