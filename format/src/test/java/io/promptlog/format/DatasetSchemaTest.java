package io.promptlog.format;

import org.apache.parquet.schema.Type;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(10)
class DatasetSchemaTest {
    @Test
    void shouldDeriveTheParquetSchemaFromTheColumnsInOrder() {
        List<Type> fields = DatasetSchema.CALLS_PARQUET.getFields();
        assertThat(fields).hasSize(DatasetSchema.CALLS.size());
        for (int i = 0; i < fields.size(); i++) {
            Column c = DatasetSchema.CALLS.get(i);
            assertThat(fields.get(i).getName()).isEqualTo(c.name());
            assertThat(fields.get(i).isRepetition(Type.Repetition.REQUIRED)).as(c.name()).isEqualTo(c.required());
        }
    }

    @Test
    void shouldNameEveryColumnOnceAndKeepThePartitionOutOfTheFiles() {
        Set<String> names = new HashSet<>();
        for (Column c : DatasetSchema.CALLS_VIEW) {
            assertThat(names.add(c.name())).as("duplicate column %s", c.name()).isTrue();
        }
        assertThat(DatasetSchema.CALLS_VIEW.get(DatasetSchema.CALLS_VIEW.size() - 1)).isEqualTo(DatasetSchema.DATE_PARTITION);
        assertThat(DatasetSchema.CALLS_PARQUET.containsField(DatasetSchema.DATE)).isFalse();
        assertThat(DatasetSchema.callsColumn(DatasetSchema.CALL_ID).origin()).isEqualTo(Column.Origin.LOGGED);
        assertThat(DatasetSchema.callsColumn("no_such_column")).isNull();
    }

    @Test
    void shouldTurnDictionaryEncodingOffForNearUniqueColumnsOnly() {
        assertThat(DatasetSchema.noDictionaryPaths()).contains(DatasetSchema.CALL_ID, "messages.list.element.content",
                DatasetSchema.INPUT_HASH, DatasetSchema.START_TIME).doesNotContain("request_model", DatasetSchema.MESSAGES);
        for (String path : DatasetSchema.noDictionaryPaths()) {
            assertThat(DatasetSchema.CALLS_PARQUET.containsPath(path.split("\\."))).as(path).isTrue();
        }
    }

    @Test
    void shouldDescribeTheTextTablesWithTheirKeys() {
        assertThat(DatasetSchema.SYSTEM_PROMPTS.parquetSchema().getFieldName(0)).isEqualTo(DatasetSchema.SYSTEM_PROMPT_HASH);
        assertThat(DatasetSchema.TOOL_DEFINITIONS.parquetSchema().getFieldName(0)).isEqualTo(DatasetSchema.TOOLS_HASH);
        assertThat(DatasetSchema.duckDbColumns(DatasetSchema.SYSTEM_PROMPTS.columns())).isEqualTo(
                "\"system_prompt_hash\" VARCHAR, \"system_prompt\" VARCHAR, \"chars\" BIGINT, \"first_seen\" TIMESTAMP WITH TIME ZONE");
    }
}
