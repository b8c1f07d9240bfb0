package io.promptlog.format;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;

/**
 * The secret key of a home's {@code input_hash} / {@code output_hash} (see {@link DerivedValues}): 32 random
 * bytes, generated once and kept in the queue directory as {@value #FILE} (0600, next to the raw queue it
 * protects, never in the dataset directory).
 *
 * <p>Why a key: a hash of the text as logged tests any guess. With plain SHA-256, whoever reads the dataset
 * could take a retained, redacted message ("my card is [CREDIT_CARD]"), try every card number that fits and
 * compare hashes, so redaction would cost a guesser seconds. Keyed with a secret that stays in the home, the
 * hashes still group equal texts within the home, but a copy of the dataset (Spark, a shared bucket) gives
 * nothing to test guesses against. Two homes hash alike only if they share this file; losing it only means
 * new hashes differ from old ones.
 */
public final class TextHashKey {
    public static final String FILE = "text-hash.key";
    static final int BYTES = 32;

    private TextHashKey() {
    }

    /** The key file of the home whose queue directory is {@code queueDir}. */
    public static Path file(Path queueDir) {
        return queueDir.resolve(FILE);
    }

    /** Reads the key in {@code queueDir}, creating it (atomically, first creator wins, mode 0600) when absent. */
    public static byte[] readOrCreate(Path queueDir) throws IOException {
        Path f = file(queueDir);
        if (Files.exists(f)) {
            return read(f);
        }
        Files.createDirectories(queueDir);
        byte[] fresh = new byte[BYTES];
        new SecureRandom().nextBytes(fresh);
        Path tmp = FileSystems.getDefault().supportedFileAttributeViews().contains("posix")
                ? Files.createTempFile(queueDir, ".text-hash", ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))
                : Files.createTempFile(queueDir, ".text-hash", ".tmp");
        try {
            Files.write(tmp, fresh);
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            try {
                Files.createLink(f, tmp);
            } catch (FileAlreadyExistsException e) {
                // another process created it first: use theirs
            } catch (UnsupportedOperationException e) {
                Files.move(tmp, f);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
        return read(f);
    }

    private static byte[] read(Path f) throws IOException {
        byte[] k = Files.readAllBytes(f);
        if (k.length != BYTES) {
            throw new IOException("text hash key " + f + " has " + k.length + " bytes, expected " + BYTES
                    + " (restore it from a backup, or delete it: new hashes will then differ from the old ones)");
        }
        return k;
    }
}
