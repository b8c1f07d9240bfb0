package io.promptlog.compactor.internal;

import io.promptlog.writer.PromptLogHome;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * The id of a home's queue: 16 random hex digits, generated once and kept in {@code D/queue/queue-id}.
 * Data file names and the checkpoint carry it, so a restarted compactor recognises its own files even
 * when the host name changed, and two queues never write the same file name.
 */
public final class QueueIdentity {
    public static final String FILE = "queue-id";
    private static final Pattern VALID = Pattern.compile("[0-9a-f]{16}");

    private QueueIdentity() {
    }

    /** The existing id, or null when the home has none yet. */
    public static String read(Path home) throws IOException {
        Path f = PromptLogHome.queueDir(home).resolve(FILE);
        if (!Files.exists(f)) {
            return null;
        }
        String id = Files.readString(f, StandardCharsets.US_ASCII).trim();
        if (!VALID.matcher(id).matches()) {
            throw new IOException("queue id file " + f + " holds '" + id + "', expected 16 lowercase hex digits");
        }
        return id;
    }

    /** Reads the id, creating it (atomically, first creator wins) when absent. */
    public static String readOrCreate(Path home) throws IOException {
        String id = read(home);
        if (id != null) {
            return id;
        }
        Path dir = PromptLogHome.queueDir(home);
        Files.createDirectories(dir);
        byte[] r = new byte[8];
        new SecureRandom().nextBytes(r);
        String fresh = HexFormat.of().formatHex(r);
        Path tmp = Files.createTempFile(dir, ".queue-id", ".tmp");
        try {
            Files.writeString(tmp, fresh + "\n", StandardCharsets.US_ASCII);
            Durable.fsync(tmp);
            try {
                Files.createLink(dir.resolve(FILE), tmp);
            } catch (FileAlreadyExistsException e) {
                // another process created it first: use theirs
            } catch (UnsupportedOperationException e) {
                Files.move(tmp, dir.resolve(FILE));
            }
            Durable.fsyncDirectory(dir);
        } finally {
            Files.deleteIfExists(tmp);
        }
        return read(home);
    }
}
