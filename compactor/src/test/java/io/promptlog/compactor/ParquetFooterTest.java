package io.promptlog.compactor;

import io.promptlog.format.CallsFileListing;
import io.promptlog.format.DatasetSchema;
import io.promptlog.format.ParquetFooter;
import io.promptlog.writer.CallField;
import io.promptlog.writer.LlmCall;
import io.promptlog.writer.PromptLog;
import io.promptlog.writer.PromptLogConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link ParquetFooter} reads the files the compactor writes: the footer's key-value metadata, and the range of
 * {@code start_time} over every row group (the files here have several); a damaged file is an IOException naming
 * it, with none of the file's content in the message.
 */
@Timeout(120)
class ParquetFooterTest {
    private static final String SECRET = "hunter2-secret-text";

    @TempDir
    Path home;

    @Test
    void shouldReadTheStartTimeRangeOverEveryRowGroupAndTheKeyValueMetadata() throws Exception {
        Path file = compactedFile(300, 7);
        ParquetFooter footer = ParquetFooter.read(file);

        assertThat(footer.rows()).isEqualTo(300);
        assertThat(footer.rowGroups()).isGreaterThan(1);
        ParquetFooter.Int64Range range = footer.int64Range(DatasetSchema.START_TIME).orElseThrow();
        assertThat(range.min()).isEqualTo(TestCalls.BASE_MICROS + 7);
        assertThat(range.max()).isEqualTo(TestCalls.BASE_MICROS + 7 + 299 * 1_000_003L);
        assertThat(range.overlaps(range.max(), range.max() + 1)).isTrue();
        assertThat(range.overlaps(range.max() + 1, Long.MAX_VALUE)).isFalse();
        assertThat(range.overlaps(Long.MIN_VALUE, range.min())).isFalse();
        assertThat(footer.int64Range(DatasetSchema.CALL_ID)).as("not an INT64 column").isEmpty();
        assertThat(footer.int64Range("no_such_column")).isEmpty();
        assertThat(footer.keyValueMetadata())
                .containsEntry(DatasetSchema.KEY_LAYOUT_VERSION, Integer.toString(DatasetSchema.VERSION))
                .containsEntry(DatasetSchema.KEY_SCHEMA_VERSION, Integer.toString(CallField.SCHEMA_VERSION));
    }

    @Test
    void shouldNameTheFileAndLeaveItsContentOutWhenTheFooterIsDamaged() throws Exception {
        Path file = compactedFile(20, 0);
        byte[] good = Files.readAllBytes(file);
        int footerLength = ByteBuffer.wrap(good, good.length - 8, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();

        byte[] garbled = good.clone();
        // the footer's first half overwritten by stored text: the decoder must not quote it back
        byte[] junk = SECRET.repeat(footerLength / 2 / SECRET.length() + 1).getBytes();
        System.arraycopy(junk, 0, garbled, good.length - 8 - footerLength, footerLength / 2);
        assertDamaged(file, garbled, "does not decode as Parquet FileMetaData");

        assertDamaged(file, Arrays.copyOf(good, good.length - 3), "does not end with the Parquet magic PAR1");
        byte[] badLength = good.clone();
        ByteBuffer.wrap(badLength, good.length - 8, 4).order(ByteOrder.LITTLE_ENDIAN).putInt(good.length);
        assertDamaged(file, badLength, "has a bad footer length " + good.length);
        assertDamaged(file, "PAR1PAR1".getBytes(), "is 8 bytes: too short for a Parquet file");
        Files.delete(file);
        assertThatThrownBy(() -> ParquetFooter.read(file)).isInstanceOf(IOException.class);
    }

    private static String randomLetters(java.util.SplittableRandom rnd, int n) {
        char[] c = new char[n];
        for (int i = 0; i < n; i++) {
            c[i] = (char) ('a' + rnd.nextInt(26));
        }
        return new String(c);
    }

    private static void assertDamaged(Path file, byte[] content, String message) throws IOException {
        Files.write(file, content);
        assertThatThrownBy(() -> ParquetFooter.read(file)).isInstanceOf(IOException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining(message)
                .satisfies(e -> assertThat(String.valueOf(e.getMessage())).doesNotContain("hunter2"));
    }

    /** One calls file of {@code n} calls (10 KB responses, row groups of 1 MiB), start times from BASE_MICROS + offset. */
    private Path compactedFile(int n, long offsetMicros) throws Exception {
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(42);
        try (PromptLog log = PromptLog.open(PromptLogConfig.builder(home).shardCount(1).backgroundCompaction(false).build())) {
            for (int i = 0; i < n; i++) {
                LlmCall c = TestCalls.everyField(i).toBuilder().startTimeMicros(TestCalls.BASE_MICROS + offsetMicros + i * 1_000_003L)
                        .response(SECRET + i + randomLetters(rnd, 10_000)).build();
                assertThat(log.append(c)).isGreaterThanOrEqualTo(0);
            }
        }
        try (Compactor c = Compactor.open(CompactorConfig.builder(home).retention(RetentionPolicy.all()).rowGroupBytes(1024 * 1024).build())) {
            c.runOnce();
        }
        List<Path> files = CallsFileListing.list(home.resolve("data"));
        assertThat(files).hasSize(1);
        return files.get(0);
    }
}
