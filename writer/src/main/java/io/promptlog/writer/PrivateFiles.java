package io.promptlog.writer;

import net.openhft.chronicle.queue.impl.StoreFileListener;

import java.io.File;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Keeps what promptlog writes private to its owner: directories 0700, files 0600 (the home, the dataset,
 * checkpoints, exports, temp files). Prompts and responses are
 * often sensitive; other local users must not read them. On non-POSIX file systems this does nothing.
 */
public final class PrivateFiles {
    private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    private static final Set<PosixFilePermission> DIR = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");

    /** Restricts each new cycle file as Chronicle acquires it. */
    static final StoreFileListener LISTENER = new StoreFileListener() {
        @Override
        public void onAcquired(int cycle, File file) {
            restrictFile(file.toPath());
        }

        @Override
        public void onReleased(int cycle, File file) {
        }
    };

    private PrivateFiles() {
    }

    /** Creates dir and any missing parents; directories this call creates get mode 0700. */
    public static void createDirectories(Path dir) throws IOException {
        Path abs = dir.toAbsolutePath();
        if (Files.isDirectory(abs)) {
            return;
        }
        Path parent = abs.getParent();
        if (parent != null) {
            createDirectories(parent);
        }
        if (POSIX) {
            FileAttribute<Set<PosixFilePermission>> attr = PosixFilePermissions.asFileAttribute(DIR);
            try {
                Files.createDirectory(abs, attr);
            } catch (java.nio.file.FileAlreadyExistsException e) {
                if (!Files.isDirectory(abs)) {
                    throw e;
                }
            }
            // umask may have masked bits off the requested mode; set it exactly
            Files.setPosixFilePermissions(abs, DIR);
        } else {
            Files.createDirectories(abs);
        }
    }

    /**
     * Creates {@code file} empty with mode 0600 before anything is written to it (so it is never readable by
     * others, whatever the umask); an existing file is truncated and set to 0600.
     */
    public static void createFile(Path file) throws IOException {
        if (POSIX) {
            try {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(FILE));
            } catch (java.nio.file.FileAlreadyExistsException e) {
                Files.write(file, new byte[0]);
            }
            Files.setPosixFilePermissions(file, FILE);
        } else {
            Files.write(file, new byte[0]);
        }
    }

    /** {@link #createFile} then an output stream over it. */
    public static java.io.OutputStream newOutputStream(Path file) throws IOException {
        createFile(file);
        return Files.newOutputStream(file, java.nio.file.StandardOpenOption.WRITE,
                java.nio.file.StandardOpenOption.TRUNCATE_EXISTING);
    }

    public static void restrictFile(Path file) {
        if (!POSIX) {
            return;
        }
        try {
            Files.setPosixFilePermissions(file, FILE);
        } catch (IOException | UnsupportedOperationException e) {
            // best effort: the directory is 0700 already, which keeps others out
        }
    }

    /** Sets 0600 on every regular file directly in dir. */
    public static void restrictFilesIn(Path dir) {
        if (!POSIX) {
            return;
        }
        try (Stream<Path> s = Files.list(dir)) {
            s.filter(Files::isRegularFile).forEach(PrivateFiles::restrictFile);
        } catch (IOException e) {
            // best effort, see restrictFile
        }
    }
}
