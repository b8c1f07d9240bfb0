package io.promptlog.compactor.internal;

import io.promptlog.format.Checkpoint;
import io.promptlog.writer.PrivateFiles;
import io.promptlog.writer.PromptLogHome;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * The id of a home's queue ({@link Checkpoint#queueId}): 16 random hex digits, generated once here.
 * Data file names and the checkpoint carry it, so a restarted compactor recognises its own files even
 * when the host name changed, and two queues never write the same file name.
 */
public final class QueueIdentity {

    private QueueIdentity() {
    }

    /** The existing id, or null when the home has none yet. */
    public static String read(Path home) throws IOException {
        return Checkpoint.queueId(PromptLogHome.queueDir(home));
    }

    /** Reads the id, creating it (atomically, first creator wins) when absent. */
    public static String readOrCreate(Path home) throws IOException {
        String id = read(home);
        if (id != null) {
            return id;
        }
        Path dir = PromptLogHome.queueDir(home);
        PrivateFiles.createDirectories(dir);
        byte[] r = new byte[8];
        new SecureRandom().nextBytes(r);
        String fresh = HexFormat.of().formatHex(r);
        Path tmp = Files.createTempFile(dir, ".queue-id", ".tmp");
        try {
            Files.writeString(tmp, fresh + "\n", StandardCharsets.US_ASCII);
            Durable.fsync(tmp);
            try {
                Files.createLink(dir.resolve(Checkpoint.QUEUE_ID_FILE), tmp);
            } catch (FileAlreadyExistsException e) {
                // another process created it first: use theirs
            } catch (UnsupportedOperationException e) {
                Files.move(tmp, dir.resolve(Checkpoint.QUEUE_ID_FILE));
            }
            Durable.fsyncDirectory(dir);
        } finally {
            Files.deleteIfExists(tmp);
        }
        return read(home);
    }
}
