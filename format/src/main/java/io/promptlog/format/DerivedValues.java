package io.promptlog.format;

import java.nio.charset.StandardCharsets;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.LocalDate;

/**
 * The values the dataset derives from a logged call, each defined once here; the compactor computes them
 * for Parquet and the reader for its live view of the queue, so a call looks the same before and after
 * compaction.
 *
 * <ul>
 * <li>{@code system_prompt_hash}, {@code tools_hash}: {@link #textHash}, lowercase hex SHA-256 of the UTF-8
 * bytes of the text as stored (after redaction: the hash tells nothing the stored text does not).</li>
 * <li>{@code output_hash}: {@link #outputHash}, lowercase hex of the first {@value #KEYED_HASH_BYTES} bytes
 * of the HMAC-SHA256, keyed with the home's {@link TextHashKey}, of the UTF-8 bytes of the response as
 * logged (32 hex chars; layout 2 stored all 32 bytes, whose first 32 hex chars are this value).</li>
 * <li>{@code input_hash} and {@code input_chars}: an {@link InputDigest} over the messages as logged, the
 * hash (truncated the same way) an HMAC-SHA256 with the same key of: for
 * each message in order, for each of {@code role, content, name, tool_call_id} in that order, one byte
 * {@code 0} when the part is absent, or one byte {@code 1}, the UTF-8 byte length as a 4-byte big-endian
 * integer, and the UTF-8 bytes. So {@code [("user","hi")]} hashes the bytes
 * {@code 01 00000004 "user" 01 00000002 "hi" 00 00}. The char count is the sum of the contents'
 * {@link #chars}.</li>
 * <li>{@code output_chars}, {@code chars}: {@link #chars}, the Java {@code char} (UTF-16 unit) count.</li>
 * <li>{@code date}: {@link #date}, the UTC date of {@code start_time}; 1970-01-01 when a call has none,
 * on disk and in the live view alike.</li>
 * <li>the sampling hash of a {@code call_id}: {@link #samplingHash}.</li>
 * </ul>
 * The two hashes of text as logged are keyed so that whoever holds only the dataset cannot test guesses of
 * what redaction removed (see {@link TextHashKey}).
 *
 * <p>Why 128 bits: these hashes group equal texts within one home and stand for a call's text when it is not
 * kept; they are not content addresses. 128 bits is the shortest output RFC 2104 (section 5) recommends for a
 * truncated HMAC, keeps a collision among a billion distinct texts below 10^-20, and takes 71 bytes a call
 * down to about half in Parquet: 64 hex chars of random bytes do not compress below 32 bytes each. The
 * text-table keys ({@code system_prompt_hash}, {@code tools_hash}) stay full SHA-256: they are stored once
 * per text and joined on. Not thread-safe: one instance per thread.
 */
public final class DerivedValues {
    private static final char[] HEX = "0123456789abcdef".toCharArray();
    private static final long MICROS_PER_DAY = 86_400_000_000L;
    /** Bytes of the HMAC kept in {@code input_hash} and {@code output_hash} (hex: twice as many chars). */
    public static final int KEYED_HASH_BYTES = 16;
    private final MessageDigest sha256;
    private final Mac outputMac;
    private final InputDigest input;
    private final Utf8Buffer utf8 = new Utf8Buffer();

    /** Values without the keyed text hashes ({@link #input()} and {@link #outputHash} then throw). */
    public DerivedValues() {
        sha256 = newSha256();
        outputMac = null;
        input = null;
    }

    /** All values; {@code input_hash} and {@code output_hash} keyed with {@code textHashKey} (see {@link TextHashKey}). */
    public DerivedValues(byte[] textHashKey) {
        sha256 = newSha256();
        outputMac = newMac(textHashKey);
        input = new InputDigest(newMac(textHashKey), utf8);
    }

    private static Mac newMac(byte[] key) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac;
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("the JDK has no HmacSHA256", e);
        }
    }

    private void requireKey() {
        if (input == null) {
            throw new IllegalStateException("input/output hashes need the home's text hash key: new DerivedValues(key)");
        }
    }

    /** The keyed hash of a response as logged, or null for null. */
    public String outputHash(String response) {
        if (response == null) {
            return null;
        }
        requireKey();
        outputMac.reset();
        utf8.encode(response);
        outputMac.update(utf8.bytes(), 0, utf8.length());
        return hex(outputMac.doFinal(), KEYED_HASH_BYTES);
    }

    /** {@link #outputHash(String)} of a response given as its UTF-8 bytes, or null for null. */
    public String outputHash(byte[] responseUtf8) {
        if (responseUtf8 == null) {
            return null;
        }
        requireKey();
        outputMac.reset();
        return hex(outputMac.doFinal(responseUtf8), KEYED_HASH_BYTES);
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    /** The hash of a text, or null for null. */
    public String textHash(String text) {
        if (text == null) {
            return null;
        }
        sha256.reset();
        utf8.encode(text);
        sha256.update(utf8.bytes(), 0, utf8.length());
        return hex(sha256.digest());
    }

    /** Starts the input digest of one call's messages (the previous one, if unfinished, is discarded). */
    public InputDigest input() {
        requireKey();
        input.reset();
        return input;
    }

    /** The first 8 bytes of SHA-256(call_id) as a long, big-endian: the sampling hash of a call. */
    public long samplingHash(String callId) {
        sha256.reset();
        byte[] d = sha256.digest(callId.getBytes(StandardCharsets.UTF_8));
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (d[i] & 0xFF);
        }
        return v;
    }

    /** Java char count of a text; 0 for null. */
    public static long chars(String text) {
        return text == null ? 0 : text.length();
    }

    /** The {@code date} partition of a call: UTC date of its start (epoch microseconds), 1970-01-01 for null. */
    public static LocalDate date(Long startMicros) {
        return LocalDate.ofEpochDay(epochDay(startMicros));
    }

    /** {@link #date} as days since 1970-01-01. */
    public static int epochDay(Long startMicros) {
        return startMicros == null ? 0 : Math.toIntExact(Math.floorDiv(startMicros, MICROS_PER_DAY));
    }

    /**
     * The Unix milliseconds of a UUIDv7 call id (RFC 9562: the first 48 bits), or -1 when the id is not a
     * UUIDv7 in its canonical text form. The writer generates call ids from the call's start time, so such
     * an id names its {@code start_time} millisecond and so its {@link #date} (an id supplied by the
     * application may name another time).
     */
    public static long uuidV7Millis(String callId) {
        if (callId == null || callId.length() != 36 || callId.charAt(8) != '-' || callId.charAt(13) != '-'
                || callId.charAt(14) != '7' || callId.charAt(18) != '-' || callId.charAt(23) != '-') {
            return -1;
        }
        long ms = 0;
        for (int i = 0; i < 13; i++) {
            if (i == 8) {
                continue;
            }
            int d = Character.digit(callId.charAt(i), 16);
            if (d < 0) {
                return -1;
            }
            ms = (ms << 4) | d;
        }
        return ms;
    }

    /** Lowercase hex of bytes. */
    static String hex(byte[] d) {
        return hex(d, d.length);
    }

    /** Lowercase hex of the first {@code n} bytes. */
    static String hex(byte[] d, int n) {
        char[] out = new char[n * 2];
        for (int i = 0; i < n; i++) {
            out[2 * i] = HEX[(d[i] >> 4) & 0xF];
            out[2 * i + 1] = HEX[d[i] & 0xF];
        }
        return new String(out);
    }

    /**
     * {@code input_hash} and {@code input_chars} of one call: feed every message in order to
     * {@link #message}, then read {@link #hash()} and {@link #chars()}.
     */
    public static final class InputDigest {
        private final Mac sha256;
        private final Utf8Buffer utf8;
        private long chars;

        private InputDigest(Mac hmac, Utf8Buffer utf8) {
            this.sha256 = hmac;
            this.utf8 = utf8;
        }

        private void reset() {
            sha256.reset();
            chars = 0;
        }

        /** Adds one message. */
        public InputDigest message(String role, String content, String name, String toolCallId) {
            part(role);
            part(content);
            part(name);
            part(toolCallId);
            chars += DerivedValues.chars(content);
            return this;
        }

        /**
         * {@link #message(String, String, String, String)} with the content given as its UTF-8 bytes (null: no
         * content) and its Java char count.
         */
        public InputDigest message(String role, byte[] contentUtf8, long contentChars, String name, String toolCallId) {
            part(role);
            if (contentUtf8 == null) {
                sha256.update((byte) 0);
            } else {
                partBytes(contentUtf8, contentUtf8.length);
                chars += contentChars;
            }
            part(name);
            part(toolCallId);
            return this;
        }

        /** The char count of the contents so far. */
        public long chars() {
            return chars;
        }

        /** The hash of the messages added (ends this digest). */
        public String hash() {
            return hex(sha256.doFinal(), KEYED_HASH_BYTES);
        }

        private void part(String s) {
            if (s == null) {
                sha256.update((byte) 0);
                return;
            }
            utf8.encode(s);
            partBytes(utf8.bytes(), utf8.length());
        }

        private void partBytes(byte[] b, int len) {
            sha256.update((byte) 1);
            sha256.update((byte) (len >>> 24));
            sha256.update((byte) (len >>> 16));
            sha256.update((byte) (len >>> 8));
            sha256.update((byte) len);
            sha256.update(b, 0, len);
        }
    }
}
