package io.promptlog.reader.internal;

import io.promptlog.format.CallsFileListing;
import io.promptlog.format.DatasetLayout;
import io.promptlog.format.DatasetSchema;
import io.promptlog.reader.TestHomes;
import io.promptlog.writer.LlmCall;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A lookup by start time selects, of a day's calls files, those whose footer statistics may hold the time:
 * files written by the real compactor, one per compaction, on the same day.
 */
@Timeout(120)
class LookupFilesTest {
    private static final long MORNING = 1_795_132_800_000_000L + 8 * 3_600_000_000L; // 2026-11-20 08:00 UTC
    private static final long HOUR = 3_600_000_000L;
    private static final LocalDate DAY = LocalDate.of(2026, 11, 20);

    @TempDir
    Path home;

    @Test
    void shouldSelectOnlyTheFilesWhoseStartTimesCanHoldTheTime() throws Exception {
        List<Path> files = threeFilesOneDay();
        LookupFiles lookup = new LookupFiles(DatasetSchema.START_TIME);

        LookupFiles.Selection noon = all(lookup, files, MORNING + HOUR, MORNING + HOUR + 1);
        assertThat(noon.files()).containsExactly(files.get(1));
        assertThat(noon.allCurrent()).isTrue();
        assertThat(all(lookup, files, MORNING, MORNING + 1).files()).containsExactly(files.get(0));
        // both ends of a file's range are in it: its second call starts 10 minutes after its first
        assertThat(all(lookup, files, MORNING + 2 * HOUR + 600_000_000L, MORNING + 2 * HOUR + 600_000_001L).files())
                .containsExactly(files.get(2));
        assertThat(all(lookup, files, MORNING + 2 * HOUR + 600_000_001L, MORNING + 3 * HOUR).files()).isEmpty();
        assertThat(all(lookup, files, MORNING - HOUR, MORNING).files()).as("the end of the range is excluded").isEmpty();
        assertThat(all(lookup, files, MORNING, MORNING + 3 * HOUR).files()).containsExactlyElementsOf(files);
    }

    @Test
    void shouldSelectAFileWhoseFooterCannotBeReadAndBindItByName() throws Exception {
        List<Path> files = threeFilesOneDay();
        LookupFiles lookup = new LookupFiles(DatasetSchema.START_TIME);
        assertThat(all(lookup, files, MORNING, MORNING + 1).files()).containsExactly(files.get(0));

        // a file whose footer is overwritten after it was first read (its length and magic kept): the file
        // changed, so its footer is read again, fails to decode, and the file is kept
        byte[] bytes = Files.readAllBytes(files.get(2));
        int footerLength = java.nio.ByteBuffer.wrap(bytes, bytes.length - 8, 4).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt();
        java.util.Arrays.fill(bytes, bytes.length - 8 - footerLength, bytes.length - 8, (byte) 0xFF);
        rewrite(files.get(2), bytes);
        LookupFiles.Selection s = all(lookup, files, MORNING, MORNING + 1);
        assertThat(s.files()).containsExactly(files.get(0), files.get(2));
        assertThat(s.allCurrent()).as("an unreadable file is bound by name").isFalse();

        Files.delete(files.get(1));
        assertThat(all(lookup, files, MORNING + HOUR, MORNING + HOUR + 1).files())
                .as("a file gone since the listing is left to the query, which reports it").contains(files.get(1));
    }

    @Test
    void shouldReadAFileAgainWhenItWasRewrittenInPlace() throws Exception {
        List<Path> files = threeFilesOneDay();
        LookupFiles lookup = new LookupFiles(DatasetSchema.START_TIME);
        assertThat(all(lookup, files, MORNING, MORNING + 1).files()).containsExactly(files.get(0));

        // the first file's content replaced by the third's under the first's name
        rewrite(files.get(0), Files.readAllBytes(files.get(2)));
        assertThat(all(lookup, files, MORNING, MORNING + 1).files()).isEmpty();
        assertThat(all(lookup, files, MORNING + 2 * HOUR, MORNING + 2 * HOUR + 1).files())
                .containsExactly(files.get(0), files.get(2));
    }

    @Test
    void shouldFindTheFileOfATimeInALongRunByReadingFewFooters() throws Exception {
        List<Path> files = new ArrayList<>();
        for (int f = 0; f < 16; f++) {
            files.add(compactOneFile(MORNING + f * HOUR / 2, f));
        }
        LookupFiles lookup = new LookupFiles(DatasetSchema.START_TIME);
        for (int f : new int[] {0, 5, 11, 15}) {
            long t = MORNING + f * HOUR / 2;
            long before = lookup.footersRead();
            assertThat(lookup.likely(files, t, t + 1).files()).containsExactly(files.get(f));
            assertThat(lookup.footersRead() - before).as("footers read for file %d of 16", f).isLessThanOrEqualTo(5);
            assertThat(lookup.rest(files, t, t + 1, List.of(files.get(f))).files()).isEmpty();
        }
        assertThat(lookup.footersRead()).as("each footer read once").isLessThanOrEqualTo(16);
        long between = MORNING + 3 * HOUR / 2 + 700_000_000L; // after file 3's last call, before file 4's first
        assertThat(lookup.likely(files, between, between + 1).files()).isEmpty();
    }

    @Test
    void shouldLeaveACallAppendedLongAfterItStartedToTheSecondStep() throws Exception {
        List<Path> files = new ArrayList<>();
        files.add(compactOneFile(MORNING, 0));
        files.add(compactOneFile(MORNING + HOUR, 2));
        // the third file also holds a call that started at 08:30 (a long call, or a late two-phase completion)
        long late = MORNING + HOUR / 2;
        TestHomes.append(home, call(MORNING + 2 * HOUR, 4), call(late, 5));
        TestHomes.compact(home, "all", "none");
        files = new ArrayList<>(CallsFileListing.listDay(home.resolve("data"), DAY));
        LookupFiles lookup = new LookupFiles(DatasetSchema.START_TIME);

        LookupFiles.Selection first = lookup.likely(files, late, late + 1);
        assertThat(first.files()).as("the binary search sees 08:30 between the first two files").isEmpty();
        assertThat(lookup.rest(files, late, late + 1, first.files()).files()).containsExactly(files.get(2));
    }

    @Test
    void shouldGroupTheFilesOfADayIntoRunsInQueueOrder() {
        Path dir = Path.of("/data/calls/date=2026-11-20");
        String q = "00000000000000aa";
        Path s0b = dir.resolve(DatasetLayout.batchName("h1", q, 0, 0x200, 0x2ff) + ".parquet");
        Path s0a = dir.resolve(DatasetLayout.batchName("h1", q, 0, 0x100, 0x1ff) + ".parquet");
        Path s1a = dir.resolve(DatasetLayout.batchName("h1", q, 1, 0x100, 0x1ff) + ".parquet");
        Path h2 = dir.resolve(DatasetLayout.batchName("h2", q, 0, 0x50, 0x60) + ".parquet");
        Path m10 = dir.resolve(DatasetLayout.mergedName(7, 10));
        Path m2 = dir.resolve(DatasetLayout.mergedName(7, 2));
        Path m8 = dir.resolve(DatasetLayout.mergedName(8, 0));
        Path foreign = dir.resolve("exported.parquet");
        Path hugePart = dir.resolve("merged_0000000000000007_p99999999999999999999.parquet");

        assertThat(LookupFiles.runs(List.of(s0b, m10, s1a, foreign, s0a, h2, m2, m8, hugePart)))
                .containsExactly(List.of(s0a, s0b), List.of(m2, m10), List.of(s1a), List.of(foreign), List.of(h2), List.of(m8),
                        List.of(hugePart));
    }

    /** Replaces {@code file}'s content in place, its modification time 5 s later (as a rewrite would leave it). */
    private static void rewrite(Path file, byte[] content) throws java.io.IOException {
        FileTime before = Files.getLastModifiedTime(file);
        Files.write(file, content);
        Files.setLastModifiedTime(file, FileTime.fromMillis(before.toMillis() + 5_000));
    }

    /** Every file that may hold the time: the likely ones, then the rest. */
    private static LookupFiles.Selection all(LookupFiles lookup, List<Path> files, long from, long to) {
        LookupFiles.Selection first = lookup.likely(files, from, to);
        LookupFiles.Selection rest = lookup.rest(files, from, to, first.files());
        List<Path> both = new ArrayList<>(first.files());
        both.addAll(rest.files());
        both.sort(java.util.Comparator.comparingInt(files::indexOf));
        return new LookupFiles.Selection(both, first.allCurrent() && rest.allCurrent());
    }

    /** Three compactions of two calls each, 08:00-08:10, 09:00-09:10 and 10:00-10:10 of one day: three files. */
    private List<Path> threeFilesOneDay() throws Exception {
        for (int f = 0; f < 3; f++) {
            long start = MORNING + f * HOUR;
            TestHomes.append(home, call(start, f * 2), call(start + 600_000_000L, f * 2 + 1));
            TestHomes.compact(home, "all", "none");
        }
        List<Path> files = new ArrayList<>(CallsFileListing.listDay(home.resolve("data"), DAY));
        assertThat(files).hasSize(3);
        return files;
    }

    /** One compaction of two calls, at {@code startMicros} and 10 minutes later: the new file. */
    private Path compactOneFile(long startMicros, int n) throws Exception {
        java.util.Set<Path> before = new java.util.HashSet<>(CallsFileListing.listDay(home.resolve("data"), DAY));
        TestHomes.append(home, call(startMicros, n * 2), call(startMicros + 600_000_000L, n * 2 + 1));
        TestHomes.compact(home, "all", "none");
        List<Path> added = new ArrayList<>(CallsFileListing.listDay(home.resolve("data"), DAY));
        added.removeAll(before);
        assertThat(added).hasSize(1);
        return added.get(0);
    }

    private static LlmCall call(long startMicros, int n) {
        String ms = String.format(Locale.ROOT, "%012x", startMicros / 1000);
        String id = ms.substring(0, 8) + "-" + ms.substring(8) + "-7abc-8def-" + String.format(Locale.ROOT, "%012x", n);
        return LlmCall.builder().callId(id).startTimeMicros(startMicros).requestModel("m")
                .systemPrompt("You help.").message("user", "q" + n).response("a" + n).status("ok").build();
    }
}
