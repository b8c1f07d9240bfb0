package io.promptlog.reader;

import io.promptlog.format.Column;
import io.promptlog.format.DatasetSchema;
import io.promptlog.reader.internal.LiveArrow;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.Type;
import org.apache.arrow.vector.types.pojo.Field;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Walks the one description of the dataset ({@link DatasetSchema}) and checks that a real Parquet file
 * written by the compactor, the DuckDB views over it and the live view of the queue all agree with it,
 * column by column, type by type, and that a live call and its compacted twin derive the same values.
 */
@Timeout(120)
class DatasetContractTest {
    @TempDir
    Path home;

    @Test
    void shouldWriteParquetFilesWhoseSchemaIsTheDescription() throws Exception {
        TestHomes.append(home, TestHomes.everyFieldCall());
        TestHomes.compact(home, "all", "none");
        Path file = onlyCallsFile();
        try (PromptLogReader r = PromptLogReader.open(home.resolve("data"))) {
            List<String> inFile = new ArrayList<>();
            for (List<Object> row : r.sql("SELECT name, repetition_type, type, converted_type FROM parquet_schema(?)",
                    file.toString()).rows()) {
                inFile.add(row.get(0) + " " + row.get(1) + " " + row.get(2) + " " + row.get(3));
            }
            List<String> described = new ArrayList<>();
            walk(DatasetSchema.CALLS_PARQUET, described);
            // the root element's name is the file's own; compare every column below it
            assertThat(inFile.subList(1, inFile.size())).containsExactlyElementsOf(described.subList(1, described.size()));
        }
    }

    @Test
    void shouldTypeEveryViewColumnAsDescribed() throws Exception {
        TestHomes.append(home, TestHomes.everyFieldCall());
        TestHomes.compact(home, "all", "none");
        TestHomes.append(home, TestHomes.everyFieldCall().toBuilder().callId("c-live").build());
        try (PromptLogReader r = PromptLogReader.openHome(home)) {
            assertThat(r.liveCallCount()).isEqualTo(1);
            List<String> described = DatasetSchema.CALLS_VIEW.stream().map(DatasetContractTest::described).toList();
            assertThat(describe(r, "read_parquet('" + onlyCallsFile().toString().replace("'", "''")
                    + "', hive_partitioning = true, hive_types = {'date': DATE})")).as("DuckDB over the file").isEqualTo(described);
            assertThat(describe(r, "calls_compacted")).as("calls_compacted").isEqualTo(described);
            assertThat(describe(r, "calls_live")).as("calls_live").isEqualTo(described);
            assertThat(describe(r, "calls")).as("calls").isEqualTo(described);
            assertThat(LiveArrow.schema().getFields().stream().map(Field::getName).toList())
                    .as("live Arrow schema").isEqualTo(DatasetSchema.CALLS_VIEW.stream().map(Column::name).toList());
            for (DatasetSchema.TextTable t : List.of(DatasetSchema.SYSTEM_PROMPTS, DatasetSchema.TOOL_DEFINITIONS)) {
                assertThat(describe(r, t.dir())).as(t.dir())
                        .isEqualTo(t.columns().stream().map(DatasetContractTest::described).toList());
            }
        }
    }

    @Test
    void shouldDeriveTheSameValuesForALiveCallAsForItsCompactedTwin() throws Exception {
        TestHomes.append(home, TestHomes.everyFieldCall());
        TestHomes.compact(home, "all", "none");
        TestHomes.append(home, TestHomes.everyFieldCall().toBuilder().callId("c-live").build());
        try (PromptLogReader r = PromptLogReader.openHome(home)) {
            String columns = String.join(", ", DatasetSchema.CALLS_VIEW.stream()
                    .filter(c -> c.origin() != Column.Origin.LOGGED && !c.name().equals(DatasetSchema.RETENTION_REASON))
                    .map(c -> '"' + c.name() + '"').toList());
            List<Object> compacted = r.sql("SELECT " + columns + " FROM calls_compacted WHERE call_id = 'c-1'").rows().get(0);
            List<Object> live = r.sql("SELECT " + columns + " FROM calls_live WHERE call_id = 'c-live'").rows().get(0);
            assertThat(live).isEqualTo(compacted);
            assertThat(r.sql("SELECT retention_reason FROM calls ORDER BY call_id").rows())
                    .containsExactly(List.of("all"), List.of(LiveArrow.LIVE_RETENTION_REASON));
        }
    }

    /** "name TYPE" as DuckDB describes the relation's columns (quotes dropped: it quotes only keywords). */
    private static List<String> describe(PromptLogReader r, String relation) {
        return r.sql("DESCRIBE SELECT * FROM " + relation).rows().stream()
                .map(row -> row.get(0) + " " + row.get(1).toString().replace("\"", "")).toList();
    }

    private static String described(Column c) {
        return c.name() + " " + c.type().duckDbType().replace("\"", "");
    }

    private Path onlyCallsFile() throws Exception {
        try (Stream<Path> s = Files.walk(home.resolve("data").resolve(DatasetSchema.CALLS_DIR))) {
            List<Path> files = s.filter(p -> p.toString().endsWith(".parquet")).toList();
            assertThat(files).hasSize(1);
            return files.get(0);
        }
    }

    /** Depth first, as Parquet's footer lists the schema: "name REPETITION PHYSICAL CONVERTED". */
    private static void walk(Type t, List<String> out) {
        String rep = t instanceof MessageType ? "REQUIRED" : t.getRepetition().name();
        String physical = t.isPrimitive() ? ((PrimitiveType) t).getPrimitiveTypeName().name().replace("BINARY", "BYTE_ARRAY") : null;
        @SuppressWarnings("deprecation")
        String converted = t.getOriginalType() == null ? null : t.getOriginalType().name();
        out.add(t.getName() + " " + rep + " " + physical + " " + converted);
        if (!t.isPrimitive()) {
            for (Type child : ((GroupType) t).getFields()) {
                walk(child, out);
            }
        }
    }
}
