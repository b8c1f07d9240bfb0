package io.promptlog.writer;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Test helper: a child JVM running a test-classpath main with promptlog's JVM flags, its stdout lines
 * collected by a daemon thread; stderr goes to a file.
 */
final class ChildJvm implements AutoCloseable {
    final Process process;
    final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    final List<String> all = java.util.Collections.synchronizedList(new ArrayList<>());
    private final Thread reader;

    private ChildJvm(Process process) {
        this.process = process;
        this.reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    all.add(line);
                    lines.add(line);
                }
            } catch (IOException e) {
                // the child was killed: its pipe closes
            }
        }, "child-stdout");
        reader.setDaemon(true);
        reader.start();
    }

    /** The command that runs main with the test JVM's flags and classpath; prefix it to wrap (e.g. ulimit). */
    static List<String> command(Class<?> main, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        String flags = System.getProperty("promptlog.jvmFlags", "");
        for (String f : flags.trim().split(" +")) {
            if (!f.isEmpty()) {
                cmd.add(f);
            }
        }
        cmd.add("-Xmx512m");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(main.getName());
        cmd.addAll(Arrays.asList(args));
        return cmd;
    }

    static ChildJvm start(List<String> command, Path stderr) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.redirectError(stderr.toFile());
        return new ChildJvm(pb.start());
    }

    /** The next line starting with prefix, skipping others; null on timeout or when the child exits first. */
    String awaitLine(String prefix, long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return null;
            }
            String line = lines.poll(Math.min(left, TimeUnit.MILLISECONDS.toNanos(50)), TimeUnit.NANOSECONDS);
            if (line != null && line.startsWith(prefix)) {
                return line;
            }
            if (line == null && !process.isAlive() && lines.isEmpty()) {
                return null;
            }
        }
    }

    /** SIGKILL (destroyForcibly on Linux), then wait for the process and its stdout to end. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
        // every line the child printed before it died is still in the pipe: read to its end before
        // output() is asked (on a loaded machine the reader thread can be seconds behind)
        reader.join(30_000);
    }

    List<String> output() {
        synchronized (all) {
            return new ArrayList<>(all);
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }
}
