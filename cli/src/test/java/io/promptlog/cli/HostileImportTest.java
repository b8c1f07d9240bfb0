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
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * import: a bad byte, line or field costs that line only (named FILE:LINE); importing twice adds nothing; and a
 * seeded fuzz of the same (2 rounds in CI).
 */
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

    /** Rounds of {@link #shouldSkipAndNameEveryDamagedLineImportEveryGoodOneOnceAndAddNothingTheSecondTime} in CI. */
    private static final int FUZZ_ROUNDS = Integer.getInteger("promptlog.test.fuzzRuns", 2);

    private static String callId(String line) {
        int at = line.indexOf("\"call_id\":\"") + 11;
        return line.substring(at, line.indexOf('"', at));
    }

    /**
     * Seeded fuzz: the exported file with random lines damaged (an invalid UTF-8 byte, a line cut short, random
     * bytes, a field of the wrong type, a raw NUL) and good lines repeated. Every damaged line is named FILE:LINE
     * and skipped, every good call imported once, the exit code says lines were skipped, and importing the same
     * file again adds nothing. {@code -Dpromptlog.test.fuzzRuns=N} runs more rounds, {@code -Dpromptlog.test.seed=S}
     * replays one run.
     */
    @Test
    void shouldSkipAndNameEveryDamagedLineImportEveryGoodOneOnceAndAddNothingTheSecondTime() throws Exception {
        long seed = Long.getLong("promptlog.test.seed", System.nanoTime());
        System.out.println("seed " + seed + " (rerun with -Dpromptlog.test.seed=" + seed + "), " + FUZZ_ROUNDS
                + " rounds (-Dpromptlog.test.fuzzRuns=N for more)");
        Random rnd = new Random(seed);
        for (int round = 0; round < FUZZ_ROUNDS; round++) {
            ByteArrayOutputStream file = new ByteArrayOutputStream();
            Set<String> imported = new LinkedHashSet<>();
            List<Integer> damaged = new ArrayList<>();
            int lineNo = 0;
            int budget = 12; // the importer names the first 20 problems, then only counts them
            for (String line : good) {
                byte[] b = line.getBytes(StandardCharsets.UTF_8);
                int kind = budget > 0 && rnd.nextInt(4) == 0 ? rnd.nextInt(5) : -1;
                lineNo++;
                switch (kind) {
                    case 0 -> { // an invalid UTF-8 byte somewhere inside
                        b[1 + rnd.nextInt(b.length - 2)] = (byte) (0xF8 + rnd.nextInt(8));
                    }
                    case 1 -> b = java.util.Arrays.copyOf(b, 1 + rnd.nextInt(b.length - 2)); // cut short
                    case 2 -> { // random bytes, one of them never UTF-8
                        b = new byte[1 + rnd.nextInt(300)];
                        rnd.nextBytes(b);
                        for (int i = 0; i < b.length; i++) {
                            b[i] = b[i] == '\n' ? (byte) 0xFF : b[i];
                        }
                        b[rnd.nextInt(b.length)] = (byte) 0xFF;
                    }
                    case 3 -> b = ("{\"call_id\":\"bad-" + round + "-" + lineNo + "\",\"input_tokens\":\""
                            + (rnd.nextBoolean() ? "many" : "-") + "\"}").getBytes(StandardCharsets.UTF_8);
                    case 4 -> { // a raw NUL (JSON allows it only escaped)
                        int at = line.indexOf("\"response\":\"");
                        at = at < 0 ? line.indexOf("\"call_id\":\"") : at;
                        b[at + 12] = 0;
                    }
                    default -> imported.add(callId(line));
                }
                if (kind >= 0) {
                    damaged.add(lineNo);
                    budget--;
                }
                file.write(b);
                file.write('\n');
                if (kind < 0 && rnd.nextInt(10) == 0) { // the same call again: imported once
                    file.write(b);
                    file.write('\n');
                    lineNo++;
                }
            }
            Path f = tmp.resolve("fuzz-" + round + ".jsonl");
            Files.write(f, file.toByteArray());
            Path home = tmp.resolve("home-" + round);
            String what = "seed " + seed + ", round " + round;

            Cli.Result r = Cli.run("import", f.toString(), "--dir", home.toString());
            assertThat(r.code()).as("%s: %s", what, r).isEqualTo(damaged.isEmpty() ? 0 : PromptLogCli.EXIT_FAILURE);
            for (int n : damaged) {
                assertThat(r.err()).as("%s: line %d named", what, n).contains(f.getFileName() + ":" + n + ": skipped: ");
            }
            assertThat(r.err()).as(what).contains("imported " + imported.size() + " calls");
            if (!damaged.isEmpty()) {
                assertThat(r.err()).as(what).contains("skipped " + damaged.size() + " malformed line(s)");
            }
            assertThat(count(home, "SELECT count(*) FROM calls")).as(what).isEqualTo(imported.size());
            assertThat(count(home, "SELECT count(DISTINCT call_id) FROM calls")).as(what).isEqualTo(imported.size());

            Cli.Result again = Cli.run("import", f.toString(), "--dir", home.toString());
            assertThat(again.err()).as("%s, second import: %s", what, again).contains("imported 0 calls");
            assertThat(count(home, "SELECT count(*) FROM calls")).as("%s, after the second import", what)
                    .isEqualTo(imported.size());
            System.out.println(what + ": " + lineNo + " lines, " + damaged.size() + " damaged (named and skipped), "
                    + imported.size() + " calls imported once, none the second time");
        }
    }
}
