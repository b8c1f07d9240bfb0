package io.promptlog.writer.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * Checks, before any Chronicle class is initialised, that the JVM grants Chronicle Queue the access it
 * needs on Java 17+: without {@code jdk.internal.ref} exported and {@code java.lang.reflect} opened it
 * cannot map files at all ({@code AssertionError ... FileChannelImpl.map0}), and without {@code sun.nio.ch}
 * opened it silently falls back to read-only. Checked against the module Chronicle is loaded in (the
 * unnamed module when it is on the class path, so {@code =ALL-UNNAMED}).
 */
public final class JvmAccess {
    /** The flags the writer needs, as {@code java} takes them. */
    public static final List<String> REQUIRED_FLAGS = List.of(
            "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED",
            "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
            "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED");

    private JvmAccess() {
    }

    /** The required flags this JVM was started without (empty when all are there). */
    public static List<String> missingFlags() {
        Module base = Object.class.getModule();
        Module chronicle = chronicleModule();
        List<String> missing = new ArrayList<>();
        if (!base.isExported("jdk.internal.ref", chronicle)) {
            missing.add(REQUIRED_FLAGS.get(0));
        }
        if (!base.isOpen("java.lang.reflect", chronicle)) {
            missing.add(REQUIRED_FLAGS.get(1));
        }
        if (!base.isOpen("sun.nio.ch", chronicle)) {
            missing.add(REQUIRED_FLAGS.get(2));
        }
        return missing;
    }

    private static Module chronicleModule() {
        try {
            return Class.forName("net.openhft.chronicle.bytes.MappedFile", false, JvmAccess.class.getClassLoader()).getModule();
        } catch (ClassNotFoundException | LinkageError e) {
            return JvmAccess.class.getModule();
        }
    }
}
