package io.promptlog.compactor.internal;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * The committed queue index per shard of one queue in one dataset, as a Java properties file
 * ({@code shard.N=index}) written atomically after the calls files it accounts for are renamed into
 * place. It can lag the files after a crash (the files' names and footers are then the truth, see
 * {@code Recovery}) but never runs ahead of them.
 */
public final class Checkpoint {
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

    public static void write(Path file, Map<Integer, Long> committed, String host) throws IOException {
        StringBuilder s = new StringBuilder("# promptlog compactor checkpoint: last committed queue index per shard\n");
        s.append("host=").append(host).append('\n');
        for (Map.Entry<Integer, Long> e : new TreeMap<>(committed).entrySet()) {
            s.append(PREFIX).append(e.getKey()).append('=').append(e.getValue()).append('\n');
        }
        Durable.writeAtomically(file, s.toString().getBytes(StandardCharsets.ISO_8859_1));
    }
}
