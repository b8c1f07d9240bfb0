package io.promptlog.compactor;

import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;

/**
 * What {@link Compactor#erase} removes: the calls of some users, some calls by id, and/or every call that
 * started before an instant. Immutable; {@link Builder#build()} fails when nothing is selected.
 *
 * <p>By default the calls' text is erased and their metadata stays: {@code messages}, {@code response},
 * {@code response_tool_calls}, {@code error_message}, the input/output hashes and the link to a system
 * prompt or tools text used by no other call (that text is removed from its table too); the row keeps
 * model, parameters, tokens, latency, cost, status, ids and attributes, with {@code text_retained} false.
 * {@link Builder#allFields()} drops the rows instead.
 */
public final class ErasureRequest {
    private final Set<String> users;
    private final Set<String> callIds;
    private final Instant before;
    private final boolean allFields;

    private ErasureRequest(Builder b) {
        this.users = Set.copyOf(b.users);
        this.callIds = Set.copyOf(b.callIds);
        this.before = b.before;
        this.allFields = b.allFields;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Set<String> users() {
        return users;
    }

    public Set<String> callIds() {
        return callIds;
    }

    /** Calls that started before this instant, or null. */
    public Instant before() {
        return before;
    }

    public boolean allFields() {
        return allFields;
    }

    /** Whether a call with these values is selected. */
    public boolean selects(String userId, String callId, Long startMicros) {
        return (userId != null && users.contains(userId)) || (callId != null && callIds.contains(callId))
                || (before != null && startMicros != null && startMicros < micros(before));
    }

    private static long micros(Instant i) {
        return Math.addExact(Math.multiplyExact(i.getEpochSecond(), 1_000_000L), i.getNano() / 1_000);
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder();
        if (!users.isEmpty()) {
            s.append("users ").append(users);
        }
        if (!callIds.isEmpty()) {
            s.append(s.length() == 0 ? "" : ", ").append("calls ").append(callIds);
        }
        if (before != null) {
            s.append(s.length() == 0 ? "" : ", ").append("calls before ").append(before);
        }
        return s.append(allFields ? " (whole rows)" : " (text)").toString();
    }

    public static final class Builder {
        private final Set<String> users = new LinkedHashSet<>();
        private final Set<String> callIds = new LinkedHashSet<>();
        private Instant before;
        private boolean allFields;

        private Builder() {
        }

        public Builder user(String userId) {
            if (userId == null || userId.isEmpty()) {
                throw new IllegalArgumentException("user id must not be empty");
            }
            users.add(userId);
            return this;
        }

        public Builder call(String callId) {
            if (callId == null || callId.isEmpty()) {
                throw new IllegalArgumentException("call id must not be empty");
            }
            callIds.add(callId);
            return this;
        }

        /** Erase calls that started before {@code instant}; it must be a timestamp in microseconds (years -290,000 to 294,000). */
        public Builder before(Instant instant) {
            Objects.requireNonNull(instant, "before");
            try {
                micros(instant);
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException("before " + instant + " is out of the range of a timestamp in microseconds");
            }
            this.before = instant;
            return this;
        }

        /** Drop the selected rows whole, not only their text. */
        public Builder allFields() {
            this.allFields = true;
            return this;
        }

        public ErasureRequest build() {
            if (users.isEmpty() && callIds.isEmpty() && before == null) {
                throw new IllegalArgumentException("an erasure needs at least one user, call id or date");
            }
            return new ErasureRequest(this);
        }
    }
}
