package io.promptlog.reader;

import io.promptlog.writer.CallField;
import io.promptlog.writer.LlmCall;
import io.promptlog.writer.Message;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(30)
class CanonicalJsonTest {

    static LlmCall everyField() {
        return TestHomes.everyFieldCall();
    }

    @Test
    void shouldRoundTripEveryFieldType() {
        LlmCall c = everyField().toBuilder().noText().build();
        for (CallField f : CallField.all()) {
            assertThat(c.get(f)).as(f.column()).isNotNull();
        }
        String json = CanonicalJson.write(c);
        assertThat(json).contains("\"start_time\":\"2026-11-20T00:00:00.123456Z\"").contains("\"truncated\":true")
                .startsWith("{\"call_id\":\"c-1\",\"trace_id\"");
        assertThat(CanonicalJson.parse(json)).isEqualTo(c);
    }

    @Test
    void shouldOmitAbsentValuesAndFalseTruncation() {
        String json = CanonicalJson.write(LlmCall.builder().callId("x").requestModel("m").build());
        assertThat(json).isEqualTo("{\"call_id\":\"x\",\"request_model\":\"m\"}");
        assertThat(CanonicalJson.parse("{\"call_id\":\"x\"}")).isEqualTo(LlmCall.builder().callId("x").build());
    }

    @Test
    void shouldExplainWhatIsWrongWithABadLine() {
        assertThatThrownBy(() -> CanonicalJson.parse("{\"call_id\": 5}")).hasMessage("call_id must be a string, got 5");
        assertThatThrownBy(() -> CanonicalJson.parse("{\"colour\": \"red\"}")).hasMessage("unknown field \"colour\"");
        assertThatThrownBy(() -> CanonicalJson.parse("{\"start_time\": \"yesterday\"}"))
                .hasMessage("start_time: not an RFC 3339 timestamp: \"yesterday\"");
        assertThatThrownBy(() -> CanonicalJson.parse("{\"messages\": [{\"content\": \"x\"}]}"))
                .hasMessage("messages[0].role must be a string");
        assertThatThrownBy(() -> CanonicalJson.parse("{\"input_tokens\": 1.5}")).hasMessageContaining("input_tokens must be a 64-bit integer");
        assertThatThrownBy(() -> CanonicalJson.parse("[1]")).hasMessage("not a JSON object");
        assertThatThrownBy(() -> CanonicalJson.parse("{\"call_id\": ")).hasMessageStartingWith("not valid JSON");
    }

    @Test
    void shouldFormatAndParseTimestampsWithMicroseconds() {
        assertThat(Timestamps.format(0)).isEqualTo("1970-01-01T00:00:00.000000Z");
        assertThat(Timestamps.format(-1)).isEqualTo("1969-12-31T23:59:59.999999Z");
        assertThat(Timestamps.parseMicros("2026-11-27T17:04:05.123456+01:00")).isEqualTo(
                Timestamps.parseMicros("2026-11-27T16:04:05.123456Z"));
        assertThatThrownBy(() -> Timestamps.parseMicros("2026-11-27T16:04:05.1234567Z")).hasMessageContaining("finer than a microsecond");
    }
}
