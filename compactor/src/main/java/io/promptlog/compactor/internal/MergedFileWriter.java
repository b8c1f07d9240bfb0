package io.promptlog.compactor.internal;

import io.promptlog.format.DatasetLayout;
import io.promptlog.format.DatasetSchema;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.hadoop.ParquetWriter;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Writes a day merge's rows ({@link DayMerger}) into merged files of about {@code fileBytes} each, every rows
 * chunk sorted by {@code call_id}: each file a 0600 temp, fsynced, renamed to its merged name (the merge's
 * journal names the files written; recovery removes a temp left by a crash).
 */
final class MergedFileWriter {
    private final Path dir;
    private final long seq;
    private final Map<String, String> meta;
    private final int zstdLevel;
    private final long rowGroupBytes;
    private final long fileBytes;
    private final long rowsPerGroup;
    private final Consumer<String> progress;
    final List<String> written = new ArrayList<>();
    private ParquetWriter<ParquetRewrite.Edited> w;
    private ParquetFiles.Builder<ParquetRewrite.Edited> builder;
    private Path tmp;
    private long rows;
    long bytes;

    MergedFileWriter(Path dir, long seq, Map<String, String> meta, int zstdLevel, long rowGroupBytes, long fileBytes,
                     long rowsPerGroup, Consumer<String> progress) {
        this.dir = dir;
        this.zstdLevel = zstdLevel;
        this.rowGroupBytes = rowGroupBytes;
        this.fileBytes = fileBytes;
        this.seq = seq;
        this.meta = meta;
        this.rowsPerGroup = rowsPerGroup;
        this.progress = progress;
    }

    void write(List<Group> chunk) throws IOException {
        if (chunk.isEmpty()) {
            return;
        }
        chunk.sort(Comparator.comparing((Group g) -> {
            String id = Erasure.string(g, DatasetSchema.CALL_ID);
            return id == null ? "" : id;
        }));
        if (w == null) {
            tmp = DatasetLayout.tempFor(dir.resolve(DatasetLayout.mergedName(seq, written.size())));
            io.promptlog.writer.PrivateFiles.createFile(tmp);
            builder = ParquetFiles.mergedCallsBuilder(tmp, new ParquetRewrite.EditedWriteSupport(DatasetSchema.CALLS_PARQUET, meta),
                    zstdLevel, rowGroupBytes, rowsPerGroup);
            w = builder.build();
        }
        try {
            for (Group g : chunk) {
                w.write(new ParquetRewrite.Edited(g, ParquetRewrite.Change.KEEP));
                rows++;
            }
        } catch (IOException e) {
            throw builder.failed(e);
        }
        if (w.getDataSize() >= fileBytes) {
            close();
        }
    }

    private void close() throws IOException {
        try {
            w.close();
        } catch (IOException e) {
            throw builder.failed(e);
        }
        w = null;
        Durable.fsync(tmp);
        String name = DatasetLayout.mergedName(seq, written.size());
        progress.accept("wrote " + tmp.getFileName());
        bytes += Files.size(tmp);
        Durable.rename(tmp, dir.resolve(name));
        Durable.fsyncDirectory(dir);
        written.add(name);
        progress.accept("renamed " + name);
    }

    long finish() throws IOException {
        if (w != null) {
            close();
        }
        return rows;
    }

    void abandon() {
        try {
            if (w != null) {
                w.close();
            }
        } catch (IOException | RuntimeException e) {
            // the temp file is removed below or by recovery
        }
        if (builder != null) {
            builder.closeQuietly();
        }
        try {
            if (tmp != null) {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            // recovery removes it
        }
    }
}
