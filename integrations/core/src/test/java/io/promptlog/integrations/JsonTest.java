package io.promptlog.integrations;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(30)
class JsonTest {

    @Test
    void shouldParseProviderShapedJsonAndWriteItBackCompactly() {
        String text = "{ \"id\" : \"x\", \"n\": -12, \"t\": 0.5, \"big\": 12345678901234567890, \"e\": 1e3,"
                + " \"ok\": true, \"no\": false, \"nil\": null, \"list\": [1, \"a\\n\\u00e9\\ud83d\\ude00\", {}], \"o\": {\"k\": []} }";
        Object v = Json.parse(text);
        Map<String, Object> m = Json.obj(v);
        assertThat(m).containsEntry("id", "x").containsEntry("n", -12L).containsEntry("t", 0.5)
                .containsEntry("big", 1.2345678901234567e19).containsEntry("e", 1000.0).containsEntry("ok", true)
                .containsEntry("nil", null);
        assertThat(Json.arr(m, "list")).containsExactly(1L, "a\né\uD83D\uDE00", Map.of());
        assertThat(Json.write(v)).isEqualTo("{\"id\":\"x\",\"n\":-12,\"t\":0.5,\"big\":1.2345678901234567E19,\"e\":1000.0,"
                + "\"ok\":true,\"no\":false,\"nil\":null,\"list\":[1,\"a\\né\uD83D\uDE00\",{}],\"o\":{\"k\":[]}}");
        assertThat(Json.parse(Json.write(v))).isEqualTo(v);
    }

    @Test
    void shouldRejectMalformedJsonSayingWhereAndWhat() {
        assertThatThrownBy(() -> Json.parse("{\"a\": }")).hasMessage("invalid JSON: expected a value at character 6, found '}'");
        assertThatThrownBy(() -> Json.parse("[1, 2")).hasMessage("invalid JSON: expected ']' at character 5, found end of input");
        assertThatThrownBy(() -> Json.parse("{} x")).hasMessageContaining("expected end of input at character 3");
        assertThatThrownBy(() -> Json.parse("<html>")).hasMessageContaining("expected a value at character 0");
        assertThat(Json.tryParse("nope")).isNull();
        String deep = "[".repeat(600) + "]".repeat(600);
        assertThatThrownBy(() -> Json.parse(deep)).hasMessageContaining("nesting of at most 512 levels");
    }

    @Test
    void shouldSplitServerSentEventsByTheWhatwgRules() {
        List<String> seen = new ArrayList<>();
        boolean bad = Sse.parse(": comment\r\nevent: a\r\ndata: {\"x\":1}\r\n\r\ndata: line1\ndata:line2\n\nid: 3\ndata: tail",
                (name, data) -> seen.add(name + "|" + data));
        assertThat(bad).isFalse();
        assertThat(seen).containsExactly("a|{\"x\":1}", "null|line1\nline2", "null|tail");
        assertThat(Sse.parse("data: {bad\n\n", (n, d) -> Json.parse(d))).isTrue();
    }
}
