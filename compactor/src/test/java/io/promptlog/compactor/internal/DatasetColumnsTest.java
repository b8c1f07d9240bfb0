package io.promptlog.compactor.internal;

import io.promptlog.format.Column;
import io.promptlog.format.DatasetSchema;
import io.promptlog.writer.CallField;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The writer's call schema and the dataset's columns describe two formats; this keeps them in step. */
@Timeout(10)
class DatasetColumnsTest {
    @Test
    void shouldStoreEveryLoggedCallFieldExceptTheDeduplicatedTextsInItsOwnColumn() {
        List<String> logged = DatasetSchema.CALLS.stream().filter(c -> c.origin() == Column.Origin.LOGGED)
                .map(Column::name).toList();
        List<String> fields = CallField.all().stream().filter(f -> f != CallField.SYSTEM_PROMPT && f != CallField.TOOLS)
                .map(CallField::column).toList();
        assertThat(logged).as("a new CallField needs a dataset column (and DatasetSchema.VERSION + 1)")
                .containsExactlyElementsOf(fields);
        for (Column c : DatasetSchema.CALLS) {
            if (c.origin() == Column.Origin.LOGGED) {
                assertThat(CallsWriteSupport.loggedField(c).column()).isEqualTo(c.name());
            } else {
                assertThat(CallsWriteSupport.valueOf(c)).as(c.name()).isNotNull();
            }
        }
    }
}
