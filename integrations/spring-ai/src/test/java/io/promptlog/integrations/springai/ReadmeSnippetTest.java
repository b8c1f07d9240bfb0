package io.promptlog.integrations.springai;

import io.promptlog.integrations.ReadmeSnippets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.context.properties.bind.BindHandler;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.bind.handler.NoUnboundElementsBindHandler;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.w3c.dom.Document;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.ByteArrayInputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

/** The README's snippets, read out of the README: they name this module and properties that exist. */
@Timeout(60)
class ReadmeSnippetTest {

    private static String text(Document d, String tag) {
        return d.getElementsByTagName(tag).item(0).getTextContent().trim();
    }

    /** The text of a direct child element of {@code parent}. */
    private static String child(org.w3c.dom.Element parent, String tag) {
        for (org.w3c.dom.Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof org.w3c.dom.Element e && e.getTagName().equals(tag)) {
                return e.getTextContent().trim();
            }
        }
        return null;
    }

    @Test
    void shouldNameThisModulesCoordinatesInTheDependencySnippet() throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        Document readme = f.newDocumentBuilder().parse(new ByteArrayInputStream(
                ReadmeSnippets.snippet(Path.of("README.md"), "spring-boot-dependency").getBytes(StandardCharsets.UTF_8)));
        org.w3c.dom.Element project = f.newDocumentBuilder().parse(Path.of("pom.xml").toFile()).getDocumentElement();
        org.w3c.dom.Element parent = (org.w3c.dom.Element) project.getElementsByTagName("parent").item(0);

        assertThat(text(readme, "groupId")).isEqualTo(child(parent, "groupId"));
        assertThat(text(readme, "artifactId")).isEqualTo(child(project, "artifactId"));
        assertThat(text(readme, "version")).isEqualTo(child(parent, "version"));
    }

    @Test
    void shouldBindEveryPropertyOfThePropertiesSnippet() throws Exception {
        Properties p = new Properties();
        p.load(new StringReader(ReadmeSnippets.snippet(Path.of("README.md"), "spring-boot-properties")));
        BindHandler strict = new NoUnboundElementsBindHandler(BindHandler.DEFAULT);

        PromptLogProperties bound = new Binder(new MapConfigurationPropertySource(p))
                .bind("promptlog", Bindable.of(PromptLogProperties.class), strict).get();

        assertThat(bound.getDir()).isEqualTo(Path.of(p.getProperty("promptlog.dir")));
    }

    @Test
    void shouldCompileTheWithoutSpringBootSnippetAsWritten(@TempDir Path classes) {
        ReadmeSnippets.compileJava(ReadmeSnippets.snippet(Path.of("README.md"), "spring-ai"),
                "io.promptlog.writer.PromptLog log", classes);
    }
}
