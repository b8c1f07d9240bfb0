package io.promptlog.format;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The calls files of a dataset as a consistent snapshot: every call in exactly one listed file, even while
 * a merge of a closed day is between two of its steps. Follows the merge protocol of {@link DatasetLayout}:
 * <ol>
 * <li>read the merge epoch ({@link DatasetLayout#mergeEpochFile});</li>
 * <li>walk {@code calls/} for {@code *.parquet} (hidden temp files excluded);</li>
 * <li>read the merge journals: a committed merge's sources are removed from the list and its targets
 * added; a prepared merge's targets are removed (its sources stand);</li>
 * <li>drop the listed files that no longer exist;</li>
 * <li>read the epoch again: if it moved, a merge committed or was finished by recovery during the listing,
 * and the listing starts over.</li>
 * </ol>
 * Why this is exact: a merge bumps the epoch after its targets are renamed in and its journal says
 * committed, and before it deletes any source; so either that bump came before step 1 (the targets existed
 * during the whole walk and were listed; the sources are either named by a journal read in step 3 or gone
 * by step 4), or it comes after step 5 (no source was deleted before step 5, so all were listed, and the
 * targets are listed only when step 3 read a committed journal, which also removed the sources).
 */
public final class CallsFileListing {
    /** How many times a listing starts over before giving up (merges are rare: a few per day). */
    static final int MAX_ATTEMPTS = 50;

    private CallsFileListing() {
    }

    /** The calls files (absolute, normalized, sorted); empty when there is no {@code calls/} directory. */
    public static List<Path> list(Path data) throws IOException {
        return list(data, null);
    }

    /** The calls files of one {@code date=} partition, the same way (no other day's directory is read). */
    public static List<Path> listDay(Path data, java.time.LocalDate day) throws IOException {
        return list(data, java.util.Objects.requireNonNull(day, "day"));
    }

    private static List<Path> list(Path data, java.time.LocalDate day) throws IOException {
        Path root = day == null ? DatasetLayout.callsDir(data) : DatasetLayout.dateDir(data, day);
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            long before = readEpoch(data);
            Set<Path> found = new TreeSet<>(parquetFilesUnder(root));
            for (MergeJournal j : journals(data)) {
                if (day != null && !day.equals(j.date())) {
                    continue;
                }
                Path dir = DatasetLayout.dateDir(data, j.date()).toAbsolutePath().normalize();
                if (j.committed()) {
                    for (String s : j.sources()) {
                        found.remove(dir.resolve(s));
                    }
                    for (String t : j.targets()) {
                        found.add(dir.resolve(t));
                    }
                } else {
                    found.removeIf(p -> p.getParent().equals(dir) && j.isTarget(p.getFileName().toString()));
                }
            }
            found.removeIf(p -> !Files.isRegularFile(p));
            if (readEpoch(data) == before) {
                return new ArrayList<>(found);
            }
        }
        throw new IOException("the calls files of " + data + " kept changing under " + MAX_ATTEMPTS
                + " listings in a row (merges committing meanwhile); try again");
    }

    /** The merge epoch: how many merge commits the dataset has seen (0 when none). */
    public static long readEpoch(Path data) throws IOException {
        return EpochFile.read(DatasetLayout.mergeEpochFile(data));
    }

    /** Every merge journal in the dataset (those finished while being read are left out). */
    public static List<MergeJournal> journals(Path data) throws IOException {
        Path meta = DatasetLayout.metaDir(data);
        List<MergeJournal> out = new ArrayList<>();
        if (!Files.isDirectory(meta)) {
            return out;
        }
        try (DirectoryStream<Path> s = Files.newDirectoryStream(meta, DatasetLayout.MERGE_JOURNAL_GLOB)) {
            for (Path f : s) {
                MergeJournal j = MergeJournal.read(f);
                if (j != null) {
                    out.add(j);
                }
            }
        }
        return out;
    }

    /**
     * Every {@code *.parquet} under {@code dir} (hidden temp files excluded; absolute, normalized, sorted),
     * tolerating files renamed or deleted during the walk. Without the merge journal: for the text tables.
     */
    public static List<Path> parquetFilesUnder(Path dir) throws IOException {
        List<Path> found = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return found;
        }
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path p, BasicFileAttributes attrs) {
                String name = p.getFileName().toString();
                if (attrs.isRegularFile() && name.endsWith(DatasetLayout.PARQUET) && !name.startsWith(".")) {
                    found.add(p.toAbsolutePath().normalize());
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path p, IOException e) throws IOException {
                if (e instanceof NoSuchFileException) {
                    return FileVisitResult.CONTINUE; // renamed or deleted while we walked
                }
                throw e;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                if (e != null && !(e instanceof NoSuchFileException)) {
                    throw e;
                }
                return FileVisitResult.CONTINUE;
            }
        });
        found.sort(null);
        return found;
    }
}
