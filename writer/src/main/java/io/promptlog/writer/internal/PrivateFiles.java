package io.promptlog.writer.internal;

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
 * Keeps a promptlog home private to its owner: directories 0700, files 0600. Prompts and responses are
 * often sensitive; other local users must not read them. On non-POSIX file systems this does nothing.
 */
public final class PrivateFiles {
    private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    private static final Set<PosixFilePermission> DIR = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");

    /** Restricts each new cycle file as Chronicle acquires it. */
    public static final StoreFileListener LISTENER = new StoreFileListener() {
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
