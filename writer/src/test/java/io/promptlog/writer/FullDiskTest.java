package io.promptlog.writer;

import io.promptlog.testsupport.Tmpfs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A full disk, for real: the home is on a small tmpfs mounted for the test (needs root or CAP_SYS_ADMIN;
 * skipped with a message otherwise). Appends fill it; from then on the caller gets
 * {@code DROPPED_IO_ERROR} and never an exception, the drops are counted, and every call appended before
 * the disk filled reads back intact. Once space is freed, appends succeed again.
 *
 * <p>The second test needs no privilege: a child JVM runs under {@code ulimit -f} (a file-size limit),
 * so growing the queue file past it fails ({@code EFBIG}, the JVM ignores SIGXFSZ).
 */
class FullDiskTest {
    private static final int FS_BYTES = 8 << 20;

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
        tmpfs = Tmpfs.mount(dir.resolve("mnt"), Integer.toString(FS_BYTES));
        Assumptions.assumeTrue(tmpfs != null, "cannot mount a tmpfs here (needs root or CAP_SYS_ADMIN): "
                + "skipping the full-disk test");
        return tmpfs.dir();
    }

    @Test
    @Timeout(120)
    void shouldDropWithIoErrorAndKeepEarlierCallsWhenDiskFills() throws Exception {
        Path fs = mountSmallTmpfs();
        Path filler = fs.resolve("filler");
        Files.write(filler, new byte[2 << 20]);
        Path home = fs.resolve("home");
        PromptLog log = PromptLog.open(PromptLogConfig.builder(home).shardCount(2).build());
        assertThat(log.isAvailable()).as(String.valueOf(log.stats().lastError())).isTrue();

        List<Long> appended = new ArrayList<>();
        int drops = 0;
        long seq = 0;
        // fill the disk: stop after 20 drops in a row
        for (int inARow = 0; inARow < 20 && seq < 100_000; seq++) {
            int status = appendQuietly(log, seq);
            if (AppendStatus.isAppended(status)) {
                appended.add(seq);
                inARow = 0;
            } else {
                assertThat(status).as("status of a failed append on a full disk (%s)", log.stats().lastError()).isEqualTo(AppendStatus.DROPPED_IO_ERROR);
                drops++;
                inARow++;
            }
        }
        PromptLogStats full = log.stats();
        System.out.println("disk full after " + appended.size() + " calls; " + full);
        assertThat(appended.size()).as("calls appended before the disk filled").isGreaterThan(10);
        assertThat(drops).isGreaterThanOrEqualTo(20);
        assertThat(full.droppedIoError()).isEqualTo(drops);
        assertThat(full.lastError()).isNotNull();

        // free space: appends succeed again
        Files.delete(filler);
        int after = 0;
        for (int i = 0; i < 20; i++, seq++) {
            if (AppendStatus.isAppended(appendQuietly(log, seq))) {
                appended.add(seq);
                after++;
            }
        }
        System.out.println("after freeing 2 MiB: " + after + " of 20 appended; " + log.stats());
        assertThat(after).as("appends after space was freed").isGreaterThan(0);
        log.close();

        BitSet seen = new BitSet();
        for (Path shard : PromptLogHome.shardDirs(home)) {
            try (ShardCursor c = ShardCursor.open(shard)) {
                while (c.next()) {
                    LlmCall call = c.decode();
                    long s = SeqCalls.seqOf(call);
                    if (!call.equals(SeqCalls.call(s))) {
                        throw new AssertionError("record of seq " + s + " at index " + Long.toHexString(c.index())
                                + " differs: " + SeqCalls.diff(SeqCalls.call(s), call));
                    }
                    assertThat(seen.get((int) s)).as("seq %d twice", s).isFalse();
                    seen.set((int) s);
                }
            }
        }
        for (long s : appended) {
            assertThat(seen.get((int) s)).as("appended seq %d read back", s).isTrue();
        }
    }

    @Test
    @Timeout(60)
    void shouldDropWithIoErrorWhenDiskIsNearlyFullBeforeTheFirstAppendAndRecoverWhenFreed() throws Exception {
        Path fs = mountSmallTmpfs();
        Path filler = fs.resolve("filler");
        Files.write(filler, new byte[FS_BYTES - (512 << 10)]); // leaves ~0.5 MiB: room to open, not for a cycle file
        Path home = fs.resolve("home");
        PromptLog log = PromptLog.open(PromptLogConfig.builder(home).shardCount(2).build());
        assertThat(log.isAvailable()).as(String.valueOf(log.stats().lastError())).isTrue();
        for (long seq = 0; seq < 10; seq++) {
            assertThat(appendQuietly(log, seq)).isEqualTo(AppendStatus.DROPPED_IO_ERROR);
        }
        assertThat(log.stats().droppedIoError()).isEqualTo(10);
        assertThat(log.stats().lastError()).contains(home.toString());

        Files.delete(filler);
        for (long seq = 10; seq < 20; seq++) {
            assertThat(appendQuietly(log, seq)).as("after freeing space: %s", log.stats().lastError()).isEqualTo(AppendStatus.OK);
        }
        log.close();
        BitSet seen = new BitSet();
        for (Path shard : PromptLogHome.shardDirs(home)) {
            try (ShardCursor c = ShardCursor.open(shard)) {
                while (c.next()) {
                    LlmCall call = c.decode();
                    long s = SeqCalls.seqOf(call);
                    assertThat(call).isEqualTo(SeqCalls.call(s));
                    seen.set((int) s);
                }
            }
        }
        assertThat(seen.get(0, 10).isEmpty()).isTrue();
        assertThat(seen.get(10, 20).cardinality()).isEqualTo(10);
    }

    /** An append as the caller sees it: anything thrown here is a bug. */
    private static int appendQuietly(PromptLog log, long seq) {
        LlmCall call = SeqCalls.call(seq);
        try {
            return log.append(call);
        } catch (Throwable t) {
            throw new AssertionError("append of seq " + seq + " threw into the caller", t);
        }
    }

    @Test
    @Timeout(120)
    void shouldDropWithIoErrorAndKeepEarlierCallsWhenFileSizeLimitIsReached() throws Exception {
        Path home = dir.resolve("home");
        // Chronicle maps the cycle file in 64 MiB chunks (file 80 MiB at creation): a 100 MiB limit lets the
        // first chunk fill and makes growing into the second fail
        long limitKiB = 100 * 1024;
        List<String> java = ChildJvm.command(FileSizeLimitChild.class, home.toString());
        StringBuilder cmd = new StringBuilder("ulimit -f " + limitKiB + " && exec");
        for (String arg : java) {
            cmd.append(" '").append(arg.replace("'", "'\\''")).append('\'');
        }
        Path err = dir.resolve("child.err");
        List<String> out;
        try (ChildJvm child = ChildJvm.start(List.of("bash", "-c", cmd.toString()), err)) {
            assertThat(child.process.waitFor(100, TimeUnit.SECONDS)).as("child finished").isTrue();
            child.awaitLine("done", 5_000); // let the reader thread drain stdout
            out = child.output();
            String stderr = Files.readString(err);
            assertThat(child.process.exitValue()).as("child exit; stdout %s; stderr %s", out, stderr).isZero();
            assertThat(stderr).as("nothing printed by the library (e.g. a background thread dying)")
                    .doesNotContain("Exception").doesNotContain("Error");
        }
        BitSet dropped = new BitSet();
        long calls = -1;
        long ioErrors = -1;
        for (String line : out) {
            assertThat(line).as("child output").doesNotStartWith("threw");
            if (line.startsWith("dropped ")) {
                String[] f = line.split(" ");
                assertThat(Integer.parseInt(f[2])).as(line).isEqualTo(AppendStatus.DROPPED_IO_ERROR);
                dropped.set(Integer.parseInt(f[1]));
            } else if (line.startsWith("done ")) {
                String[] f = line.split(" ", 4);
                calls = Long.parseLong(f[1]);
                ioErrors = Long.parseLong(f[2]);
                System.out.println("file size limit " + limitKiB + " KiB: " + line);
            }
        }
        assertThat(calls).as("child reported; output %s", out).isGreaterThan(0);
        assertThat(ioErrors).isEqualTo(dropped.cardinality()).isGreaterThanOrEqualTo(10);
        long appended = calls - dropped.cardinality();
        assertThat(appended).as("calls appended before the limit").isGreaterThan(10);

        BitSet seen = new BitSet();
        for (Path shard : PromptLogHome.shardDirs(home)) {
            try (ShardCursor c = ShardCursor.open(shard)) {
                while (c.next()) {
                    LlmCall call = c.decode();
                    long s = SeqCalls.seqOf(call);
                    if (!call.equals(SeqCalls.call(s))) {
                        throw new AssertionError("record of seq " + s + " at index " + Long.toHexString(c.index())
                                + " differs: " + SeqCalls.diff(SeqCalls.call(s), call));
                    }
                    assertThat(seen.get((int) s)).as("seq %d twice", s).isFalse();
                    seen.set((int) s);
                }
            }
        }
        for (int s = 0; s < calls; s++) {
            assertThat(seen.get(s)).as("seq %d (appended: %s) read back", s, !dropped.get(s)).isEqualTo(!dropped.get(s));
        }
    }
}
