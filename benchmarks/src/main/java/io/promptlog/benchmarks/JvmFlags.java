package io.promptlog.benchmarks;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;

/**
 * The JVM flags every promptlog process needs, as defined once in the parent pom
 * ({@code promptlog.jvmFlagsActive}) and filtered into this jar at build time. Printed by
 * {@code Bench flags} for the runner script; appended to every JMH fork by {@link Bench}.
 */
public final class JvmFlags {
    private JvmFlags() {
    }

    public static List<String> list() {
        Properties p = new Properties();
        try (InputStream in = JvmFlags.class.getResourceAsStream("/promptlog-bench.properties")) {
            if (in == null) {
                throw new IllegalStateException("promptlog-bench.properties missing from the benchmarks jar");
            }
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String flags = p.getProperty("jvmFlags", "").trim();
        if (flags.isEmpty() || flags.contains("${")) {
            throw new IllegalStateException("jvmFlags not filtered by Maven: '" + flags + "'");
        }
        return Arrays.asList(flags.split("\\s+"));
    }
}
