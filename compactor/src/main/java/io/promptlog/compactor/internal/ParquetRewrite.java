package io.promptlog.compactor.internal;

import io.promptlog.format.DatasetSchema;
import io.promptlog.writer.PrivateFiles;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.conf.ParquetConfiguration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.convert.GroupRecordConverter;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.io.ColumnIOFactory;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.io.MessageColumnIO;
import org.apache.parquet.io.RecordReader;
import org.apache.parquet.io.api.RecordConsumer;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.Type;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Reads a dataset Parquet file row by row and rewrites it with some rows changed or dropped, keeping its
 * schema (required/optional included), its footer key-value metadata (updated as asked) and the
 * compactor's writer settings (zstd, statistics, bloom filter on {@code call_id} for calls files). The new
 * file is written as a 0600 temp file next to the old one, fsynced and renamed over it: a reader sees the
 * old file or the new one, never a part of either; a process killed mid-way leaves the old file and a temp
 * file that the next run (or the compactor's start-up recovery) removes.
 */
public final class ParquetRewrite {
    private ParquetRewrite() {
    }

    /** What to do with one row: drop it, or write some top-level columns as NULL / a boolean value. */
    public record Change(boolean drop, Set<String> nulled, Map<String, Boolean> booleans) {
        public static final Change KEEP = new Change(false, Set.of(), Map.of());
        public static final Change DROP = new Change(true, Set.of(), Map.of());

        boolean unchanged() {
            return !drop && nulled.isEmpty() && booleans.isEmpty();
        }
    }

    /** Rows of the file, rows changed, rows dropped. */
    public record Counts(long rows, long changed, long dropped) {
    }

    /** Decides each row's change; must decide the same for the same row (so a re-run is idempotent). */
    @FunctionalInterface
    public interface RowEdit {
        Change change(Group row);
    }

    /** Reads every row of {@code file}, only the named top-level columns (all when empty). */
    public static void forEachRow(Path file, List<String> columns, Consumer<Group> rows) throws IOException {
        try (ParquetFileReader r = open(file)) {
            forEachRow(r, columns, rows);
        } catch (IOException | RuntimeException e) {
            throw damaged(file, e);
        }
    }

    /**
     * A failure reading or rewriting {@code file}, naming it: parquet-java's and zstd's own messages on a damaged
     * file ("Data corruption detected") do not, and an erasure cannot finish until the file is dealt with.
     */
    static IOException damaged(Path file, Exception e) {
        if (e instanceof IOException io && e.getMessage() != null && e.getMessage().contains(file.toString())) {
            return io;
        }
        return new IOException("cannot read " + file + " (damaged?): " + e + "; nothing was changed in it: restore it,"
                + " or delete it if its calls may be lost, then run this again", e);
    }

    /** As {@link #forEachRow(Path, List, Consumer)}, over a file already open (its footer read once). */
    static void forEachRow(ParquetFileReader r, List<String> columns, Consumer<Group> rows) throws IOException {
        MessageType schema = r.getFooter().getFileMetaData().getSchema();
        MessageType projection = schema;
        if (!columns.isEmpty()) {
            List<Type> fields = schema.getFields().stream().filter(f -> columns.contains(f.getName())).toList();
            projection = new MessageType(schema.getName(), fields);
        }
        r.setRequestedSchema(projection);
        MessageColumnIO io = new ColumnIOFactory().getColumnIO(projection, schema);
        PageReadStore pages;
        while ((pages = r.readNextRowGroup()) != null) {
            RecordReader<Group> rr = io.getRecordReader(pages, new GroupRecordConverter(projection));
            for (long i = 0; i < pages.getRowCount(); i++) {
                rows.accept(rr.read());
            }
        }
    }

    /** The text table whose hash column {@code schema} has (a text file rewritten keeps its bloom filter). */
    private static DatasetSchema.TextTable textTable(MessageType schema) throws IOException {
        for (DatasetSchema.TextTable t : DatasetSchema.TEXT_TABLES) {
            if (schema.containsField(t.hashColumn())) {
                return t;
            }
        }
        throw new IOException("not a calls file nor a text table file: no column " + DatasetSchema.SYSTEM_PROMPT_HASH
                + " or " + DatasetSchema.TOOLS_HASH + " in " + schema.getName());
    }

    /**
     * Rewrites {@code file} in place (atomically) when {@code edit} changes a row or {@code metadata} adds
     * or changes a footer entry; otherwise leaves it untouched.
     *
     * @param calls   whether it is a calls file (bloom filter on call_id, as the compactor writes them); else a
     *                text table file (bloom filter on its hash column)
     */
    public static Counts rewrite(Path file, boolean calls, RowEdit edit, Map<String, String> metadata, int zstdLevel,
                                 long rowGroupBytes) throws IOException {
        try (Prepared p = prepare(file, calls, edit, metadata, zstdLevel, rowGroupBytes)) {
            p.install();
            return p.counts();
        }
    }

    /**
     * A rewrite written and fsynced to its temp file, not yet in place (nothing to do when the file was left
     * untouched): {@link #install()} renames it over the file; {@link #close()} deletes a temp not installed.
     * Lets a caller write several rewrites first and put them in place together, under a lock held only for that.
     */
    static final class Prepared implements AutoCloseable {
        private final Path file;
        private final Path tmp;
        private final Counts counts;
        private boolean installed;

        private Prepared(Path file, Path tmp, Counts counts) {
            this.file = file;
            this.tmp = tmp;
            this.counts = counts;
        }

        Counts counts() {
            return counts;
        }

        Path file() {
            return file;
        }

        /** Whether installing changes the file. */
        boolean changes() {
            return tmp != null;
        }

        void install() throws IOException {
            if (tmp != null && !installed) {
                Durable.rename(tmp, file);
                installed = true;
                Durable.fsyncDirectory(file.getParent());
            }
        }

        @Override
        public void close() throws IOException {
            if (tmp != null && !installed) {
                Files.deleteIfExists(tmp);
            }
        }
    }

    /** As {@link #rewrite}, up to the rename: the new file written and fsynced to its temp. */
    static Prepared prepare(Path file, boolean calls, RowEdit edit, Map<String, String> metadata, int zstdLevel,
                            long rowGroupBytes) throws IOException {
        try {
            return prepareOrFail(file, calls, edit, metadata, zstdLevel, rowGroupBytes);
        } catch (IOException | RuntimeException e) {
            throw damaged(file, e);
        }
    }

    private static Prepared prepareOrFail(Path file, boolean calls, RowEdit edit, Map<String, String> metadata,
                                          int zstdLevel, long rowGroupBytes) throws IOException {
        Map<String, String> meta;
        MessageType schema;
        long rows;
        try (ParquetFileReader r = open(file)) {
            schema = r.getFooter().getFileMetaData().getSchema();
            meta = new HashMap<>(r.getFooter().getFileMetaData().getKeyValueMetaData());
            rows = r.getRecordCount();
        }
        boolean metaChanged = false;
        for (Map.Entry<String, String> e : metadata.entrySet()) {
            if (!e.getValue().equals(meta.get(e.getKey()))) {
                metaChanged = true;
            }
        }
        long[] plan = new long[2];
        forEachRow(file, List.of(), g -> {
            Change c = edit.change(g);
            if (c.drop) {
                plan[1]++;
            } else if (!c.unchanged()) {
                plan[0]++;
            }
        });
        if (plan[0] == 0 && plan[1] == 0 && !metaChanged) {
            return new Prepared(file, null, new Counts(rows, 0, 0));
        }
        meta.putAll(metadata);
        Path tmp = DatasetLayoutTemp.tempFor(file);
        boolean done = false;
        try {
            PrivateFiles.createFile(tmp);
            EditedWriteSupport support = new EditedWriteSupport(schema, meta);
            ParquetFiles.Builder<Edited> b = calls ? ParquetFiles.callsBuilder(tmp, support, zstdLevel, rowGroupBytes, rows)
                    : ParquetFiles.textsBuilder(tmp, support, zstdLevel, textTable(schema).hashColumn(), rows);
            try (ParquetWriter<Edited> w = b.build()) {
                IOException[] failure = new IOException[1];
                forEachRow(file, List.of(), g -> {
                    Change c = edit.change(g);
                    if (!c.drop && failure[0] == null) {
                        try {
                            w.write(new Edited(g, c));
                        } catch (IOException e) {
                            failure[0] = e;
                        }
                    }
                });
                if (failure[0] != null) {
                    throw failure[0];
                }
            } catch (IOException e) {
                throw b.failed(e);
            }
            Durable.fsync(tmp);
            done = true;
            return new Prepared(file, tmp, new Counts(rows, plan[0], plan[1]));
        } finally {
            if (!done) {
                Files.deleteIfExists(tmp);
            }
        }
    }

    static ParquetFileReader open(Path file) throws IOException {
        ParquetReadOptions options = org.apache.parquet.HadoopFreeReadOptions.with(new ZstdCodecFactory(3));
        return ParquetFileReader.open(new LocalInputFile(file), options);
    }

    /** Suffix of a rewrite's temp file (hidden: it starts with a dot; never matched by *.parquet). */
    public static final String TEMP_SUFFIX = ".rewrite.tmp";

    private static final class DatasetLayoutTemp {
        static Path tempFor(Path file) {
            return file.resolveSibling("." + file.getFileName() + TEMP_SUFFIX);
        }
    }

    record Edited(Group row, Change change) {
    }

    /** Writes a row as read, except the columns its change nulls or sets. */
    static final class EditedWriteSupport extends WriteSupport<Edited> {
        private final MessageType schema;
        private final Map<String, String> metadata;
        private RecordConsumer out;

        EditedWriteSupport(MessageType schema, Map<String, String> metadata) {
            this.schema = schema;
            this.metadata = metadata;
        }

        @Override
        public WriteContext init(Configuration configuration) {
            return new WriteContext(schema, metadata);
        }

        @Override
        public WriteContext init(ParquetConfiguration configuration) {
            return new WriteContext(schema, metadata);
        }

        @Override
        public void prepareForWrite(RecordConsumer recordConsumer) {
            this.out = recordConsumer;
        }

        @Override
        public void write(Edited e) {
            out.startMessage();
            for (int i = 0; i < schema.getFieldCount(); i++) {
                String name = schema.getFieldName(i);
                if (e.change.nulled().contains(name)) {
                    continue;
                }
                Boolean b = e.change.booleans().get(name);
                if (b != null) {
                    out.startField(name, i);
                    out.addBoolean(b);
                    out.endField(name, i);
                    continue;
                }
                writeField(e.row, schema, i);
            }
            out.endMessage();
        }

        private void writeField(Group g, GroupType type, int i) {
            int n = g.getFieldRepetitionCount(i);
            if (n == 0) {
                return;
            }
            String name = type.getFieldName(i);
            out.startField(name, i);
            Type t = type.getType(i);
            for (int j = 0; j < n; j++) {
                if (t.isPrimitive()) {
                    g.writeValue(i, j, out);
                } else {
                    out.startGroup();
                    Group child = g.getGroup(i, j);
                    GroupType ct = t.asGroupType();
                    for (int k = 0; k < ct.getFieldCount(); k++) {
                        writeField(child, ct, k);
                    }
                    out.endGroup();
                }
            }
            out.endField(name, i);
        }
    }
}
