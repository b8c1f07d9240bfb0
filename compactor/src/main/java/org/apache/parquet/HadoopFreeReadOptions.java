package org.apache.parquet;

import org.apache.parquet.bytes.HeapByteBufferAllocator;
import org.apache.parquet.compression.CompressionCodecFactory;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.filter2.compat.FilterCompat;
import org.apache.parquet.format.converter.ParquetMetadataConverter;

import java.util.Map;

/**
 * {@link ParquetReadOptions} built without Hadoop on the class path. parquet-java 1.18's
 * {@code ParquetReadOptions.Builder} constructor always creates a Hadoop codec factory (so reading fails with
 * {@code NoClassDefFoundError: org/apache/hadoop/...} where the compactor runs without Hadoop), even when a
 * codec factory is given later; this calls the options' own constructor (package-private, hence this
 * package) with the builder's defaults and promptlog's zstd codec factory. Used only by the compactor's
 * Parquet rewrite (erasure, text retention); the CLI's {@code EraseCommandTest} runs it without Hadoop.
 */
public final class HadoopFreeReadOptions {
    private static final int MAX_ALLOCATION_BYTES = 8 * 1024 * 1024;

    private HadoopFreeReadOptions() {
    }

    public static ParquetReadOptions with(CompressionCodecFactory codecs) {
        return new ParquetReadOptions(false, true, true, true, true, false, true, false, false,
                FilterCompat.NOOP, ParquetMetadataConverter.NO_FILTER, codecs, new HeapByteBufferAllocator(),
                MAX_ALLOCATION_BYTES, Map.of(), null, null, new PlainParquetConfiguration());
    }
}
