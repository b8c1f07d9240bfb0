package io.promptlog.reader.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Where a reader's DuckDB writes what does not fit its memory limit: the live view's rows (unredacted text,
 * as in the queue) and the intermediate results of large sorts and joins. A fresh directory per reader,
 * {@code <java.io.tmpdir>/promptlog-duckdb-<pid>-<random>}, mode 0700 (nobody else can list or read it),
 * deleted with everything in it when the reader closes. A directory left behind by a process that died
 * (kill -9) is deleted by the next reader that opens on this machine.
 *
 * <p>Without it DuckDB would spill to {@code .tmp} in the current working directory, with the user's umask.
 */
final class SpillDirectory implements AutoCloseable {
    static final String PREFIX = "promptlog-duckdb-";

    private final Path dir;

    private SpillDirectory(Path dir) {
        this.dir = dir;
    }

    static SpillDirectory create() {
        Path base = Path.of(System.getProperty("java.io.tmpdir"));
        deleteOrphans(base);
        try {
            Path d = Files.createTempDirectory(base, PREFIX + ProcessHandle.current().pid() + "-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            return new SpillDirectory(d);
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: the JDK's temp directory is private to the user there
            try {
                return new SpillDirectory(Files.createTempDirectory(base, PREFIX + ProcessHandle.current().pid() + "-"));
            } catch (IOException io) {
                throw new UncheckedIOException("cannot create a private temporary directory in " + base, io);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a private temporary directory in " + base + ": " + e.getMessage(), e);
        }
    }

    Path path() {
        return dir;
    }

    /** Deletes the spill directories of processes that no longer run (best effort: another user's are left). */
    static void deleteOrphans(Path base) {
        try (DirectoryStream<Path> s = Files.newDirectoryStream(base, PREFIX + "*")) {
            for (Path d : s) {
                long pid = pidOf(d.getFileName().toString());
                if (pid > 0 && ProcessHandle.of(pid).isEmpty()) {
                    deleteTree(d);
                }
            }
        } catch (IOException | RuntimeException e) {
            // a directory we cannot list or delete is not ours to clean
        }
    }

    static long pidOf(String name) {
        int end = name.indexOf('-', PREFIX.length());
        if (!name.startsWith(PREFIX) || end < 0) {
            return -1;
        }
        try {
            return Long.parseLong(name.substring(PREFIX.length(), end));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static void deleteTree(Path d) {
        try (Stream<Path> w = Files.walk(d)) {
            w.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // left for the next attempt
                }
            });
        } catch (IOException | UncheckedIOException e) {
            // gone meanwhile, or not ours
        }
    }

    @Override
    public void close() {
        deleteTree(dir);
    }
}
