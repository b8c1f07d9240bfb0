package io.promptlog.format;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(10)
class CheckpointTest {
    @TempDir
    Path dir;

    @Test
    void shouldReadBackWhatItRenders() throws Exception {
        Path f = dir.resolve("q.checkpoint");
        Files.write(f, Checkpoint.render(Map.of(0, 41L, 3, 0x4a00000007L), "host-1"));
        assertThat(Checkpoint.read(f)).containsExactly(Map.entry(0, 41L), Map.entry(3, 0x4a00000007L));
        assertThat(Checkpoint.read(dir.resolve("absent"))).isEmpty();
    }

    @Test
    void shouldNameTheBadEntryOfACorruptCheckpoint() throws Exception {
        Path f = dir.resolve("q.checkpoint");
        Files.writeString(f, "shard.0=12x\n");
        assertThatThrownBy(() -> Checkpoint.read(f)).isInstanceOf(IOException.class).hasMessageContaining("shard.0=12x");
    }

    @Test
    void shouldReadProgressThroughTheQueueIdAndReportNothingBeforeTheFirstCompaction() throws Exception {
        Path queue = Files.createDirectories(dir.resolve("queue"));
        Path data = dir.resolve("data");
        assertThat(Checkpoint.committed(queue, data)).isEmpty();
        Files.writeString(queue.resolve(Checkpoint.QUEUE_ID_FILE), "00112233445566ff\n");
        Files.createDirectories(DatasetLayout.metaDir(data));
        Files.write(DatasetLayout.checkpointFile(data, "00112233445566ff"), Checkpoint.render(Map.of(1, 9L), "h"));
        assertThat(Checkpoint.committed(queue, data)).containsExactly(Map.entry(1, 9L));
    }

    @Test
    void shouldRejectAMalformedQueueId() throws Exception {
        Path queue = Files.createDirectories(dir.resolve("queue"));
        Files.writeString(queue.resolve(Checkpoint.QUEUE_ID_FILE), "not-hex\n");
        assertThatThrownBy(() -> Checkpoint.committed(queue, dir.resolve("data")))
                .isInstanceOf(UncheckedIOException.class).hasStackTraceContaining("expected 16 lowercase hex digits");
    }
}
