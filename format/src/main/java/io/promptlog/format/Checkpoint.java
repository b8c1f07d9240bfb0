package io.promptlog.format;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The committed queue index per shard of one queue in one dataset, as a Java properties file
 * ({@code shard.N=index}, {@link DatasetLayout#checkpointFile}) that the compactor writes atomically after
 * the calls files it accounts for are renamed into place. It can lag the files after a crash (the files'
 * names and footers are then the truth, until the compactor's next start repairs it) but never runs
 * ahead of them.
 *
 * <p>A queue is known by its id: 16 random lowercase hex digits in {@code <queue dir>/queue-id}, created
 * once by the first compactor; data file names and the checkpoint carry it.
 */
public final class Checkpoint {
    /** The file holding a queue's id, in the queue directory. */
    public static final String QUEUE_ID_FILE = "queue-id";
    private static final Pattern QUEUE_ID = Pattern.compile("[0-9a-f]{16}");
    private static final String PREFIX = "shard.";

    private Checkpoint() {
    }

    /** The committed index per shard; empty when there is no checkpoint. */
    public static Map<Integer, Long> read(Path file) throws IOException {
        Map<Integer, Long> out = new TreeMap<>();
        if (!Files.exists(file)) {
            return out;
        }
        Properties p = new Properties();
        p.load(new StringReader(Files.readString(file, StandardCharsets.ISO_8859_1)));
        for (String k : p.stringPropertyNames()) {
            if (k.startsWith(PREFIX)) {
                try {
                    out.put(Integer.parseInt(k.substring(PREFIX.length())), Long.parseLong(p.getProperty(k).trim()));
                } catch (NumberFormatException e) {
                    throw new IOException("checkpoint " + file + " has a bad entry " + k + "=" + p.getProperty(k), e);
                }
            }
        }
        return out;
    }

    /** The bytes of a checkpoint file (ISO-8859-1), for the compactor to write atomically. */
    public static byte[] render(Map<Integer, Long> committed, String host) {
        StringBuilder s = new StringBuilder("# promptlog compactor checkpoint: last committed queue index per shard\n");
        s.append("host=").append(host).append('\n');
        for (Map.Entry<Integer, Long> e : new TreeMap<>(committed).entrySet()) {
            s.append(PREFIX).append(e.getKey()).append('=').append(e.getValue()).append('\n');
        }
        return s.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    /** The id of the queue in {@code queueDir}, or null when it has none yet (never compacted). */
    public static String queueId(Path queueDir) throws IOException {
        Path f = queueDir.resolve(QUEUE_ID_FILE);
        if (!Files.exists(f)) {
            return null;
        }
        String id = Files.readString(f, StandardCharsets.US_ASCII).trim();
        if (!QUEUE_ID.matcher(id).matches()) {
            throw new IOException("queue id file " + f + " holds '" + id + "', expected 16 lowercase hex digits");
        }
        return id;
    }

    /**
     * How far the queue in {@code queueDir} has been compacted into the dataset {@code dataDir}: a record
     * of shard {@code s} with Chronicle index {@code i} is in the dataset exactly when
     * {@code i <= committed.getOrDefault(s, -1L)}. Empty when nothing is known.
     *
     * @throws UncheckedIOException when the queue id or the checkpoint cannot be read
     */
    public static Map<Integer, Long> committed(Path queueDir, Path dataDir) {
        try {
            String queueId = queueId(queueDir);
            if (queueId == null) {
                return Map.of();
            }
            return read(DatasetLayout.checkpointFile(dataDir, queueId));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read compaction progress of " + queueDir + " in " + dataDir, e);
        }
    }
}
