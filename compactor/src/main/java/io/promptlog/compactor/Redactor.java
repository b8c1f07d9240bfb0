package io.promptlog.compactor;

/**
 * Replaces sensitive spans of a text before it reaches Parquet. Applied by the compactor to every
 * text-bearing field but the identifiers (the list is derived from the schema: see the compactor README),
 * the system prompt and tools included. Built-ins and combinators are in {@link Redactors}.
 *
 * <p>Why an interface this small: redaction policies differ per team (a hospital and a game studio fear
 * different strings). A lambda or a class with one method plugs in anything, from a regex to a call into
 * a named-entity model; {@link Result} carries the replacement count that goes into the
 * {@code redactions} column. Implementations must be deterministic (the same text gives the same
 * result: the system prompt's hash is taken after redaction) and thread-safe.
 */
@FunctionalInterface
public interface Redactor {

    /** The redacted text and how many spans were replaced. */
    Result redact(String text);

    /** A redaction result; {@code text} is the input itself when nothing was replaced. */
    record Result(String text, int replacements) {
        public Result {
            if (text == null) {
                throw new IllegalArgumentException("redacted text must not be null");
            }
            if (replacements < 0) {
                throw new IllegalArgumentException("replacements must be >= 0, was " + replacements);
            }
        }

        public static Result unchanged(String text) {
            return new Result(text, 0);
        }
    }
}
