package io.promptlog.integrations;

import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.ToolProvider;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Test helper (shared with the hook modules' tests): keeps a README's copy-paste snippets honest by
 * reading them out of the README itself. A snippet is the fenced code block right after a
 * {@code <!-- snippet: NAME -->} line. {@link #compileJava} compiles a Java snippet against the test
 * class path: its {@code import} lines go to the top of a compilation unit, the rest into the body of a
 * method whose parameters are the variables the snippet uses without declaring them.
 */
public final class ReadmeSnippets {
    private ReadmeSnippets() {
    }

    /** The text of the fenced block after {@code <!-- snippet: name -->}; fails when there is none. */
    public static String snippet(Path readme, String name) {
        String text;
        try {
            text = Files.readString(readme);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + readme, e);
        }
        Matcher m = Pattern.compile("<!-- snippet: " + Pattern.quote(name) + " -->\\s*\\R```[a-zA-Z]*\\R(.*?)\\R```",
                Pattern.DOTALL).matcher(text);
        if (!m.find()) {
            throw new AssertionError(readme + " has no fenced block after <!-- snippet: " + name + " -->");
        }
        return m.group(1);
    }

    /**
     * Compiles a Java snippet as the body of {@code void snippet(<parameters>) throws Exception} in a class
     * of its own; fails with the compiler's messages and the generated source when it does not compile.
     */
    public static void compileJava(String snippet, String parameters, Path outputDir) {
        StringBuilder imports = new StringBuilder();
        StringBuilder body = new StringBuilder();
        for (String line : snippet.split("\\R")) {
            (line.startsWith("import ") ? imports : body).append(line).append('\n');
        }
        String source = imports + "\nclass ReadmeSnippet {\n    void snippet(" + parameters + ") throws Exception {\n"
                + body + "    }\n}\n";
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        if (javac == null) {
            throw new AssertionError("no Java compiler in this JVM (a JRE?): cannot check the README snippet");
        }
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        JavaFileObject file = new SimpleJavaFileObject(URI.create("string:///ReadmeSnippet.java"), JavaFileObject.Kind.SOURCE) {
            @Override
            public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                return source;
            }
        };
        List<String> options = new ArrayList<>(List.of("-classpath", classPath(), "-d", outputDir.toString(),
                "-proc:none", "-Xlint:none"));
        boolean ok = javac.getTask(null, null, diagnostics, options, null, List.of(file)).call();
        if (!ok) {
            StringBuilder sb = new StringBuilder("the README snippet does not compile:\n");
            for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
                sb.append("  line ").append(d.getLineNumber()).append(": ").append(d.getMessage(null)).append('\n');
            }
            throw new AssertionError(sb.append("source:\n").append(source));
        }
    }

    /** The test class path: Surefire's (its booter jar hides it from java.class.path), else the JVM's. */
    private static String classPath() {
        String cp = System.getProperty("surefire.test.class.path");
        if (cp == null || cp.isBlank()) {
            cp = System.getProperty("java.class.path");
        }
        return cp;
    }
}
