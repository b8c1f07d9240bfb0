package io.promptlog.reader;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Type;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The reader is a library: its public API names no JSON or command-line library types. */
@Timeout(30)
class PublicApiTest {
    private static final List<String> FOREIGN = List.of("com.fasterxml.", "picocli.");

    @Test
    void shouldNameNoJacksonOrPicocliTypeInAPublicSignature() throws Exception {
        List<String> leaks = new ArrayList<>();
        for (Class<?> c : publicClasses()) {
            for (Method m : c.getDeclaredMethods()) {
                if (Modifier.isPublic(m.getModifiers())) {
                    check(leaks, c.getSimpleName() + "." + m.getName(), m.getGenericReturnType());
                    for (Type t : m.getGenericParameterTypes()) {
                        check(leaks, c.getSimpleName() + "." + m.getName(), t);
                    }
                }
            }
            for (Constructor<?> k : c.getDeclaredConstructors()) {
                if (Modifier.isPublic(k.getModifiers())) {
                    for (Type t : k.getGenericParameterTypes()) {
                        check(leaks, c.getSimpleName() + ".<init>", t);
                    }
                }
            }
            for (Field f : c.getDeclaredFields()) {
                if (Modifier.isPublic(f.getModifiers())) {
                    check(leaks, c.getSimpleName() + "." + f.getName(), f.getGenericType());
                }
            }
        }
        assertThat(leaks).isEmpty();
    }

    private static void check(List<String> leaks, String where, Type t) {
        String name = t.getTypeName();
        for (String p : FOREIGN) {
            if (name.contains(p)) {
                leaks.add(where + ": " + name);
            }
        }
    }

    /** The public classes (nested ones included) of io.promptlog.reader, not of its internal package. */
    private static List<Class<?>> publicClasses() throws URISyntaxException, Exception {
        Path dir = Path.of(PromptLogReader.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .resolve("io/promptlog/reader");
        List<Class<?>> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.filter(p -> p.toString().endsWith(".class")).toList()) {
                String n = p.getFileName().toString();
                Class<?> c = Class.forName("io.promptlog.reader." + n.substring(0, n.length() - ".class".length()));
                if (Modifier.isPublic(c.getModifiers())) {
                    out.add(c);
                }
            }
        }
        assertThat(out).contains(PromptLogReader.class, CanonicalJson.class);
        return out;
    }
}
