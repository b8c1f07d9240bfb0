package io.promptlog.compactor;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(30)
class RedactorsTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "mail me at jane.doe+x@example.co.uk today|mail me at [EMAIL] today",
            "call +44 20 7946 0958 now|call [PHONE] now",
            "call (555) 123-4567 now|call [PHONE] now",
            "call 555-123-4567 now|call [PHONE] now",
            "card 4111 1111 1111 1111 ok|card [CREDIT_CARD] ok",
            "card 5500-0000-0000-0004 ok|card [CREDIT_CARD] ok",
            "card 378282246310005 ok|card [CREDIT_CARD] ok",
            "key sk-proj-abcDEF1234567890abcdef12 end|key [API_KEY] end",
            "key sk-ant-api03-abcdefghijklmnopqrstuvwx end|key [API_KEY] end",
            "aws AKIAIOSFODNN7EXAMPLE end|aws [API_KEY] end",
            "gh ghp_abcdefghijklmnopqrstuvwxyz0123456789 end|gh [API_KEY] end",
            "aws ASIAIOSFODNN7EXAMPLE end|aws [API_KEY] end",
            "gh gho_abcdefghijklmnopqrstuvwxyz0123456789 end|gh [API_KEY] end",
            "gh ghu_abcdefghijklmnopqrstuvwxyz0123456789 end|gh [API_KEY] end",
            "gh ghs_abcdefghijklmnopqrstuvwxyz0123456789 end|gh [API_KEY] end",
            "gh ghr_abcdefghijklmnopqrstuvwxyz0123456789 end|gh [API_KEY] end",
            "gh github_pat_11ABCDEFG0123456789_abcdefghij end|gh [API_KEY] end",
            "slack xoxb-1234567890-abcdefghij end|slack [API_KEY] end",
            "slack xoxp-1234567890-abcdefghij end|slack [API_KEY] end",
            "google AIzaSyA1234567890abcdefghijklmnopqrstuv end|google [API_KEY] end",
            "right though ghp_abcdefghijklmnopqrstuvwxyz0123456789|right though [API_KEY]",
            "A big AKIAIOSFODNN7EXAMPLE|A big [API_KEY]",
            "Authorization: Bearer abc.def-123456789012345 end|Authorization: [BEARER_TOKEN] end",
            "jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U end|jwt [JWT] end",
            "secret wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY end|secret [AWS_SECRET_KEY] end",
            "export AWS=je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY;|export AWS=[AWS_SECRET_KEY];",
            "password: hunter2 please|password: [SECRET] please",
            "DB_PASSWORD=s3cr3t!x next|DB_PASSWORD=[SECRET] next",
            "{\"api_key\": \"abc def 123\"}|{\"api_key\": \"[SECRET]\"}",
            "Token = 'Zm9vYmFy'|Token = '[SECRET]'",
            "client_secret=xyz123&grant=1|client_secret=[SECRET]&grant=1",
            "Authorization: Basic dXNlcjpwYXNz end|Authorization: [SECRET] end",
            "pay to DE89 3704 0044 0532 0130 00 today|pay to [IBAN] today",
            "pay to GB82WEST12345698765432 today|pay to [IBAN] today",
    })
    void shouldReplaceEachBuiltInShapeWithItsTypedPlaceholder(String in, String out) {
        Redactor.Result r = Redactors.defaults().redact(in);
        assertThat(r.text()).isEqualTo(out);
        assertThat(r.replacements()).isEqualTo(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "card 4111 1111 1111 1112 fails Luhn",
            "released 2026-11-27 as version 1.2.3",
            "order #123456 shipped",
            "the year 2026 had 365 days",
            "ip 192.168.1.10 is local",
            "user@localhost is not an address",
            "sk-short is not a key",
            "sha1 2fd4e1c67a2d28fced849ee1bb76e7391b93eb12 is a digest",
            "sha1 2FD4E1C67A2D28FCED849EE1BB76E7391B93EB12 upper digest",
            "almost wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKE is 39",
            "longer wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEYX is 41",
            "path src/main/java/io/promptlog/a/b/Redactors1 is not a key",
            "max_tokens: 512 and input_token: 1234",
            "token count: 5, tokens: 9",
            "password reset link sent",
            "secretary: Jane",
            "password: ab",
            "pay to DE89 3704 0044 0532 0130 01 fails mod-97",
            "model GPT40 0613 is no iban",
            "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkq\n-----END PUBLIC KEY-----",
            "-----BEGIN CERTIFICATE-----\nMIIDdzCCAl+g\n-----END CERTIFICATE-----",
            "Bearer short",
            "A night in Asia: ghosts, xoxo, skies, AKIA and AIza alone",
    })
    void shouldLeaveLookAlikesAlone(String in) {
        Redactor.Result r = Redactors.defaults().redact(in);
        assertThat(r.text()).isEqualTo(in);
        assertThat(r.replacements()).isZero();
    }

    @Test
    void shouldReplaceAWholePrivateKeyBlockAndACutOffOne() {
        String block = "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA1c7+9z5Pad7OejecsQ0bu3aozN3tihPmljnnudb9G3HecdsT\n"
                + "Ue4SRbS7FXC1CY5i4W0rT9e3EzL2v6t+8ABbcS1jI7p5cQ1s1u2t7YS4A0m6yO==\n-----END RSA PRIVATE KEY-----";
        Redactor.Result r = Redactors.defaults().redact("key:\n" + block + "\nthanks");
        assertThat(r.text()).isEqualTo("key:\n[PRIVATE_KEY]\nthanks");
        assertThat(r.replacements()).isEqualTo(1);
        Redactor.Result cut = Redactors.defaults().redact("oops -----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5v");
        assertThat(cut.text()).isEqualTo("oops [PRIVATE_KEY]");
        assertThat(Redactors.privateKeys().redact("-----BEGIN ENCRYPTED PRIVATE KEY-----\nabc\n-----END ENCRYPTED PRIVATE KEY----- x").text())
                .isEqualTo("[PRIVATE_KEY] x");
    }

    @Test
    void shouldFindEachDetectorAloneAsInTheDefaults() {
        assertThat(Redactors.emails().redact("a x@y.io b").text()).isEqualTo("a [EMAIL] b");
        assertThat(Redactors.creditCards().redact("4111111111111111").text()).isEqualTo("[CREDIT_CARD]");
        assertThat(Redactors.phoneNumbers().redact("+1 415 555 0100").text()).isEqualTo("[PHONE]");
        assertThat(Redactors.ibans().redact("FR14 2004 1010 0505 0001 3M02 606").text()).isEqualTo("[IBAN]");
        assertThat(Redactors.awsSecretKeys().redact("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY").text()).isEqualTo("[AWS_SECRET_KEY]");
        assertThat(Redactors.secretPairs().redact("pwd=abcd").text()).isEqualTo("pwd=[SECRET]");
        assertThat(Redactors.jwts().redact("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.dozjgNryP4J3jVmNHl0w5N").text()).isEqualTo("[JWT]");
        assertThat(Redactors.bearerTokens().redact("bearer abcdefghijklmnopqrstuvwxyz").text()).isEqualTo("[BEARER_TOKEN]");
        assertThat(Redactors.apiKeys().redact("AIzaSyA1234567890abcdefghijklmnopqrstuv").text()).isEqualTo("[API_KEY]");
    }

    @Test
    void shouldRedactEverySecretWhenManyAreMixedInOneLongText() {
        StringBuilder in = new StringBuilder();
        StringBuilder want = new StringBuilder();
        for (int i = 0; i < 200; i++) {
            in.append("row ").append(i).append(" mail u").append(i).append("@corp.example card 4111 1111 1111 1111 ")
                    .append("password=pw").append(i).append("xyz; version 1.2.").append(i).append('\n');
            want.append("row ").append(i).append(" mail [EMAIL] card [CREDIT_CARD] ")
                    .append("password=[SECRET]; version 1.2.").append(i).append('\n');
        }
        Redactor.Result r = Redactors.defaults().redact(in.toString());
        assertThat(r.text()).isEqualTo(want.toString());
        assertThat(r.replacements()).isEqualTo(600);
    }

    @Test
    void shouldCountEveryReplacementAcrossRules() {
        Redactor.Result r = Redactors.defaults().redact("a@b.io, c@d.io, +1 415 555 0100 and AKIAIOSFODNN7EXAMPLE");
        assertThat(r.text()).isEqualTo("[EMAIL], [EMAIL], [PHONE] and [API_KEY]");
        assertThat(r.replacements()).isEqualTo(4);
    }

    @Test
    void shouldApplyUserRegexRulesAndChainThemWithTheDefaults() {
        Redactor custom = Redactors.chain(Redactors.defaults(),
                Redactors.regex("[EMPLOYEE_ID]", Pattern.compile("\\bEMP-\\d{6}\\b")));
        Redactor.Result r = custom.redact("EMP-004211 wrote from x@y.com");
        assertThat(r.text()).isEqualTo("[EMPLOYEE_ID] wrote from [EMAIL]");
        assertThat(r.replacements()).isEqualTo(2);
    }

    /**
     * The AWS secret detector probes every 40th char instead of reading every char: it must find exactly
     * what a plain regex over the whole text finds, wherever the run sits (text start and end, runs of
     * 39/40/41, runs split by '=' or a space, several per text).
     */
    @Test
    void shouldFindExactlyTheFortyCharKeysAPlainScanFinds() {
        long seed = System.nanoTime();
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(seed);
        Pattern run = Pattern.compile("(?<![A-Za-z0-9/+])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])");
        String alphabet = "abcXYZ019";
        Redactor aws = Redactors.awsSecretKeys();
        for (int t = 0; t < 3000; t++) {
            StringBuilder sb = new StringBuilder();
            int parts = rnd.nextInt(1, 8);
            for (int p = 0; p < parts; p++) {
                int len = rnd.nextInt(4) == 0 ? rnd.nextInt(38, 43) : rnd.nextInt(0, 90);
                for (int i = 0; i < len; i++) {
                    sb.append(rnd.nextInt(30) == 0 ? (rnd.nextBoolean() ? '/' : '+') : alphabet.charAt(rnd.nextInt(alphabet.length())));
                }
                sb.append(" =\n\u00e9-".charAt(rnd.nextInt(5)));
            }
            String in = sb.substring(0, rnd.nextInt(sb.length() + 1));
            java.util.regex.Matcher m = run.matcher(in);
            StringBuilder want = new StringBuilder();
            int last = 0;
            int n = 0;
            while (m.find()) {
                String g = m.group();
                long symbols = g.chars().filter(c -> c == '/' || c == '+').count();
                if (g.chars().anyMatch(Character::isLowerCase) && g.chars().anyMatch(Character::isUpperCase)
                        && g.chars().anyMatch(Character::isDigit) && symbols <= 4) {
                    want.append(in, last, m.start()).append(Redactors.AWS_SECRET_KEY);
                    last = m.end();
                    n++;
                }
            }
            want.append(in.substring(last));
            Redactor.Result r = aws.redact(in);
            assertThat(r.text()).as("seed %d, text %s", seed, in).isEqualTo(want.toString());
            assertThat(r.replacements()).as("seed %d, text %s", seed, in).isEqualTo(n);
        }
    }

    @Test
    void shouldParseCliNamesAndRejectOthers() {
        assertThat(Redactors.parse("none").redact("a@b.io").text()).isEqualTo("a@b.io");
        assertThat(Redactors.parse("default").redact("a@b.io").text()).isEqualTo("[EMAIL]");
        assertThatThrownBy(() -> Redactors.parse("some")).hasMessageContaining("'some'");
    }
}
