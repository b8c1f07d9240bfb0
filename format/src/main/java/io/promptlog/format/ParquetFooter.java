package io.promptlog.format;

import org.apache.parquet.format.ColumnChunk;
import org.apache.parquet.format.FileMetaData;
import org.apache.parquet.format.KeyValue;
import org.apache.parquet.format.RowGroup;
import org.apache.parquet.format.Statistics;
import org.apache.parquet.format.Type;
import org.apache.parquet.format.Util;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The footer of one Parquet file of the dataset, parsed directly (two reads at the file's end, no Hadoop, no
 * parquet-java reader): its key-value metadata (the compactor's bookkeeping, {@link DatasetSchema}'s
 * {@code KEY_*} names) and the value range of an INT64 column over all row groups (what a lookup needs to
 * skip a file without handing it to a query engine).
 *
 * <p>The layout read: {@code ... footer | footer length (4 bytes, little endian) | "PAR1"}; the footer is
 * Thrift-encoded {@code FileMetaData} (parquet-format). A file that does not end that way is reported with an
 * {@link IOException} naming it and what is wrong; nothing of the file's content goes into the message.
 */
public final class ParquetFooter {
    private static final byte[] MAGIC = "PAR1".getBytes(StandardCharsets.US_ASCII);

    private final Path file;
    private final FileMetaData metadata;

    private ParquetFooter(Path file, FileMetaData metadata) {
        this.file = file;
        this.metadata = metadata;
    }

    /** Inclusive bounds of a column's values in a file. */
    public record Int64Range(long min, long max) {
        /** Whether some value in {@code [from, toExclusive)} may lie in this range. */
        public boolean overlaps(long from, long toExclusive) {
            return from <= max && toExclusive > min;
        }
    }

    /** Reads the footer of {@code file}. */
    public static ParquetFooter read(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 12) {
                throw new IOException(file + " is " + size + " bytes: too short for a Parquet file");
            }
            ByteBuffer tail = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, tail, size - 8);
            int footerLength = tail.getInt(0);
            for (int i = 0; i < 4; i++) {
                if (tail.get(4 + i) != MAGIC[i]) {
                    throw new IOException(file + " does not end with the Parquet magic PAR1 (truncated file?)");
                }
            }
            if (footerLength <= 0 || footerLength > size - 12) {
                throw new IOException(file + " has a bad footer length " + footerLength);
            }
            ByteBuffer footer = ByteBuffer.allocate(footerLength);
            readFully(ch, footer, size - 8 - footerLength);
            FileMetaData md;
            try {
                md = Util.readFileMetaData(new ByteArrayInputStream(footer.array()));
            } catch (IOException | RuntimeException e) {
                // the Thrift decoder's message may quote the footer's bytes: stored values stay out of it
                throw new IOException(file + " has a footer that does not decode as Parquet FileMetaData");
            }
            return new ParquetFooter(file, md);
        }
    }

    /** The footer's key-value metadata (empty when it has none). */
    public Map<String, String> keyValueMetadata() {
        List<KeyValue> kvs = metadata.getKey_value_metadata();
        if (kvs == null) {
            return Collections.emptyMap();
        }
        Map<String, String> out = new HashMap<>();
        for (KeyValue kv : kvs) {
            out.put(kv.getKey(), kv.getValue());
        }
        return out;
    }

    /** Rows in the file. */
    public long rows() {
        return metadata.getNum_rows();
    }

    /** Row groups in the file. */
    public int rowGroups() {
        return metadata.getRow_groupsSize();
    }

    /**
     * The smallest and largest value of the top-level INT64 column {@code column} (a timestamp is one) over
     * every row group, from the row groups' statistics; empty when the file has no such column, a row
     * group has no statistics for it, or the column holds only nulls: a caller must then assume any value.
     * A file without rows has the empty range {@code (Long.MAX_VALUE, Long.MIN_VALUE)}.
     */
    public Optional<Int64Range> int64Range(String column) {
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        for (RowGroup rg : metadata.getRow_groups()) {
            ColumnChunk chunk = topLevelChunk(rg, column);
            if (chunk == null || !chunk.isSetMeta_data() || chunk.getMeta_data().getType() != Type.INT64) {
                return Optional.empty();
            }
            if (rg.getNum_rows() == 0) {
                continue;
            }
            Statistics s = chunk.getMeta_data().getStatistics();
            if (s == null) {
                return Optional.empty();
            }
            // min_value/max_value (parquet-format 2.4+); INT64 also sorts signed in the deprecated min/max
            byte[] lo = s.isSetMin_value() ? s.getMin_value() : s.isSetMin() ? s.getMin() : null;
            byte[] hi = s.isSetMax_value() ? s.getMax_value() : s.isSetMax() ? s.getMax() : null;
            if (lo == null || hi == null || lo.length != 8 || hi.length != 8) {
                return Optional.empty();
            }
            min = Math.min(min, ByteBuffer.wrap(lo).order(ByteOrder.LITTLE_ENDIAN).getLong());
            max = Math.max(max, ByteBuffer.wrap(hi).order(ByteOrder.LITTLE_ENDIAN).getLong());
        }
        return Optional.of(new Int64Range(min, max));
    }

    private static ColumnChunk topLevelChunk(RowGroup rg, String column) {
        for (ColumnChunk c : rg.getColumns()) {
            if (c.isSetMeta_data()) {
                List<String> path = c.getMeta_data().getPath_in_schema();
                if (path.size() == 1 && path.get(0).equals(column)) {
                    return c;
                }
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return "ParquetFooter{" + file + ", rows=" + rows() + "}";
    }

    private static void readFully(FileChannel ch, ByteBuffer b, long position) throws IOException {
        long p = position;
        while (b.hasRemaining()) {
            int n = ch.read(b, p);
            if (n < 0) {
                throw new IOException("unexpected end of file");
            }
            p += n;
        }
    }
}
