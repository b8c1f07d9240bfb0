package io.promptlog.reader.internal;

import io.promptlog.format.DatasetSchema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(60)
class TextLocationsTest {
    private static final DatasetSchema.TextTable PROMPTS = DatasetSchema.SYSTEM_PROMPTS;

    @TempDir
    Path dir;

    @Test
    void shouldKeepAtMostItsEntryCountDroppingTheLeastRecentlyUsed() throws Exception {
        Path file = Files.writeString(dir.resolve("a.parquet"), "x");
        TextLocations t = new TextLocations();
        t.put(PROMPTS, "h0", file, TextLocations.attributes(file), "text 0");
        for (int i = 1; i < TextLocations.MAX_ENTRIES + 100; i++) {
            t.put(PROMPTS, "h" + i, file, TextLocations.attributes(file), "text " + i);
            assertThat(t.text(PROMPTS, "h0", List.of(file))).as("h0 used after each put").isEqualTo("text 0");
        }
        assertThat(t.size()).isEqualTo(TextLocations.MAX_ENTRIES);
        assertThat(t.text(PROMPTS, "h1", List.of(file))).as("the least recently used went first").isNull();
        assertThat(t.text(PROMPTS, "h" + (TextLocations.MAX_ENTRIES + 99), List.of(file))).isNotNull();
    }

    @Test
    void shouldKeepAtMostItsCharCount() throws Exception {
        Path file = Files.writeString(dir.resolve("a.parquet"), "x");
        TextLocations t = new TextLocations();
        String big = "p".repeat((int) (TextLocations.MAX_CHARS / 3));
        for (int i = 0; i < 4; i++) {
            t.put(PROMPTS, "h" + i, file, TextLocations.attributes(file), big + i);
        }
        assertThat(t.size()).isEqualTo(2);
        assertThat(t.text(PROMPTS, "h0", List.of(file))).isNull();
        assertThat(t.text(PROMPTS, "h3", List.of(file))).isEqualTo(big + 3);
        t.put(PROMPTS, "huge", file, TextLocations.attributes(file), "q".repeat((int) TextLocations.MAX_CHARS + 1));
        assertThat(t.text(PROMPTS, "huge", List.of(file))).as("a text larger than the bound is not kept").isNull();
    }

    @Test
    void shouldForgetATextWhoseFileChangedOrLeftTheListing() throws Exception {
        Path file = Files.writeString(dir.resolve("a.parquet"), "x");
        TextLocations t = new TextLocations();
        t.put(PROMPTS, "h", file, TextLocations.attributes(file), "text");
        assertThat(t.text(DatasetSchema.TOOL_DEFINITIONS, "h", List.of(file))).as("per table").isNull();
        assertThat(t.text(PROMPTS, "h", List.of())).as("file not listed").isNull();
        t.put(PROMPTS, "h", file, TextLocations.attributes(file), "text");
        Files.writeString(file, "rewritten");
        assertThat(t.text(PROMPTS, "h", List.of(file))).as("file changed").isNull();
        assertThat(t.size()).isZero();
    }
}
