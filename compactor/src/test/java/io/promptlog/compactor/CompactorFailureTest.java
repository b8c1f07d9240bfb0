package io.promptlog.compactor;

import io.promptlog.writer.PromptLog;
import io.promptlog.writer.PromptLogConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The compactor failing mid-batch: nothing half-done is visible, and a retry compacts everything once. */
@Timeout(300)
class CompactorFailureTest {

    private static void log(Path home, int from, int to) {
        try (PromptLog log = PromptLog.open(PromptLogConfig.builder(home).shardCount(2).pretouch(false)
                .backgroundCompaction(false).build())) {
            for (int i = from; i < to; i++) {
                log.append(CompactorChild.call(i));
            }
        }
    }

    private static long parquetFiles(Path data) throws Exception {
        if (!Files.isDirectory(data)) {
            return 0;
        }
        try (Stream<Path> s = Files.walk(data)) {
            return s.filter(p -> p.toString().endsWith(".parquet")).count();
        }
    }

    @Test
    void shouldCommitNothingHalfDoneWhenAFileCannotBeWrittenAndCompactEverythingOnceOnRetry(@TempDir Path home)
            throws Exception {
        log(home, 0, 3000);
        Path out = home.resolve("child.log");
        // a 128 KiB file-size limit: the batch's small files fit, its calls file does not (EFBIG mid-batch)
        Process p = ChildJvm.startWithFileSizeLimit(out, 128, "once", home.toString());
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        String child = Files.readString(out);
        assertThat(p.exitValue()).as(child).isNotZero();
        assertThat(child).as("the failure is reported, not swallowed").containsIgnoringCase("file too large");
        assertThat(CompactionProgress.committed(home)).as("nothing committed: %s", child).isEmpty();
        assertThat(parquetFiles(home.resolve("data"))).as("no file of the failed batch is visible").isZero();

        try (Compactor c = Compactor.open(CompactorConfig.builder(home).build())) {
            assertThat(c.runOnce().callsWritten()).isEqualTo(3000);
            assertThat(c.stats().errors()).isZero();
        }
        try (DuckDataset d = new DuckDataset(home.resolve("data"))) {
            assertThat(d.count("SELECT count(*) FROM calls")).isEqualTo(3000);
            assertThat(d.count("SELECT count(DISTINCT call_id) FROM calls")).isEqualTo(3000);
        }
        try (Stream<Path> s = Files.walk(home.resolve("data"))) {
            assertThat(s.filter(f -> f.toString().endsWith(".tmp")).toList()).as("temp files cleaned up").isEmpty();
        }
    }
}
