package io.promptlog.format;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.LocalDate;
import java.util.HexFormat;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(10)
class DerivedValuesTest {
    private static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private final DerivedValues derived = new DerivedValues(KEY);

    /** The whole HMAC-SHA256 in hex (what layout 2 stored). */
    private static String fullHmac(byte[] key, byte[] data) throws Exception {
        javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
        mac.init(new javax.crypto.spec.SecretKeySpec(key, "HmacSHA256"));
        return HexFormat.of().formatHex(mac.doFinal(data));
    }

    /** input_hash / output_hash as documented: the first 16 bytes of the HMAC, 32 hex chars. */
    private static String hmac(byte[] key, byte[] data) throws Exception {
        return fullHmac(key, data).substring(0, 32);
    }

    @Test
    void shouldHashTextAsLowercaseHexSha256OfItsUtf8Bytes() {
        assertThat(derived.textHash("abc")).isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assertThat(derived.textHash(null)).isNull();
    }

    @Test
    void shouldHashMessagesByTheDocumentedSerializationKeyedWithTheHomesKey() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        bytes.write(HexFormat.of().parseHex("0100000004"));
        bytes.write("user".getBytes(StandardCharsets.UTF_8));
        bytes.write(HexFormat.of().parseHex("0100000002"));
        bytes.write("hi".getBytes(StandardCharsets.UTF_8));
        bytes.write(new byte[] {0, 0});
        String expected = hmac(KEY, bytes.toByteArray());
        String unkeyed = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes.toByteArray()));

        DerivedValues.InputDigest d = derived.input().message("user", "hi", null, null);
        assertThat(d.chars()).isEqualTo(2);
        assertThat(d.hash()).isEqualTo(expected).isNotEqualTo(unkeyed);
        byte[] otherKey = KEY.clone();
        otherKey[0] ^= 1;
        assertThat(new DerivedValues(otherKey).input().message("user", "hi", null, null).hash()).isNotEqualTo(expected);
    }

    @Test
    void shouldHashTheResponseKeyedAndRefuseTextHashesOfLoggedTextWithoutAKey() throws Exception {
        assertThat(derived.outputHash("abc")).isEqualTo(hmac(KEY, "abc".getBytes(StandardCharsets.UTF_8)))
                .hasSize(32).matches("[0-9a-f]{32}");
        // a layout-2 value (the whole HMAC) starts with the layout-3 value: left(output_hash, 32) matches across versions
        assertThat(fullHmac(KEY, "abc".getBytes(StandardCharsets.UTF_8))).hasSize(64).startsWith(derived.outputHash("abc"));
        assertThat(derived.input().message("user", "hi", null, null).hash()).hasSize(32);
        // the byte forms (the compactor's: it encodes a text once) hash the same
        assertThat(derived.outputHash("d\u00e9j\u00e0 \ud83d\ude00".getBytes(StandardCharsets.UTF_8)))
                .isEqualTo(derived.outputHash("d\u00e9j\u00e0 \ud83d\ude00"));
        assertThat(derived.outputHash((byte[]) null)).isNull();
        DerivedValues.InputDigest bytes = derived.input().message("user", "h\u00e9".getBytes(StandardCharsets.UTF_8), 2, "n", null)
                .message("tool", (byte[]) null, 0, null, "t1");
        long chars = bytes.chars();
        String h = bytes.hash();
        DerivedValues.InputDigest strings = derived.input().message("user", "h\u00e9", "n", null).message("tool", null, null, "t1");
        assertThat(chars).isEqualTo(strings.chars()).isEqualTo(2);
        assertThat(h).isEqualTo(strings.hash());
        assertThat(derived.outputHash((String) null)).isNull();
        DerivedValues unkeyed = new DerivedValues();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> unkeyed.outputHash("abc")).hasMessageContaining("key");
        org.assertj.core.api.Assertions.assertThatThrownBy(unkeyed::input).hasMessageContaining("key");
    }

    @Test
    void shouldCreateTheKeyOnce0600AndReadTheSameKeyBack(@org.junit.jupiter.api.io.TempDir java.nio.file.Path queue) throws Exception {
        byte[] first = TextHashKey.readOrCreate(queue);
        assertThat(first).hasSize(32);
        assertThat(TextHashKey.readOrCreate(queue)).isEqualTo(first);
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(
                java.nio.file.Files.getPosixFilePermissions(TextHashKey.file(queue)))).isEqualTo("rw-------");
        java.nio.file.Files.write(TextHashKey.file(queue), new byte[5]);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> TextHashKey.readOrCreate(queue)).hasMessageContaining("expected 32");
    }

    @Test
    void shouldKeepTheInputDigestApartFromTextHashesComputedMeanwhile() {
        String alone = derived.input().message("user", "hi", null, null).hash();
        DerivedValues.InputDigest d = derived.input().message("user", "hi", null, null);
        derived.textHash("something else");
        assertThat(d.hash()).isEqualTo(alone);
        assertThat(derived.input().message("user", "hi", "n", null).hash()).isNotEqualTo(alone);
    }

    @Test
    void shouldCountJavaCharsOfTheContents() {
        DerivedValues.InputDigest d = derived.input().message("user", "😀é", null, null).message("assistant", null, null, null);
        assertThat(d.chars()).isEqualTo(3);
        assertThat(DerivedValues.chars(null)).isZero();
    }

    @Test
    void shouldPartitionByUtcDateAndPutCallsWithoutStartTimeOnTheEpochDay() {
        assertThat(DerivedValues.date(1_795_132_800_123_456L)).isEqualTo(LocalDate.of(2026, 11, 20));
        assertThat(DerivedValues.date(-1L)).isEqualTo(LocalDate.of(1969, 12, 31));
        assertThat(DerivedValues.date(null)).isEqualTo(LocalDate.of(1970, 1, 1));
        assertThat(DerivedValues.epochDay(null)).isZero();
    }

    @Test
    void shouldTakeTheSamplingHashFromTheFirstEightBytesBigEndian() {
        // SHA-256("abc") starts ba7816bf8f01cfea
        assertThat(derived.samplingHash("abc")).isEqualTo(0xba7816bf8f01cfeaL);
    }

    @Test
    void shouldReadTheMillisecondsOfAUuidV7AndRejectOtherIds() {
        // 0x01a1f640bc28 ms = 1795132800040 = 2026-11-20T00:00:00.040Z
        assertThat(DerivedValues.uuidV7Millis("01a1f640-bc28-7abc-8def-0123456789ab")).isEqualTo(1_795_132_800_040L);
        assertThat(DerivedValues.date(DerivedValues.uuidV7Millis("01a1f640-bc28-7abc-8def-0123456789ab") * 1000))
                .isEqualTo(LocalDate.of(2026, 11, 20));
        assertThat(DerivedValues.uuidV7Millis("019c9f5d-1f28-4abc-8def-0123456789ab")).as("version 4").isEqualTo(-1);
        assertThat(DerivedValues.uuidV7Millis("019c9f5d-1f2x-7abc-8def-0123456789ab")).isEqualTo(-1);
        assertThat(DerivedValues.uuidV7Millis("c-1")).isEqualTo(-1);
        assertThat(DerivedValues.uuidV7Millis(null)).isEqualTo(-1);
    }
}
