package io.promptlog.reader;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(120)
class ParameterisedQueryTest {
    @TempDir
    Path home;

    @Test
    void shouldBindValuesAsParametersSoQuotesAndSqlInThemAreJustText() throws Exception {
        String id = "c-'it''s'; DROP VIEW calls; --";
        TestHomes.append(home, TestHomes.everyFieldCall().toBuilder().callId(id).build(),
                TestHomes.everyFieldCall().toBuilder().callId("c-2").requestModel("o'model").build());
        TestHomes.compact(home, "all", "none");
        try (PromptLogReader r = PromptLogReader.openHome(home)) {
            assertThat(r.requireCall(id).call().callId()).isEqualTo(id);
            assertThat(r.sql("SELECT call_id FROM calls WHERE request_model = ? AND duration_us > ?", "o'model", 0L).rows())
                    .containsExactly(List.of("c-2"));
            assertThat(r.sql("SELECT count(*) FROM calls WHERE request_model = ?", "x' OR '1'='1").scalar()).isEqualTo(0L);
            List<String> seen = new ArrayList<>();
            r.forEachCall("request_model = ?", s -> seen.add(s.call().callId()), "gpt-4o");
            assertThat(seen).containsExactly(id);
            List<Object> each = new ArrayList<>();
            r.sqlEach("SELECT count(*) FROM calls WHERE call_id IN (?, ?)", row -> each.add(row.getLong(1)), id, "c-2");
            assertThat(each).containsExactly(2L);
            assertThat(r.sql("SELECT count(*) FROM calls").scalar()).as("the view survived").isEqualTo(2L);
        }
    }

    @Test
    void shouldFailWithAClearMessageWhenAParameterIsMissing() throws Exception {
        TestHomes.append(home, TestHomes.everyFieldCall());
        try (PromptLogReader r = PromptLogReader.openHome(home)) {
            assertThatThrownBy(() -> r.sql("SELECT count(*) FROM calls WHERE call_id = ? AND host = ?", "c-1"))
                    .isInstanceOf(PromptLogReaderException.class).hasMessageContaining("2 parameter(s)").hasMessageContaining("1 value(s)");
            assertThatThrownBy(() -> r.sql("SELECT count(*) FROM calls WHERE call_id = ?", "c-1", "extra"))
                    .isInstanceOf(PromptLogReaderException.class).hasMessageContaining("1 parameter(s)");
            assertThat(r.sql("SELECT count(*) FROM calls WHERE call_id = ?", "c-1").scalar()).isEqualTo(1L);
        }
    }
}
