package io.promptlog.compactor;

import io.promptlog.testsupport.Await;
import io.promptlog.testsupport.Tmpfs;
import io.promptlog.writer.AppendStatus;
import io.promptlog.writer.PromptLog;
import io.promptlog.writer.PromptLogConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A really full disk under the compactor: the dataset lives on a small tmpfs mounted for the test (needs root
 * or CAP_SYS_ADMIN, as CI has; skipped with a message otherwise), the queue on the ordinary disk. The tmpfs is
 * filled to a random few bytes to a few hundred KiB short of full before each batch, so {@code ENOSPC} strikes
 * wherever the space runs out (in the runs seen, always inside the calls file: pages, row group, footer; the
 * checkpoint is a few hundred bytes and seldom needs a new page). Each time: the pass fails
 * with an IOException naming the cause, the error is counted, no file of the failed batch is visible, the
 * checkpoint on disk covers only what the visible files hold, nothing of the failed write stays open (a deleted
 * temp file held open keeps its blocks), and once space is freed (the filler deleted, or the file system grown
 * with {@code mount -o remount}) the same compactor goes on by itself, and every acknowledged call is in the
 * dataset exactly once. Then a walk: free space raised a page at a time until one batch fits, so the failure
 * moves through the commit up to its last write that needs a new page; then the background mode, failing pass after pass on the full disk
 * while the app keeps logging, resumes on its own when the disk grows.
 *
 * <p>{@value #ROUNDS} rounds in CI; {@code -Dpromptlog.test.fullDiskRounds=N} for more, {@code
 * -Dpromptlog.test.seed=S} to repeat one.
 */
@Timeout(600)
class CompactorFullDiskTest {
    private static final int ROUNDS = Integer.getInteger("promptlog.test.fullDiskRounds", 6);
    private static final String FS_SIZE = "16m";

    @TempDir
    Path dir;
    private Tmpfs tmpfs;

    @AfterEach
    void unmount() throws Exception {
        if (tmpfs != null) {
            tmpfs.close();
        }
    }

    private Path mountSmallTmpfs() throws Exception {
        tmpfs = Tmpfs.mount(dir.resolve("mnt"), FS_SIZE);
        Assumptions.assumeTrue(tmpfs != null, "SKIPPED: cannot mount a tmpfs here (needs root or CAP_SYS_ADMIN; user "
                + System.getProperty("user.name") + "): the real full-disk test of the compactor did not run");
        return tmpfs.dir();
    }

    /** Writes {@code filler} until the file system is full, then gives back {@code leaveFree} bytes. */
    private static void fillLeaving(Path filler, long leaveFree) throws IOException {
        byte[] block = new byte[64 * 1024];
        try (OutputStream out = Files.newOutputStream(filler, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
            while (true) {
                out.write(block);
            }
        } catch (IOException full) {
            assertThat(full).hasMessageContaining("No space left on device");
        }
        try (FileChannel ch = FileChannel.open(filler, StandardOpenOption.WRITE)) {
            ch.truncate(Math.max(0, ch.size() - leaveFree));
        }
    }

    private static List<String> files(Path data, String suffix) throws IOException {
        if (!Files.isDirectory(data)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(data)) {
            return s.filter(p -> p.getFileName().toString().endsWith(suffix)).map(p -> data.relativize(p).toString())
                    .sorted().toList();
        }
    }

    private static long append(PromptLog log, long from, long to) {
        for (long seq = from; seq < to; seq++) {
            int s = log.append(CompactorChild.call(seq));
            assertThat(AppendStatus.isAppended(s)).as("append %d: %s", seq, AppendStatus.describe(s)).isTrue();
        }
        return to;
    }

    private static void assertEveryCallOnce(Path data, long calls, String ctx) throws Exception {
        try (DuckDataset d = new DuckDataset(data)) {
            assertThat(d.count("SELECT count(*) FROM calls")).as("calls in the dataset (%s)", ctx).isEqualTo(calls);
            assertThat(d.count("SELECT count(DISTINCT call_id) FROM calls")).as("distinct call_ids (%s)", ctx).isEqualTo(calls);
            assertThat(d.count("SELECT count(DISTINCT attributes['seq']) FROM calls WHERE attributes['seq']::BIGINT < " + calls))
                    .as("seqs 0..%d (%s)", calls - 1, ctx).isEqualTo(calls);
        }
    }

    /**
     * Runs a pass on the (nearly) full disk. If it fails: an IOException naming ENOSPC, counted; the dataset as a
     * reader sees it holds the batch entirely or not at all, each call once, and the checkpoint on disk advanced only
     * if the batch is visible. Returns whether it failed (false: the batch fitted, as tmpfs allocates whole pages).
     */
    private static boolean failsCleanly(Compactor c, Path data, Path home, Map<Integer, Long> committedBefore,
                                        long visibleBefore, long batchCalls, long errorsBefore, String ctx) throws Exception {
        try {
            c.runOnce();
            System.out.println(ctx + ": the batch fitted");
            return false;
        } catch (IOException e) {
            System.out.println(ctx + ": " + e + "; " + c.stats().lastError());
            assertThat(e.toString() + c.stats().lastError()).as(ctx).contains("No space left on device");
            assertThat(c.stats().errors()).as("errors counted (%s)", ctx).isGreaterThan(errorsBefore);
            // a clear, short message: never parquet-java's dump of a footer (its statistics hold stored values)
            assertThat(e.toString().length() + c.stats().lastError().length()).as("error message length (%s): %s", ctx, e)
                    .isLessThan(1000);
            assertThat(c.stats().lastError()).as(ctx).doesNotContain("FileMetaData").doesNotContain("PageHeader");
            assertThat(files(data, ".parquet")).as("visible files are whole Parquet files (%s)", ctx)
                    .allMatch(f -> !f.contains(".tmp"));
            // nothing of the failed write stays open: a deleted temp file held open keeps its blocks on the full disk
            assertThat(Tmpfs.openFilesUnder(data)).as("descriptors left open on the dataset's files (%s)", ctx)
                    .noneMatch(f -> f.contains(".tmp"));
            long visible;
            try (DuckDataset d = new DuckDataset(data)) {
                visible = d.count("SELECT count(*) FROM calls");
                assertThat(d.count("SELECT count(*) - count(DISTINCT call_id) FROM calls")).as("duplicates (%s)", ctx).isZero();
            }
            assertThat(visible).as("calls visible after the failed pass: all of the batch or none (%s)", ctx)
                    .isIn(visibleBefore, visibleBefore + batchCalls);
            if (!CompactionProgress.committed(home, data).equals(committedBefore)) {
                assertThat(visible).as("checkpoint advanced, so the whole batch is visible (%s)", ctx)
                        .isEqualTo(visibleBefore + batchCalls);
            }
            return true;
        }
    }

    @Test
    void shouldCommitNothingHalfDoneWhenTheDatasetDiskFillsMidBatchAndCarryOnOnceSpaceIsFreed() throws Exception {
        long seed = Long.getLong("promptlog.test.seed", System.nanoTime());
        System.out.println("compactor on a full disk: " + ROUNDS + " rounds (-Dpromptlog.test.fullDiskRounds=N for more), seed "
                + seed + " (rerun with -Dpromptlog.test.seed=" + seed + ")");
        Random rnd = new Random(seed);
        Path fs = mountSmallTmpfs();
        Path data = fs.resolve("data");
        Path filler = fs.resolve("filler");
        Path home = dir.resolve("home");
        CompactorConfig config = CompactorConfig.builder(home).dataDir(data).hostName("full-host")
                .minBatchRows(1).intervalMillis(100).build();
        long appended;
        long failures = 0;
        try (PromptLog log = PromptLog.open(PromptLogConfig.builder(home).shardCount(2).backgroundCompaction(false).build());
             Compactor c = Compactor.open(config)) {
            appended = append(log, 0, 1000);
            c.runOnce();
            assertThat(c.stats().errors()).as("%s", c.stats().lastError()).isZero();
            long perCall = Math.max(1, c.stats().bytesWritten() / 1000);

            for (int round = 0; round < ROUNDS; round++) {
                int calls = 500 + rnd.nextInt(2500);
                // from nothing free to about half the batch's files: the failure lands anywhere in the commit
                long leave = rnd.nextInt(4) == 0 ? rnd.nextInt(8192) : (long) (rnd.nextDouble() * perCall * calls / 2);
                String ctx = "round " + round + ", " + calls + " calls, " + leave + " bytes left free, seed " + seed;
                appended = append(log, appended, appended + calls);
                long visibleBefore = appended - calls;
                Map<Integer, Long> committedBefore = CompactionProgress.committed(home, data);
                long errorsBefore = c.stats().errors();
                fillLeaving(filler, leave);
                if (failsCleanly(c, data, home, committedBefore, visibleBefore, calls, errorsBefore, ctx)) {
                    failures++;
                    // a retry on the still-full disk fails the same way (or has nothing left to write), cleanly
                    failsCleanly(c, data, home, committedBefore, visibleBefore, calls, c.stats().errors(), ctx + ", retried");
                }
                // space is freed: the same compactor carries on
                Files.delete(filler);
                c.runOnce();
                assertEveryCallOnce(data, appended, ctx);
                assertThat(files(data, ".tmp")).as("temp files left behind (%s)", ctx).isEmpty();
            }

            // every failure point of one commit, in order: free space walked up a page at a time until the batch fits
            appended = append(log, appended, appended + 300);
            List<String> failedAt = new java.util.ArrayList<>();
            for (long leave = 0; ; leave += 4096) {
                String ctx = "walk, " + leave + " bytes left free, seed " + seed;
                Map<Integer, Long> committedBefore = CompactionProgress.committed(home, data);
                long errorsBefore = c.stats().errors();
                fillLeaving(filler, leave);
                boolean failed = failsCleanly(c, data, home, committedBefore, appended - 300, 300, errorsBefore, ctx);
                Files.delete(filler);
                if (!failed) {
                    break;
                }
                failedAt.add(leave + ": " + c.stats().lastError());
                assertThat(leave).as("the batch fits in the free space eventually (%s)", ctx).isLessThan(4L << 20);
            }
            System.out.println("walk: the commit of 300 calls failed with " + failedAt.size() + " free-space levels: " + failedAt);
            assertEveryCallOnce(data, appended, "after the walk, seed " + seed);

            // the background mode rides out a full disk by itself: it keeps failing (counted), then resumes
            long leave = 4096;
            fillLeaving(filler, leave);
            long errorsBefore = c.stats().errors();
            c.startBackground();
            appended = append(log, appended, appended + 3000);
            Await.until(() -> c.stats().errors() >= errorsBefore + 2, Duration.ofSeconds(120),
                    () -> "background passes failing on the full disk: " + c.stats());
            tmpfs.resize("64m"); // this time the disk grows (the filler stays)
            long target = appended;
            Await.until(() -> {
                try (DuckDataset d = new DuckDataset(data)) {
                    return d.count("SELECT count(*) FROM calls") == target;
                } catch (java.sql.SQLException e) {
                    return false; // a file renamed while listed: look again
                }
            }, Duration.ofSeconds(120), () -> "background compactor resumed after space was freed: " + c.stats());
            System.out.println("full-disk failures " + failures + " of " + ROUNDS + " rounds; " + c.stats());
            assertThat(c.stats().lastError()).contains("No space left on device");
        }
        assertThat(Tmpfs.openFilesUnder(fs)).as("descriptors left open on the dataset's disk after close").isEmpty();
        assertEveryCallOnce(data, appended, "the end, seed " + seed);
        assertThat(files(data, ".tmp")).as("temp files left behind").isEmpty();
        try (Compactor again = Compactor.open(config)) {
            assertThat(again.runOnce().callsWritten()).as("nothing left to redo").isZero();
            assertThat(again.stats().errors()).isZero();
        }
        assertEveryCallOnce(data, appended, "after a restart, seed " + seed);
    }
}
