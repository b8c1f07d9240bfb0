package io.promptlog.format;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The listing at every state a merge passes through (files stand in for Parquet: only names matter here). */
class CallsFileListingTest {
    static final LocalDate DAY = LocalDate.of(2026, 11, 20);

    @Test
    void shouldListEachCallsFileOnceAtEveryStepOfAMerge(@TempDir Path data) throws Exception {
        Path dir = DatasetLayout.dateDir(data, DAY);
        Files.createDirectories(dir);
        Files.createDirectories(DatasetLayout.metaDir(data));
        Path s1 = touch(dir.resolve("h_00000000000000aa_s0_0000000000000000-0000000000000009.parquet"));
        Path s2 = touch(dir.resolve("h_00000000000000aa_s0_000000000000000a-0000000000000013.parquet"));
        Path other = touch(DatasetLayout.dateDir(data, DAY.plusDays(1)).resolve("h_00000000000000aa_s0_0000000000000014-0000000000000020.parquet"));
        List<Path> sources = List.of(abs(s1), abs(s2), abs(other));
        assertThat(CallsFileListing.list(data)).containsExactlyInAnyOrderElementsOf(sources);

        MergeJournal prepared = new MergeJournal(DAY, 1, false, List.of(s1.getFileName().toString(), s2.getFileName().toString()), List.of());
        Path journal = DatasetLayout.mergeJournal(data, DAY);
        Files.write(journal, prepared.render());
        assertThat(CallsFileListing.list(data)).as("journal written").containsExactlyInAnyOrderElementsOf(sources);
        touch(DatasetLayout.tempFor(dir.resolve(DatasetLayout.mergedName(1, 0))));
        Path p0 = touch(dir.resolve(DatasetLayout.mergedName(1, 0)));
        Path p1 = touch(dir.resolve(DatasetLayout.mergedName(1, 1)));
        assertThat(CallsFileListing.list(data)).as("targets renamed, not committed").containsExactlyInAnyOrderElementsOf(sources);

        Files.write(journal, prepared.committed(List.of(p0.getFileName().toString(), p1.getFileName().toString())).render());
        List<Path> merged = List.of(abs(p0), abs(p1), abs(other));
        assertThat(CallsFileListing.list(data)).as("committed").containsExactlyInAnyOrderElementsOf(merged);
        Files.writeString(DatasetLayout.mergeEpochFile(data), "1\n");
        Files.delete(s1);
        assertThat(CallsFileListing.list(data)).as("one source deleted").containsExactlyInAnyOrderElementsOf(merged);
        Files.delete(s2);
        Files.delete(journal);
        assertThat(CallsFileListing.list(data)).as("done").containsExactlyInAnyOrderElementsOf(merged);
        assertThat(CallsFileListing.readEpoch(data)).isEqualTo(1);
    }

    @Test
    void shouldRoundTripAJournalAndRejectDamagedOnesByName(@TempDir Path data) throws Exception {
        MergeJournal j = new MergeJournal(DAY, 17, false, List.of("a.parquet", "b.parquet"), List.of());
        Files.createDirectories(DatasetLayout.metaDir(data));
        Path f = DatasetLayout.mergeJournal(data, DAY);
        Files.write(f, j.render());
        assertThat(MergeJournal.read(f)).isEqualTo(j);
        assertThat(j.isTarget(DatasetLayout.mergedName(17, 3))).isTrue();
        assertThat(j.isTarget(DatasetLayout.mergedName(18, 0))).isFalse();
        assertThat(j.isTarget("a.parquet")).isFalse();
        MergeJournal c = j.committed(List.of(DatasetLayout.mergedName(17, 0)));
        assertThat(c.isTarget(DatasetLayout.mergedName(17, 0))).isTrue();
        assertThat(c.isTarget(DatasetLayout.mergedName(17, 1))).isFalse();
        assertThat(MergeJournal.read(data.resolve("missing.journal"))).isNull();

        Files.writeString(f, "state=maybe\ndate=2026-11-20\nseq=1\nsource=a.parquet\n");
        assertThatThrownBy(() -> CallsFileListing.list(data)).hasMessageContaining(f.toString()).hasMessageContaining("maybe");
        Files.writeString(f, "state=prepared\ndate=2026-11-20\nseq=1\nsource=../../escape.parquet\n");
        assertThatThrownBy(() -> MergeJournal.read(f)).hasMessageContaining("not a calls file name");
        Files.writeString(f, "\u0000\u0001garbage");
        assertThatThrownBy(() -> MergeJournal.read(f)).hasMessageContaining(f.toString());
        Files.delete(f);
        Files.writeString(DatasetLayout.mergeEpochFile(data), "seven");
        assertThatThrownBy(() -> CallsFileListing.list(data)).hasMessageContaining("merge.epoch").hasMessageContaining("seven");
    }

    @Test
    void shouldNameMergedFilesSoNoBatchNameMatches() {
        String n = DatasetLayout.mergedName(0xabcL, 2);
        assertThat(n).isEqualTo("merged_0000000000000abc_p2.parquet");
        assertThat(DatasetLayout.isMerged(n)).isTrue();
        assertThat(DatasetLayout.parse(n)).isNull();
        assertThat(DatasetLayout.isMerged("h_00000000000000aa_s0_0000000000000000-0000000000000009.parquet")).isFalse();
    }

    private static Path touch(Path p) throws Exception {
        Files.createDirectories(p.getParent());
        return Files.createFile(p);
    }

    private static Path abs(Path p) {
        return p.toAbsolutePath().normalize();
    }
}
