package io.promptlog.writer;

import io.promptlog.testsupport.SettableClock;
import io.promptlog.writer.internal.HeaderlessCycles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.BitSet;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A writer killed while Chronicle creates a cycle file (at a roll) leaves that file without a published
 * header; Chronicle then waits 10-12 s for the header wherever the cycle is next looked at: in
 * {@code PromptLog.open} once per shard, and in every reader's look. The shapes here are the ones kill -9
 * runs around rolls left (see {@link CrashRecoveryTest}): a file never mapped (0 bytes), an 80 MiB sparse file
 * of zeros (mapped, header word never swapped), and a file whose first word is "not complete" (0x80000000)
 * with the queue's header fields half written after it. The bound on open and read times is 5 s: well under
 * Chronicle's minimum wait of 10 s, so the test fails without the fix, and far over what an open takes on a
 * loaded machine (~0.5 s), so it does not fail on load.
 */
@Timeout(120)
class HeaderlessCycleFileTest {
    private static final long HOUR = 500_000;
    private static final long BOUND_NANOS = 5_000_000_000L;
    private static final DateTimeFormatter HOURLY = DateTimeFormatter.ofPattern("yyyyMMdd-HH'F'").withZone(ZoneOffset.UTC);

    enum Shape { EMPTY, ZEROS, HALF_HEADER }

    @TempDir
    Path home;

    @ParameterizedTest
    @EnumSource(Shape.class)
    void shouldNeitherWaitNorLoseAnythingOnACycleFileAKillLeftWithoutAHeader(Shape shape) throws Exception {
        SettableClock clock = SettableClock.atHour(HOUR);
        append(clock, 0, 100);
        // the writer rolled to the next hour and was killed while creating that cycle file in shard 0
        Path shard = PromptLogHome.shardDir(home, 0);
        Path headerless = shard.resolve(cycleFileName(HOUR + 1));
        byte[] written = makeHeaderless(shard.resolve(cycleFileName(HOUR)), headerless, shape);
        assertThat(HeaderlessCycles.find(shard)).containsExactly(headerless);
        // the queue's listing knows the cycle once anyone opening the shard writable has refreshed it (as the
        // compactor's retention does): from then on Chronicle's readers look at it
        try (var q = PromptLogHome.openShard(shard, RollPeriod.HOURLY, PromptLogConfig.DEFAULT_MAX_RECORD_BYTES, false)) {
            q.refreshDirectoryListing();
            assertThat(q.lastCycle()).as("the listing's last cycle").isEqualTo((int) HOUR + 1);
        }

        // readers, before any writer reopens: every record, no wait however often they look
        long t0 = System.nanoTime();
        assertThat(readAll()).as("records read back before the writer reopens").isEqualTo(range(0, 100));
        try (ShardCursor c = ShardCursor.open(shard)) {
            for (int look = 0; look < 5; look++) {
                while (c.next()) {
                    // read to the end, then look again as a follower does
                }
            }
            assertThat(c.skippedCount()).as("a header-less file is not damage").isZero();
        }
        long readNanos = System.nanoTime() - t0;
        assertThat(readNanos).as("readers took %d ms over a header-less cycle file", readNanos / 1_000_000).isLessThan(BOUND_NANOS);

        clock.advanceHours(1);
        long t1 = System.nanoTime();
        try (PromptLog log = PromptLog.open(config(clock))) {
            long openNanos = System.nanoTime() - t1;
            assertThat(log.isAvailable()).as("open: %s", log.stats().lastError()).isTrue();
            assertThat(openNanos).as("open took %d ms over a header-less cycle file", openNanos / 1_000_000).isLessThan(BOUND_NANOS);
            PromptLogStats stats = log.stats();
            assertThat(stats.headerlessCycleFiles()).isEqualTo(1);
            assertThat(stats.lastError()).contains(headerless.getFileName().toString()).contains("without a header");
            for (long seq = 100; seq < 200; seq++) {
                assertThat(AppendStatus.isAppended(log.append(SeqCalls.call(seq)))).isTrue();
            }
        }
        List<Path> aside = discarded(shard);
        assertThat(aside).as("moved aside, not deleted").hasSize(1);
        assertThat(aside.get(0).getFileName().toString()).startsWith(headerless.getFileName() + "-");
        assertThat(Files.readAllBytes(aside.get(0))).as("the bytes moved aside").isEqualTo(written);
        assertThat(Files.exists(headerless)).as("the writer created that cycle afresh").isTrue();
        assertThat(HeaderlessCycles.isHeaderless(headerless)).isFalse();

        assertThat(readAll()).as("every record, the new ones in the cycle created afresh").isEqualTo(range(0, 200));
        try (PromptLog again = PromptLog.open(config(clock))) {
            assertThat(again.stats().headerlessCycleFiles()).as("nothing left to move at the next open").isZero();
        }
    }

    @Test
    void shouldLeaveTheCycleFilesOfALiveWriterAlone() throws Exception {
        SettableClock clock = SettableClock.atHour(HOUR);
        try (PromptLog live = PromptLog.open(config(clock))) {
            assertThat(AppendStatus.isAppended(live.append(SeqCalls.call(0)))).isTrue();
            clock.advanceHours(1);
            assertThat(AppendStatus.isAppended(live.append(SeqCalls.call(1)))).isTrue();
            // a second writer on the same home, as a second process would open it while the first appends
            try (PromptLog second = PromptLog.open(config(clock))) {
                assertThat(second.stats().headerlessCycleFiles()).isZero();
                assertThat(second.stats().lastError()).isNull();
                assertThat(AppendStatus.isAppended(second.append(SeqCalls.call(2)))).isTrue();
                assertThat(AppendStatus.isAppended(live.append(SeqCalls.call(3)))).isTrue();
            }
        }
        assertThat(readAll()).isEqualTo(range(0, 4));
        for (Path shard : PromptLogHome.shardDirs(home)) {
            assertThat(discarded(shard)).isEmpty();
        }
    }

    private PromptLogConfig config(SettableClock clock) {
        return PromptLogConfig.builder(home).shardCount(2).rollClock(clock).backgroundCompaction(false).build();
    }

    private void append(SettableClock clock, long from, long to) {
        try (PromptLog log = PromptLog.open(config(clock))) {
            for (long seq = from; seq < to; seq++) {
                assertThat(AppendStatus.isAppended(log.append(SeqCalls.call(seq)))).as("append %d: %s", seq,
                        log.stats().lastError()).isTrue();
            }
        }
    }

    private static String cycleFileName(long hour) {
        return HOURLY.format(java.time.Instant.ofEpochSecond(hour * 3600)) + HeaderlessCycles.CYCLE_SUFFIX;
    }

    /** Writes a header-less cycle file of the shape, modelled on a real cycle file; returns its bytes. */
    private static byte[] makeHeaderless(Path real, Path target, Shape shape) throws Exception {
        try (RandomAccessFile f = new RandomAccessFile(target.toFile(), "rw")) {
            switch (shape) {
                case EMPTY -> {
                }
                case ZEROS -> f.setLength(Files.size(real));
                case HALF_HEADER -> {
                    // the header's fields as Chronicle writes them, behind a first word never completed
                    byte[] head = new byte[256];
                    try (RandomAccessFile r = new RandomAccessFile(real.toFile(), "r")) {
                        r.readFully(head);
                    }
                    ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN).putInt(0, 0x8000_0000);
                    f.write(head);
                    f.setLength(Files.size(real));
                }
            }
        }
        return Files.readAllBytes(target);
    }

    private static List<Path> discarded(Path shard) throws Exception {
        try (Stream<Path> s = Files.list(shard)) {
            return s.filter(p -> p.getFileName().toString().endsWith(HeaderlessCycles.DISCARD_SUFFIX)).toList();
        }
    }

    /** The seqs of every record in the home, each checked against what was written; fails on a seq seen twice. */
    private BitSet readAll() throws Exception {
        BitSet seen = new BitSet();
        for (LlmCall call : QueueContents.readAll(home)) {
            long seq = SeqCalls.seqOf(call);
            assertThat(call).isEqualTo(SeqCalls.call(seq));
            assertThat(seen.get((int) seq)).as("seq %d twice", seq).isFalse();
            seen.set((int) seq);
        }
        return seen;
    }

    private static BitSet range(int from, int to) {
        BitSet b = new BitSet();
        b.set(from, to);
        return b;
    }
}
