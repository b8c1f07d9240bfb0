package io.promptlog.compactor;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;
import java.util.jar.JarFile;

/** Test helper: starts {@link CompactorChild} in a child JVM with the test's class path and JVM flags. */
final class ChildJvm {
    private ChildJvm() {
    }

    /** The test class path, with surefire's manifest-only jar expanded. */
    static List<String> classpath() throws IOException {
        List<String> out = new ArrayList<>();
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (e.contains("surefirebooter") && e.endsWith(".jar")) {
                try (JarFile jar = new JarFile(e)) {
                    String cp = jar.getManifest().getMainAttributes().getValue("Class-Path");
                    for (String u : cp.trim().split("\\s+")) {
                        out.add(Path.of(URI.create(u)).toString());
                    }
                }
            } else {
                out.add(e);
            }
        }
        return out;
    }

    /** False for Hadoop's own jars (hadoop-client-api / -runtime), true for everything else. */
    static boolean notHadoop(String classpathEntry) {
        return !classpathEntry.replace('\\', '/').contains("/org/apache/hadoop/");
    }

    /** Like {@link #start}, under {@code ulimit -f limitKiB}: writing a file past that size fails (EFBIG). */
    static Process startWithFileSizeLimit(Path log, long limitKiB, String... args) throws IOException {
        List<String> java = command(e -> true, args);
        StringBuilder sh = new StringBuilder("ulimit -f " + limitKiB + " && exec");
        for (String a : java) {
            sh.append(" '").append(a.replace("'", "'\\''")).append('\'');
        }
        return new ProcessBuilder("sh", "-c", sh.toString()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    }

    static Process start(Path log, Predicate<String> keepOnClasspath, String... args) throws IOException {
        return new ProcessBuilder(command(keepOnClasspath, args)).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    }

    /** Like {@link #start}, with {@code jvmArgs} (e.g. {@code -Dkey=value}) before the main class. */
    static Process start(Path log, List<String> jvmArgs, String... args) throws IOException {
        List<String> cmd = command(e -> true, args);
        cmd.addAll(cmd.indexOf(CompactorChild.class.getName()), jvmArgs);
        return new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    }

    static List<String> command(Predicate<String> keepOnClasspath, String... args) throws IOException {
        return command(CompactorChild.class, keepOnClasspath, args);
    }

    /** Starts {@code main} (a test class with a {@code main} method) in a child JVM; its stdin stays a pipe. */
    static Process startMain(Path log, Class<?> main, String... args) throws IOException {
        return new ProcessBuilder(command(main, e -> true, args)).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    }

    static List<String> command(Class<?> main, Predicate<String> keepOnClasspath, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        String flags = System.getProperty("promptlog.jvmFlags", "");
        if (!flags.isBlank()) {
            cmd.addAll(Arrays.asList(flags.trim().split("\\s+")));
        }
        cmd.add("-Xmx512m");
        cmd.add("-cp");
        cmd.add(String.join(File.pathSeparator, classpath().stream().filter(keepOnClasspath).toList()));
        cmd.add(main.getName());
        cmd.addAll(Arrays.asList(args));
        return cmd;
    }
}
