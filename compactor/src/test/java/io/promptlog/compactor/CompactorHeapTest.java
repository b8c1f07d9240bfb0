package io.promptlog.compactor;

import io.promptlog.synthetic.Generate;
import io.promptlog.synthetic.GenerateOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The compactor often runs inside the app it logs for, with the app's heap: its batches are sized from the
 * heap ({@link CompactorConfig#defaultMaxBatchBytes}), so a backlog far larger than the heap compacts in a
 * small one. With the old fixed 128 MiB batches, a 96 MiB JVM ran out of memory on this backlog.
 */
@Timeout(300)
class CompactorHeapTest {
    private static final long MIB = 1024 * 1024;

    @TempDir
    Path tmp;

    @Test
    void shouldCompactABacklogLargerThanTheHeapInASmallHeap() throws Exception {
        Path home = tmp.resolve("home");
        int calls = 40_000; // about 110 MB of queue, every text kept: more than the child's whole heap
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
        Generate.Result gen = Generate.run(GenerateOptions.builder().home(home).count(calls).progress(false).build(),
                quiet, quiet);
        assertEquals(calls, gen.appended());

        Path log = tmp.resolve("child.log");
        Process p = ChildJvm.start(log, List.of("-Xmx96m"), "once", home.toString(), "all");
        assertTrue(p.waitFor(240, TimeUnit.SECONDS), "the compactor did not finish in 240 s");
        String out = Files.readString(log);
        assertEquals(0, p.exitValue(), "compactor in a 96 MiB heap failed:\n" + out);
        assertTrue(out.contains("compacted " + calls), out);
        try (DuckDataset d = new DuckDataset(home.resolve("data"))) {
            assertEquals(calls, d.count("SELECT count(*) FROM calls"));
            assertEquals(calls, d.count("SELECT count(DISTINCT call_id) FROM calls"));
            // 6 MiB batches of about 7 KiB estimated each: many files, each well under the heap
            assertTrue(d.count("SELECT count(DISTINCT filename) FROM read_parquet('" + home.resolve("data")
                    + "/calls/**/*.parquet', filename=true)") > 10);
        }
    }

    @Test
    void shouldSizeTheDefaultBatchFromTheHeap() {
        assertEquals(8 * MIB, CompactorConfig.defaultMaxBatchBytes(128 * MIB));
        assertEquals(16 * MIB, CompactorConfig.defaultMaxBatchBytes(256 * MIB));
        assertEquals(32 * MIB, CompactorConfig.DEFAULT_MAX_BATCH_BYTES);
        assertEquals(CompactorConfig.DEFAULT_MAX_BATCH_BYTES, CompactorConfig.defaultMaxBatchBytes(512 * MIB));
        assertEquals(CompactorConfig.DEFAULT_MAX_BATCH_BYTES, CompactorConfig.defaultMaxBatchBytes(8192 * MIB));
        assertEquals(CompactorConfig.DEFAULT_MAX_BATCH_BYTES, CompactorConfig.defaultMaxBatchBytes(Long.MAX_VALUE));
        assertEquals(MIB, CompactorConfig.defaultMaxBatchBytes(4 * MIB));
        long heap = Runtime.getRuntime().maxMemory();
        assertEquals(CompactorConfig.defaultMaxBatchBytes(heap),
                CompactorConfig.builder(tmp).build().maxBatchBytes());
    }

    @Test
    void shouldRefuseABatchLargerThanHalfTheHeapNamingTheValue() {
        long heap = Runtime.getRuntime().maxMemory();
        long tooBig = heap / 2 + 1;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CompactorConfig.builder(tmp).maxBatchBytes(tooBig).build());
        assertTrue(e.getMessage().contains("maxBatchBytes " + tooBig) && e.getMessage().contains("-Xmx"), e.getMessage());
        assertEquals(heap / 4, CompactorConfig.builder(tmp).maxBatchBytes(heap / 4).build().maxBatchBytes());
        assertThrows(IllegalArgumentException.class, () -> CompactorConfig.builder(tmp).maxBatchBytes(MIB - 1).build());
    }
}
