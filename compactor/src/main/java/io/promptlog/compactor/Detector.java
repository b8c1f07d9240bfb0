package io.promptlog.compactor;

/** Finds the spans of one kind of sensitive text in {@code text}. Implementations are thread-safe. */
interface Detector {
    /**
     * {@code chars} holds the text's chars in its first {@code text.length()} elements (it may be longer),
     * shared by the detectors that scan chars.
     */
    void find(String text, char[] chars, Hits hits);
}
