package io.promptlog.compactor.internal;

import io.promptlog.writer.Message;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;

/**
 * The hashes stored in the dataset, defined once: lowercase hex SHA-256.
 *
 * <ul>
 * <li>{@code system_prompt_hash}, {@code tools_hash}: SHA-256 of the UTF-8 bytes of the text as stored.</li>
 * <li>{@code output_hash}: SHA-256 of the UTF-8 bytes of the response as logged.</li>
 * <li>{@code input_hash}: SHA-256 of the canonical serialization of the messages as logged: for each
 * message in order, for each of {@code role, content, name, tool_call_id} in that order, one byte
 * {@code 0} when the part is absent, or one byte {@code 1}, the UTF-8 byte length as a 4-byte big-endian
 * integer, and the UTF-8 bytes. So {@code [("user","hi")]} hashes the bytes
 * {@code 01 00000004 "user" 01 00000002 "hi" 00 00}.</li>
 * </ul>
 * Not thread-safe: one instance per compaction thread.
 */
public final class Hashing {
    private static final char[] HEX = "0123456789abcdef".toCharArray();
    private final MessageDigest sha256;

    public Hashing() {
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    public String text(String text) {
        sha256.reset();
        sha256.update(text.getBytes(StandardCharsets.UTF_8));
        return hex(sha256.digest());
    }

    public String messages(List<Message> messages) {
        sha256.reset();
        for (Message m : messages) {
            part(m.role());
            part(m.content());
            part(m.name());
            part(m.toolCallId());
        }
        return hex(sha256.digest());
    }

    /** The first 8 bytes of SHA-256(text) as a long, big-endian: the sampling hash of a call_id. */
    public long long64(String text) {
        sha256.reset();
        byte[] d = sha256.digest(text.getBytes(StandardCharsets.UTF_8));
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (d[i] & 0xFF);
        }
        return v;
    }

    private void part(String s) {
        if (s == null) {
            sha256.update((byte) 0);
            return;
        }
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        sha256.update((byte) 1);
        sha256.update((byte) (b.length >>> 24));
        sha256.update((byte) (b.length >>> 16));
        sha256.update((byte) (b.length >>> 8));
        sha256.update((byte) b.length);
        sha256.update(b);
    }

    static String hex(byte[] d) {
        char[] out = new char[d.length * 2];
        for (int i = 0; i < d.length; i++) {
            out[2 * i] = HEX[(d[i] >> 4) & 0xF];
            out[2 * i + 1] = HEX[d[i] & 0xF];
        }
        return new String(out);
    }
}
