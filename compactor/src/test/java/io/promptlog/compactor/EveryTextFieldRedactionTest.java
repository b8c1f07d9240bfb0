package io.promptlog.compactor;

import io.promptlog.compactor.internal.RedactedFields;
import io.promptlog.writer.CallField;
import io.promptlog.writer.LlmCall;
import io.promptlog.writer.Message;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every text-bearing field of the schema except the identifiers reaches Parquet redacted, with the default
 * policy; the list comes from the schema, so a text field added later is covered by this test unchanged.
 */
@Timeout(120)
class EveryTextFieldRedactionTest {
    /** One secret per detector family; none may be found anywhere in the dataset. */
    private static final String[] SECRETS = {"leak.me@corp.example", "AKIAIOSFODNN7EXAMPLE",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "Hunter2xyz", "4111 1111 1111 1111", "DE89 3704 0044 0532 0130 00"};
    private static final String DIRTY = "mail leak.me@corp.example key AKIAIOSFODNN7EXAMPLE / "
            + "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY password=Hunter2xyz card 4111 1111 1111 1111 "
            + "iban DE89 3704 0044 0532 0130 00";

    @Test
    void shouldStoreIdentifiersAsGivenAndRedactEveryOtherTextField() {
        assertThat(RedactedFields.IDENTIFIERS).isEqualTo(EnumSet.of(CallField.CALL_ID, CallField.TRACE_ID,
                CallField.SPAN_ID, CallField.PARENT_SPAN_ID, CallField.SESSION_ID, CallField.USER_ID,
                CallField.RESPONSE_ID, CallField.PROVIDER_REQUEST_ID, CallField.REPLAY_OF));
        for (CallField f : CallField.all()) {
            boolean text = RedactedFields.isTextType(f.type());
            assertThat(RedactedFields.redacted().contains(f)).as(f.column())
                    .isEqualTo(text && !RedactedFields.IDENTIFIERS.contains(f));
        }
        assertThat(RedactedFields.redacted()).contains(CallField.ERROR_MESSAGE, CallField.ATTRIBUTES, CallField.TOOLS,
                CallField.PARAMS, CallField.STOP_SEQUENCES, CallField.FLAG_REASON, CallField.SYSTEM_PROMPT,
                CallField.MESSAGES, CallField.RESPONSE, CallField.RESPONSE_TOOL_CALLS);
    }

    @Test
    void shouldLeaveNoSecretInAnyRedactedFieldOfAnyTable(@TempDir Path home) throws Exception {
        List<LlmCall> calls = new ArrayList<>();
        int seq = 0;
        for (CallField f : RedactedFields.redacted()) {
            LlmCall.Builder b = TestCalls.everyField(seq).toBuilder().callId("c-" + f.column());
            b.set(f, dirtyValue(f));
            calls.add(b.build());
            seq++;
        }
        RetentionAndRedactionCompactionTest.log(home, calls);
        try (Compactor c = Compactor.open(CompactorConfig.builder(home).retention(RetentionPolicy.all()).build())) {
            c.runOnce();
        }
        try (DuckDataset d = new DuckDataset(home.resolve("data"))) {
            List<Object> rows = d.column("SELECT CAST(c AS VARCHAR) FROM calls c ORDER BY call_id");
            rows.addAll(d.column("SELECT CAST(s AS VARCHAR) FROM system_prompts s"));
            rows.addAll(d.column("SELECT CAST(t AS VARCHAR) FROM tool_definitions t"));
            assertThat(rows).hasSizeGreaterThan(calls.size());
            for (Object row : rows) {
                for (String secret : SECRETS) {
                    assertThat(row.toString()).as("stored row").doesNotContain(secret);
                }
            }
            for (CallField f : RedactedFields.redacted()) {
                long redactions = d.count("SELECT redactions FROM calls WHERE call_id = 'c-" + f.column() + "'");
                assertThat(redactions).as("redactions of the call with secrets in %s", f.column()).isGreaterThanOrEqualTo(6);
            }
            assertThat(d.column("SELECT error_message FROM calls WHERE call_id = 'c-error_message'").get(0).toString())
                    .contains("[EMAIL]", "[API_KEY]", "[AWS_SECRET_KEY]", "password=[SECRET]", "[CREDIT_CARD]", "[IBAN]");
        }
    }

    @Test
    void shouldKeyTheHashesOfLoggedTextSoARedactedSecretCannotBeGuessed(@TempDir Path home) throws Exception {
        String card = "4111 1111 1111 1111";
        List<Message> msgs = List.of(Message.of("user", "my card is " + card));
        LlmCall a = LlmCall.builder().callId("a").startTimeMicros(TestCalls.BASE_MICROS).messages(msgs)
                .response("card " + card + " noted").status("ok").build();
        LlmCall b = a.toBuilder().callId("b").build();
        RetentionAndRedactionCompactionTest.log(home, List.of(a, b));
        try (Compactor c = Compactor.open(CompactorConfig.builder(home).retention(RetentionPolicy.all()).build())) {
            c.runOnce();
        }
        Path key = home.resolve("queue").resolve("text-hash.key");
        assertThat(Files.size(key)).isEqualTo(32);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).isEqualTo("rw-------");
        try (DuckDataset d = new DuckDataset(home.resolve("data"))) {
            List<Map<String, Object>> rows = d.rows("SELECT messages[1].content m, input_hash, output_hash FROM calls ORDER BY call_id");
            assertThat(rows.get(0).get("m")).isEqualTo("my card is [CREDIT_CARD]");
            // equal texts still hash equal (grouping works) ...
            assertThat(rows.get(0).get("input_hash")).isEqualTo(rows.get(1).get("input_hash"));
            assertThat(rows.get(0).get("output_hash")).isEqualTo(rows.get(1).get("output_hash"));
            // ... but a reader of the dataset trying every card number against SHA-256 finds none: the hash is keyed
            String stored = (String) rows.get(0).get("input_hash");
            String storedOut = (String) rows.get(0).get("output_hash");
            for (String guess : List.of("4111 1111 1111 1111", "4242 4242 4242 4242", "5500 0000 0000 0004")) {
                List<Message> guessed = List.of(Message.of("user", "my card is " + guess));
                assertThat(sha256(TestCalls.messagesBytes(guessed))).isNotEqualTo(stored);
                assertThat(sha256(("card " + guess + " noted").getBytes(StandardCharsets.UTF_8))).isNotEqualTo(storedOut);
            }
            // only the home's key reproduces it, and the key is not in the dataset directory
            assertThat(TestCalls.messagesHash(home, msgs)).isEqualTo(stored);
            try (var files = Files.walk(home.resolve("data"))) {
                assertThat(files.filter(p -> p.getFileName().toString().contains("key")).toList()).isEmpty();
            }
        }
    }

    private static Object dirtyValue(CallField f) {
        return switch (f.type()) {
            case STRING -> DIRTY;
            case STRING_LIST -> List.of("stop", DIRTY);
            case ATTRIBUTES -> {
                Map<String, String> m = new LinkedHashMap<>();
                m.put("tenant", "t1");
                m.put("note", DIRTY);
                yield m;
            }
            case MESSAGES -> List.of(new Message("user", DIRTY, null, null), new Message("assistant", "ok", null, null));
            default -> throw new IllegalArgumentException(f + " is not a text field");
        };
    }

    private static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }
}
