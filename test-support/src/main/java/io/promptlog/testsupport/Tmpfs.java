package io.promptlog.testsupport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A small tmpfs mounted for a test, so a disk really fills up ({@code ENOSPC}), unlike {@code ulimit -f}. Needs
 * root or CAP_SYS_ADMIN (CI runs as root): {@link #mount} returns null where it cannot mount, and the test then
 * skips itself with a message saying so. {@link #close()} unmounts (lazily if something still holds a file open,
 * so no mount is ever left behind) and prints what was still open.
 */
public final class Tmpfs implements AutoCloseable {
    private final Path dir;

    private Tmpfs(Path dir) {
        this.dir = dir;
    }

    /** Mounts a tmpfs of {@code size} (mount's syntax: {@code 16m}) on the new directory {@code dir}; null if not allowed here. */
    public static Tmpfs mount(Path dir, String size) throws IOException, InterruptedException {
        Files.createDirectory(dir);
        return run("mount", "-t", "tmpfs", "-o", "size=" + size + ",mode=0700", "tmpfs", dir.toString()) == 0 ? new Tmpfs(dir) : null;
    }

    public Path dir() {
        return dir;
    }

    /** Grows (or shrinks) the file system in place: {@code mount -o remount,size=...}. */
    public void resize(String size) throws IOException, InterruptedException {
        if (run("mount", "-o", "remount,size=" + size, dir.toString()) != 0) {
            throw new IOException("cannot resize the tmpfs on " + dir + " to " + size);
        }
    }

    /**
     * Unmounts; if a file is still open there, unmounts lazily (the mount disappears from the tree at once) and
     * prints the open files. A test that promises nothing stays open asserts {@link #openFilesUnder} first.
     */
    @Override
    public void close() throws IOException, InterruptedException {
        List<String> open = openFilesUnder(dir);
        if (!open.isEmpty()) {
            System.out.println("files still open on " + dir + " at unmount (unmounting lazily): " + open);
        }
        if (run("umount", dir.toString()) != 0 && run("umount", "-l", dir.toString()) != 0) {
            throw new IOException("cannot unmount " + dir);
        }
    }

    /** Runs a command, printing its output when it fails; its exit code (-1 on a 30 s timeout). */
    public static int run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return -1;
        }
        if (p.exitValue() != 0) {
            System.out.println(String.join(" ", cmd) + ": exit " + p.exitValue() + ": " + out.trim());
        }
        return p.exitValue();
    }

    /** This JVM's open descriptors on files under {@code dir} ({@code /proc/self/fd}; empty where there is no /proc). */
    public static List<String> openFilesUnder(Path dir) throws IOException {
        List<String> out = new ArrayList<>();
        Path fds = Path.of("/proc/self/fd");
        if (!Files.isDirectory(fds)) {
            return out;
        }
        try (Stream<Path> s = Files.list(fds)) {
            for (Path fd : (Iterable<Path>) s::iterator) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith(dir.toString())) {
                        out.add(target);
                    }
                } catch (IOException e) {
                    // closed while listing
                }
            }
        }
        return out;
    }
}
