package io.promptlog.compactor.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/** The small file-system steps exactly-once rests on: fsync a file or directory, atomic rename. */
public final class Durable {
    private Durable() {
    }

    public static void fsync(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
    }

    /** fsync of a directory makes a rename in it durable (Linux; a no-op where unsupported). */
    public static void fsyncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            if (!Files.isDirectory(dir)) {
                throw e;
            }
            // some file systems refuse to open or sync directories; the rename itself is still atomic
        }
    }

    /** Renames atomically: the target appears whole or not at all. */
    public static void rename(Path from, Path to) throws IOException {
        Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * Adds one to the {@link io.promptlog.format.EpochFile} {@code file} (written atomically); returns the new
     * value. The caller holds the lock that serialises its writers.
     */
    public static long bumpEpoch(Path file) throws IOException {
        return writeEpoch(file, io.promptlog.format.EpochFile.read(file) + 1);
    }

    /** Writes {@code value} to the {@link io.promptlog.format.EpochFile} {@code file} (atomically); returns it. */
    static long writeEpoch(Path file, long value) throws IOException {
        writeAtomically(file, (value + "\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        return value;
    }

    /** Writes a small file atomically (mode 0600): temp, fsync, rename, fsync the directory. */
    public static void writeAtomically(Path target, byte[] content) throws IOException {
        writeAtomically(target, content, null);
    }

    /** As {@link #writeAtomically(Path, byte[])}, reaching {@link CrashPoints} step {@code crashPoint} before the rename. */
    static void writeAtomically(Path target, byte[] content, String crashPoint) throws IOException {
        Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp");
        io.promptlog.writer.PrivateFiles.createFile(tmp);
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer b = ByteBuffer.wrap(content);
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(true);
        }
        if (crashPoint != null) {
            CrashPoints.reached(crashPoint);
        }
        rename(tmp, target);
        fsyncDirectory(target.getParent());
    }
}
