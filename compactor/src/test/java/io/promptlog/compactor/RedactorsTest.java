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
            "Authorization: Bearer abc.def-123456789012345 end|Authorization: [BEARER_TOKEN] end",
            "jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U end|jwt [JWT] end",
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
    })
    void shouldLeaveLookAlikesAlone(String in) {
        Redactor.Result r = Redactors.defaults().redact(in);
        assertThat(r.text()).isEqualTo(in);
        assertThat(r.replacements()).isZero();
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

    @Test
    void shouldParseCliNamesAndRejectOthers() {
        assertThat(Redactors.parse("none").redact("a@b.io").text()).isEqualTo("a@b.io");
        assertThat(Redactors.parse("default").redact("a@b.io").text()).isEqualTo("[EMAIL]");
        assertThatThrownBy(() -> Redactors.parse("some")).hasMessageContaining("'some'");
    }
}
