package io.promptlog.compactor.internal;

import io.promptlog.format.DatasetSchema;
import io.promptlog.format.ParquetFooter;
import io.promptlog.writer.PrivateFiles;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.conf.ParquetConfiguration;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.io.PositionOutputStream;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Writes the dataset's Parquet files with parquet-java and no Hadoop at run time ({@link LocalOutputFile},
 * {@link PlainParquetConfiguration}, {@link ZstdCodecFactory}), and reads back a file's key-value footer
 * metadata by parsing the footer directly.
 */
public final class ParquetFiles {
    /** Cap of a merged file's dictionary page (a Parquet page size is an int; readers hold one in memory). */
    static final long MAX_DICTIONARY_PAGE_BYTES = 256L * 1024 * 1024;

    private ParquetFiles() {
    }

    /** Writes rows (already sorted) to {@code file} (overwritten; mode 0600 from its creation) and fsyncs it. */
    public static void writeCalls(Path file, List<CompactedCall> rows, Map<String, String> metadata,
                                  int zstdLevel, long rowGroupBytes) throws IOException {
        PrivateFiles.createFile(file);
        Builder<CompactedCall> b = callsBuilder(file, new CallsWriteSupport(metadata), zstdLevel, rowGroupBytes, rows.size());
        try (ParquetWriter<CompactedCall> w = b.build()) {
            for (CompactedCall r : rows) {
                w.write(r);
            }
        } catch (IOException e) {
            throw b.failed(e);
        }
        CrashPoints.reached(CrashPoints.TEMP_WRITTEN);
        Durable.fsync(file);
        CrashPoints.reached(CrashPoints.TEMP_FSYNCED);
    }

    /**
     * The writer settings of a calls file: zstd, dictionaries, statistics (but on free text and hashes:
     * {@link DatasetSchema#noStatisticsPaths()}), a bloom filter on call_id sized to rows.
     */
    static <T> Builder<T> callsBuilder(Path file, WriteSupport<T> support, int zstdLevel, long rowGroupBytes, long rows) {
        Builder<T> b = new Builder<>(file, support)
                .withConf(new PlainParquetConfiguration())
                .withCodecFactory(new ZstdCodecFactory(zstdLevel))
                .withCompressionCodec(CompressionCodecName.ZSTD)
                .withWriteMode(ParquetFileWriter.Mode.OVERWRITE)
                .withRowGroupSize(rowGroupBytes)
                .withDictionaryEncoding(true)
                .withStatisticsEnabled(true)
                // the per-page histograms of value sizes (Parquet 2.10 SizeStatistics): a reader planning
                // memory may use them, DuckDB and Spark do not; 2.4% of compaction CPU (JFR, 20k calls)
                .withSizeStatisticsEnabled(false)
                .withBloomFilterEnabled(DatasetSchema.BLOOM_COLUMN, true)
                // sized to this file's rows (one row group unless rowGroupBytes is exceeded)
                .withBloomFilterNDV(DatasetSchema.BLOOM_COLUMN, Math.max(1, rows))
                .withBloomFilterFPP(DatasetSchema.BLOOM_COLUMN, 0.01);
        for (String c : DatasetSchema.noDictionaryPaths()) {
            b.withDictionaryEncoding(c, false);
        }
        for (String c : DatasetSchema.noStatisticsPaths()) {
            b.withStatisticsEnabled(c, false);
        }
        return b;
    }

    /**
     * The writer settings of a merged calls file ({@code DatasetLayout}, "Merged days"): those of a batch
     * file ({@link #callsBuilder}) at the merge's zstd level, plus dictionary encoding of
     * {@link DatasetSchema#mergedDictionaryPaths()} with a dictionary allowed to grow to a row group's size.
     */
    static <T> Builder<T> mergedCallsBuilder(Path file, WriteSupport<T> support, int zstdLevel, long rowGroupBytes, long rows) {
        Builder<T> b = callsBuilder(file, support, zstdLevel, rowGroupBytes, rows)
                .withDictionaryPageSize((int) Math.min(rowGroupBytes, MAX_DICTIONARY_PAGE_BYTES));
        for (String c : DatasetSchema.mergedDictionaryPaths()) {
            b.withDictionaryEncoding(c, true);
        }
        return b;
    }

    /**
     * The writer settings of a text table file: zstd, no dictionaries (every value is distinct), statistics,
     * and a bloom filter on the hash column sized to {@code rows}, so a lookup of one text by its hash skips
     * every other file's row groups without reading their hashes ({@link DatasetSchema.TextTable}).
     */
    static <T> Builder<T> textsBuilder(Path file, WriteSupport<T> support, int zstdLevel, String hashColumn, long rows) {
        return new Builder<>(file, support)
                .withConf(new PlainParquetConfiguration())
                .withCodecFactory(new ZstdCodecFactory(zstdLevel))
                .withCompressionCodec(CompressionCodecName.ZSTD)
                .withWriteMode(ParquetFileWriter.Mode.OVERWRITE)
                .withDictionaryEncoding(false)
                .withStatisticsEnabled(true)
                .withBloomFilterEnabled(hashColumn, true)
                .withBloomFilterNDV(hashColumn, Math.max(1, rows))
                .withBloomFilterFPP(hashColumn, 0.01);
    }

    /** Writes one text table file (system prompts or tool definitions) and fsyncs it. */
    public static void writeTexts(Path file, DatasetSchema.TextTable table, List<TextEntry> rows,
                                  Map<String, String> metadata, int zstdLevel) throws IOException {
        PrivateFiles.createFile(file);
        Builder<TextEntry> b = textsBuilder(file, new TextWriteSupport(table.parquetSchema(), metadata), zstdLevel,
                table.hashColumn(), rows.size());
        try (ParquetWriter<TextEntry> w = b.build()) {
            for (TextEntry r : rows) {
                w.write(r);
            }
        } catch (IOException e) {
            throw b.failed(e);
        }
        CrashPoints.reached(CrashPoints.TEMP_WRITTEN);
        Durable.fsync(file);
        CrashPoints.reached(CrashPoints.TEMP_FSYNCED);
    }

    /**
     * The error to report when writing {@code file} failed with {@code e}: the file named, and the underlying cause
     * (a full disk: "No space left on device"). parquet-java reports a failed footer or page header write as
     * {@code "can not write FileMetaData(...)"} with the whole structure in the message: tens of KB, and the
     * column statistics in it hold stored values (call ids, user ids, prompt text), which must not reach error
     * messages, stats or logs. So the cause chain is cut at the first such wrapper.
     */
    static IOException writeFailed(Path file, IOException e) {
        Throwable cause = e;
        while (cause.getMessage() != null && cause.getMessage().startsWith("can not write ") && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause.getMessage() != null && cause.getMessage().startsWith("can not write ")) {
            return new IOException("cannot write " + file + ": the Parquet writer failed");
        }
        return new IOException("cannot write " + file + ": " + cause.getMessage(), cause);
    }

    /** The key-value metadata in a Parquet file's footer ({@link ParquetFooter}). */
    public static Map<String, String> footerMetadata(Path file) throws IOException {
        return ParquetFooter.read(file).keyValueMetadata();
    }

    /**
     * A ParquetWriter builder for a given WriteSupport instance, writing {@code file}. When a write fails, call
     * {@link #failed}: parquet-java 1.18.1 never closes its output stream once a write has failed
     * ({@code ParquetFileWriter.abort()} marks it aborted and {@code close()} then skips the stream), so the
     * descriptor, and the disk blocks of the temp file deleted after the failure, stayed until a GC happened
     * to collect the stream: on a full disk, the very space a retry needs.
     */
    static final class Builder<T> extends ParquetWriter.Builder<T, Builder<T>> {
        private final WriteSupport<T> writeSupport;
        private final Path file;
        private final OwnedOutputFile out;

        Builder(Path file, WriteSupport<T> writeSupport) {
            this(file, new OwnedOutputFile(new LocalOutputFile(file)), writeSupport);
        }

        private Builder(Path file, OwnedOutputFile out, WriteSupport<T> writeSupport) {
            super(out);
            this.file = file;
            this.out = out;
            this.writeSupport = writeSupport;
        }

        /** Closes the file's stream if a writer built here left it open; returns the error to report ({@link #writeFailed}). */
        IOException failed(IOException e) {
            out.closeQuietly();
            return writeFailed(file, e);
        }

        /** Closes the file's stream if a writer built here left it open (a writer given up after a failure). */
        void closeQuietly() {
            out.closeQuietly();
        }

        @Override
        protected Builder<T> self() {
            return this;
        }

        @Override
        protected WriteSupport<T> getWriteSupport(Configuration conf) {
            return writeSupport;
        }

        @Override
        protected WriteSupport<T> getWriteSupport(ParquetConfiguration conf) {
            return writeSupport;
        }
    }

    /** An {@link OutputFile} that remembers the stream it opened, so {@link Builder#failed} can close it. */
    private static final class OwnedOutputFile implements OutputFile {
        private final OutputFile delegate;
        private PositionOutputStream stream;

        OwnedOutputFile(OutputFile delegate) {
            this.delegate = delegate;
        }

        @Override
        public PositionOutputStream create(long blockSizeHint) throws IOException {
            stream = delegate.create(blockSizeHint);
            return stream;
        }

        @Override
        public PositionOutputStream createOrOverwrite(long blockSizeHint) throws IOException {
            stream = delegate.createOrOverwrite(blockSizeHint);
            return stream;
        }

        @Override
        public boolean supportsBlockSize() {
            return delegate.supportsBlockSize();
        }

        @Override
        public long defaultBlockSize() {
            return delegate.defaultBlockSize();
        }

        @Override
        public String getPath() {
            return delegate.getPath();
        }

        void closeQuietly() {
            PositionOutputStream s = stream;
            if (s != null) {
                try {
                    s.close(); // buffered bytes may fail to flush (the disk is full): the descriptor is closed all the same
                } catch (IOException | RuntimeException e) {
                    // the file is deleted by the caller or by recovery
                }
            }
        }
    }
}
