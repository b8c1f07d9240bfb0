package io.promptlog.writer.internal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The encoder's string paths (a Latin-1 or UTF-16 coded {@code String}, a {@code StringBuilder} of either
 * coder, any other {@code CharSequence} char by char) all write standard UTF-8, with a lone surrogate as
 * U+FFFD, for every length around the 8- and 16-char blocks the fast paths copy at once.
 */
@Timeout(60)
class RecordEncoderTest {
    private static final String[] ALPHABET = {
            "a", "Z", " ", "0", "\n", "\u0000", "\u007f", // ASCII, the edges included
            "\u0080", "\u00e9", "\u00ff", // Latin-1 above ASCII
            "\u0100", "\u20ac", "\u65e5", "\uffff", // two- and three-byte BMP chars
            "\ud83d\ude00", // a surrogate pair (4 bytes)
            "\ud83d", "\ude00"}; // lone halves

    private static final int TEXT_START = RecordDescriptor.HEADER_LENGTH + RecordDescriptor.FIELD_HEADER_LENGTH
            + RecordDescriptor.LENGTH_PREFIX;

    /** The UTF-8 the layout specifies: standard, with each unpaired surrogate replaced by U+FFFD. */
    static byte[] expectedUtf8(CharSequence s) {
        StringBuilder t = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                t.append(c).append(s.charAt(++i));
            } else {
                t.append(Character.isSurrogate(c) ? '\ufffd' : c);
            }
        }
        return t.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] encode(RecordEncoder e, CharSequence s) {
        e.reset();
        e.putString(7, s);
        return Arrays.copyOfRange(e.buffer(), TEXT_START, e.length());
    }

    @Test
    void shouldWriteStandardUtf8FromEveryKindOfTextAtEveryLengthAroundTheBlockSize() {
        long seed = System.nanoTime();
        SplittableRandom rnd = new SplittableRandom(seed);
        RecordEncoder e = new RecordEncoder(1 << 20);
        StringBuilder reused = new StringBuilder(4096);
        for (int trial = 0; trial < 20_000; trial++) {
            int length = trial < 2000 ? trial % 70 : rnd.nextInt(600);
            // mostly ASCII with a few others, or ASCII only, or Latin-1 only: each coder's fast path
            int mode = rnd.nextInt(4);
            StringBuilder sb = new StringBuilder();
            while (sb.length() < length) {
                int pick = mode == 0 ? rnd.nextInt(7) : mode == 1 ? rnd.nextInt(10) : rnd.nextInt(100) < 95 ? rnd.nextInt(7) : rnd.nextInt(ALPHABET.length);
                sb.append(ALPHABET[pick]);
            }
            String s = sb.toString();
            byte[] expected = expectedUtf8(s);
            String context = "seed " + seed + ", trial " + trial + ", text " + s.codePoints().mapToObj(Integer::toHexString).toList();
            assertThat(encode(e, s)).as("String, " + context).isEqualTo(expected);
            assertThat(encode(e, new StringBuilder(s))).as("StringBuilder, " + context).isEqualTo(expected);
            reused.setLength(0);
            reused.append(s); // a builder longer than its text (capacity), UTF-16 once it held a non-Latin-1 char
            assertThat(encode(e, reused)).as("reused StringBuilder, " + context).isEqualTo(expected);
            assertThat(encode(e, CharBuffer.wrap(s))).as("CharSequence, " + context).isEqualTo(expected);
        }
    }

    @Test
    void shouldReadTheStringsOwnBytesWhenTheJvmFlagsOpenJavaLang() {
        // the writer's tests run with the flags the README lists: the fast paths are the ones tested above
        assertThat(JavaStrings.AVAILABLE).isTrue();
    }
}
