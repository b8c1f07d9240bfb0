package io.promptlog.cli;

import io.promptlog.reader.TestHomes;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** import: a bad byte, line or field costs that line only (named FILE:LINE); importing twice adds nothing. */
@Timeout(240)
class HostileImportTest {
    @TempDir
    static Path tmp;
    static List<String> good;

    @BeforeAll
    static void export() throws Exception {
        Path src = tmp.resolve("src");
        TestHomes.generate(src, 99, 0, 7);
        Path all = tmp.resolve("all.jsonl");
        Cli.Result e = Cli.run("export", "--dir", src.toString(), "--format", "jsonl", "--out", all.toString());
        assertThat(e.code()).as(e.toString()).isZero();
        good = Files.readAllLines(all, StandardCharsets.UTF_8);
        assertThat(good).hasSize(99);
    }

    private static long count(Path home, String sql) {
        Cli.Result q = Cli.run("query", "--dir", home.toString(), "--format", "csv", sql);
        assertThat(q.code()).as(q.toString()).isZero();
        return Long.parseLong(q.out().split("\r\n")[1]);
    }

    @Test
    void shouldSkipOnlyTheLinesWithABadByteBadJsonOrABadFieldAndNameThem() throws Exception {
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        for (int i = 0; i < good.size(); i++) {
            if (i == 49) { // line 50: one invalid UTF-8 byte inside a text
                byte[] line = good.get(i).getBytes(StandardCharsets.UTF_8);
                int at = good.get(i).indexOf("\"response\":") + 13;
                line[at] = (byte) 0xFF;
                file.write(line);
                file.write('\n');
                continue;
            }
            file.write(good.get(i).getBytes(StandardCharsets.UTF_8));
            file.write('\n');
            if (i == 9) {
                file.write("{\"call_id\": \"half a line\n".getBytes(StandardCharsets.UTF_8)); // line 11
            }
            if (i == 19) {
                file.write("{\"call_id\":\"bad-field\",\"input_tokens\":\"many\"}\n".getBytes(StandardCharsets.UTF_8)); // line 22
            }
        }
        Path f = tmp.resolve("hostile.jsonl");
        Files.write(f, file.toByteArray());
        Path home = tmp.resolve("h1");
        Cli.Result r = Cli.run("import", f.toString(), "--dir", home.toString());
        assertThat(r.code()).as(r.toString()).isEqualTo(PromptLogCli.EXIT_FAILURE);
        assertThat(r.err()).contains("hostile.jsonl:11: skipped: not valid JSON")
                .contains("hostile.jsonl:22: skipped: input_tokens")
                .contains("hostile.jsonl:52: skipped: not UTF-8: byte ")
                .contains("imported 98 calls").contains("skipped 3 malformed line(s)");
        assertThat(count(home, "SELECT count(*) FROM calls")).isEqualTo(98);
    }

    @Test
    void shouldAddNothingWhenTheSameFileIsImportedTwiceBeforeOrAfterCompaction() throws Exception {
        Path f = tmp.resolve("twice.jsonl");
        Files.write(f, good, StandardCharsets.UTF_8);
        Path home = tmp.resolve("h2");
        Cli.Result first = Cli.run("import", f.toString(), "--dir", home.toString());
        assertThat(first.code()).as(first.toString()).isZero();
        assertThat(first.err()).contains("imported 99 calls");
        Cli.Result second = Cli.run("import", f.toString(), "--dir", home.toString());
        assertThat(second.code()).as(second.toString()).isZero();
        assertThat(second.err()).contains("imported 0 calls").contains("skipped 99 call(s) whose call_id the home already holds");
        assertThat(count(home, "SELECT count(*) FROM calls")).isEqualTo(99);

        Cli.Result c = Cli.run("compact", "--dir", home.toString());
        assertThat(c.code()).as(c.toString()).isZero();
        Cli.Result third = Cli.run("import", f.toString(), "--dir", home.toString());
        assertThat(third.err()).contains("imported 0 calls");
        Cli.Result c2 = Cli.run("compact", "--dir", home.toString());
        assertThat(c2.code()).as(c2.toString()).isZero();
        assertThat(count(home, "SELECT count(*) FROM calls")).isEqualTo(99);
        assertThat(count(home, "SELECT count(DISTINCT call_id) FROM calls")).isEqualTo(99);
    }

    @Test
    void shouldImportACallOnceWhenTheFileHoldsItTwice() throws Exception {
        Path f = tmp.resolve("dup.jsonl");
        Files.write(f, List.of(good.get(0), good.get(1), good.get(0)), StandardCharsets.UTF_8);
        Path home = tmp.resolve("h3");
        Cli.Result r = Cli.run("import", f.toString(), "--dir", home.toString());
        assertThat(r.err()).as(r.toString()).contains("imported 2 calls").contains("skipped 1 call(s)");
        assertThat(count(home, "SELECT count(*) FROM calls")).isEqualTo(2);
    }
}
