package io.promptlog.writer;

import io.promptlog.writer.internal.JvmAccess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import static org.assertj.core.api.Assertions.assertThat;

/** The README's "JVM flags" section: every way it shows passes the flags the writer checks for, and the manifest entries work. */
@Timeout(120)
class ReadmeJvmFlagsTest {
    private static String section() throws Exception {
        String readme = Files.readString(Path.of(System.getProperty("user.dir")).resolveSibling("README.md"));
        int from = readme.indexOf("### JVM flags");
        int to = readme.indexOf("### Example", from);
        assertThat(from).as("README has a JVM flags section").isPositive();
        return readme.substring(from, to);
    }

    @Test
    void shouldShowEveryRequiredFlagForJavaSurefireExecAndGradle() throws Exception {
        String s = section();
        String java = s.lines().filter(l -> l.startsWith("java ")).findFirst().orElseThrow();
        String argLine = s.lines().filter(l -> l.contains("<argLine>")).findFirst().orElseThrow();
        String gradle = s.lines().filter(l -> l.startsWith("val promptlogFlags")).findFirst().orElseThrow();
        for (String flag : JvmAccess.REQUIRED_FLAGS) {
            assertThat(java).contains(flag);
            assertThat(argLine).contains(flag);
            assertThat(gradle).contains("\"" + flag + "\"");
            assertThat(s).contains("<argument>" + flag + "</argument>");
        }
    }

    @Test
    void shouldLogFromAnExecutableJarWhoseManifestCarriesTheReadmesEntries(@TempDir Path tmp) throws Exception {
        Manifest m = new Manifest();
        Attributes a = m.getMainAttributes();
        a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        a.put(Attributes.Name.MAIN_CLASS, EmbedWithoutFlagsChild.class.getName());
        for (String line : section().lines().filter(l -> l.startsWith("Add-Exports:") || l.startsWith("Add-Opens:")).toList()) {
            int colon = line.indexOf(':');
            a.put(new Attributes.Name(line.substring(0, colon)), line.substring(colon + 1).trim());
        }
        assertThat(a.getValue("Add-Opens")).isNotNull();
        List<String> classPath = new ArrayList<>();
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            classPath.add(Path.of(e).toUri().toString());
        }
        a.put(Attributes.Name.CLASS_PATH, String.join(" ", classPath));
        Path jar = tmp.resolve("app.jar");
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(out, m)) {
            j.flush();
        }
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dchronicle.analytics.disable=true", "-Xmx256m"));
        if (Runtime.version().feature() >= 22) {
            cmd.addAll(List.of("--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow"));
        }
        cmd.addAll(List.of("-jar", jar.toString(), tmp.resolve("home").toString()));
        Path err = tmp.resolve("stderr.txt");
        try (ChildJvm child = ChildJvm.start(cmd, err)) {
            assertThat(child.process.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(child.awaitLine("app still running", 10_000)).as("stderr %s", Files.readString(err)).isNotNull();
            assertThat(child.output()).as("stderr %s", Files.readString(err)).contains("status " + AppendStatus.OK, "dropped 0");
        }
    }
}
