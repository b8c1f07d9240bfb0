package io.promptlog.compactor;

import com.github.luben.zstd.ZstdOutputStream;
import io.promptlog.compactor.internal.ParquetFiles;
import io.promptlog.writer.CallField;
import io.promptlog.writer.LlmCall;
import io.promptlog.writer.Message;
import io.promptlog.writer.PromptLogHome;
import io.promptlog.writer.ShardCursor;

import java.io.IOException;
import java.io.OutputStream;
import java.io.Writer;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Test-scope measurement main for the figures in compactor/README.md (not a test: timings are never
 * asserted). {@code compact <home> <data> <default|all|none>}: one compaction, prints throughput and
 * bytes on disk. {@code jsonl <home>}: the same calls' size as raw queue records, canonical JSON lines
 * and zstd-3 JSON lines (streamed, nothing written to disk).
 */
public final class CompactionMeasure {
    private static final DateTimeFormatter RFC3339_MICROS =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

    private CompactionMeasure() {
    }

    public static void main(String[] args) throws Exception {
        Path home = Path.of(args[1]);
        if (args[0].equals("compact")) {
            Path data = Path.of(args[2]);
            CompactorConfig cfg = CompactorConfig.builder(home).dataDir(data)
                    .retention(RetentionPolicy.parse(args[3])).build();
            long t0 = System.nanoTime();
            CompactionResult r;
            CompactorStats s;
            try (Compactor c = Compactor.open(cfg)) {
                r = c.runOnce();
                s = c.stats();
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            long onDisk = treeBytes(data);
            System.out.printf("policy=%s calls=%d seconds=%.2f calls_per_s=%.0f files=%d dataset_bytes=%d "
                            + "bytes_per_call=%.1f system_prompt_rows=%d tool_rows=%d corrupt=%d errors=%d%n",
                    args[3], r.callsWritten(), secs, r.callsWritten() / secs, r.filesWritten(), onDisk,
                    (double) onDisk / r.callsWritten(), hashRows(data.resolve("system_prompts")),
                    hashRows(data.resolve("tool_definitions")), s.corruptRecords(), s.errors());
        } else {
            long records = 0;
            long recordBytes = 0;
            Counting json = new Counting(null);
            Counting zstd = new Counting(null);
            try (ZstdOutputStream z = new ZstdOutputStream(zstd, 3)) {
                Counting tee = new Counting(z);
                Writer w = new java.io.BufferedWriter(new OutputStreamWriter(tee, StandardCharsets.UTF_8), 1 << 16);
                for (Path dir : PromptLogHome.shardDirs(home)) {
                    try (ShardCursor c = ShardCursor.open(dir)) {
                        while (c.next()) {
                            records++;
                            recordBytes += c.length();
                            json(c.decode(), w);
                            w.write('\n');
                        }
                    }
                }
                w.flush();
                json.n = tee.n;
            }
            System.out.printf("calls=%d queue_record_bytes=%d jsonl_bytes=%d jsonl_zstd3_bytes=%d "
                            + "queue_bytes_per_call=%.1f jsonl_bytes_per_call=%.1f jsonl_zstd3_bytes_per_call=%.1f%n",
                    records, recordBytes, json.n, zstd.n, (double) recordBytes / records, (double) json.n / records,
                    (double) zstd.n / records);
        }
    }

    private static long treeBytes(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).mapToLong(p -> {
                try {
                    return Files.size(p);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).sum();
        }
    }

    private static long hashRows(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        long n = 0;
        try (Stream<Path> s = Files.list(dir)) {
            for (Path f : s.filter(p -> p.toString().endsWith(".parquet")).toList()) {
                long[] rows = new long[1];
                io.promptlog.compactor.internal.ParquetRewrite.forEachRow(f, List.of(), row -> rows[0]++);
                n += rows[0];
            }
        }
        return n;
    }

    /** Canonical JSON of one call, per the dataset contract (keys = column names, absent omitted). */
    static void json(LlmCall c, Writer w) throws IOException {
        w.write('{');
        boolean first = true;
        for (CallField f : CallField.all()) {
            Object v = c.get(f);
            if (v == null) {
                continue;
            }
            if (!first) {
                w.write(',');
            }
            first = false;
            str(f.column(), w);
            w.write(':');
            switch (f.type()) {
                case STRING -> str((String) v, w);
                case INT64, FLOAT64 -> w.write(String.valueOf(v));
                case BOOL -> w.write(v.toString());
                case TIMESTAMP_MICROS -> {
                    long us = (Long) v;
                    str(RFC3339_MICROS.format(Instant.ofEpochSecond(Math.floorDiv(us, 1_000_000L),
                            Math.floorMod(us, 1_000_000L) * 1000)), w);
                }
                case STRING_LIST -> {
                    w.write('[');
                    List<String> l = c.stopSequences();
                    for (int i = 0; i < l.size(); i++) {
                        if (i > 0) {
                            w.write(',');
                        }
                        str(l.get(i), w);
                    }
                    w.write(']');
                }
                case MESSAGES -> {
                    w.write('[');
                    List<Message> l = c.messages();
                    for (int i = 0; i < l.size(); i++) {
                        Message m = l.get(i);
                        w.write(i > 0 ? ",{\"role\":" : "{\"role\":");
                        str(m.role(), w);
                        if (m.content() != null) {
                            w.write(",\"content\":");
                            str(m.content(), w);
                        }
                        if (m.name() != null) {
                            w.write(",\"name\":");
                            str(m.name(), w);
                        }
                        if (m.toolCallId() != null) {
                            w.write(",\"tool_call_id\":");
                            str(m.toolCallId(), w);
                        }
                        w.write('}');
                    }
                    w.write(']');
                }
                case ATTRIBUTES -> {
                    w.write('{');
                    boolean f2 = true;
                    for (Map.Entry<String, String> e : c.attributes().entrySet()) {
                        if (!f2) {
                            w.write(',');
                        }
                        f2 = false;
                        str(e.getKey(), w);
                        w.write(':');
                        str(e.getValue(), w);
                    }
                    w.write('}');
                }
            }
        }
        if (c.truncated()) {
            w.write(",\"truncated\":true");
        }
        w.write('}');
    }

    private static void str(String s, Writer w) throws IOException {
        w.write('"');
        int from = 0;
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch >= 0x20 && ch != '"' && ch != '\\') {
                continue;
            }
            w.write(s, from, i - from);
            from = i + 1;
            switch (ch) {
                case '"' -> w.write("\\\"");
                case '\\' -> w.write("\\\\");
                case '\n' -> w.write("\\n");
                case '\r' -> w.write("\\r");
                case '\t' -> w.write("\\t");
                default -> w.write(String.format("\\u%04x", (int) ch));
            }
        }
        w.write(s, from, s.length() - from);
        w.write('"');
    }

    /** Counts bytes, forwarding to an optional delegate. */
    private static final class Counting extends OutputStream {
        private final OutputStream delegate;
        long n;

        Counting(OutputStream delegate) {
            this.delegate = delegate;
        }

        @Override
        public void write(int b) throws IOException {
            n++;
            if (delegate != null) {
                delegate.write(b);
            }
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            n += len;
            if (delegate != null) {
                delegate.write(b, off, len);
            }
        }

        @Override
        public void flush() throws IOException {
            if (delegate != null) {
                delegate.flush();
            }
        }
    }
}
