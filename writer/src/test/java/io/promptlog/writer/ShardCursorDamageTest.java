package io.promptlog.writer;

import io.promptlog.writer.internal.CycleFile;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Damage in a queue cycle file never hides the records after it, nor records appended later: the cursor
 * skips the damaged stretch, names it, and keeps Chronicle's indexes for everything else.
 */
@Timeout(120)
class ShardCursorDamageTest {
    private static final int CALLS = 400;
    private final long seed = Long.getLong("promptlog.test.seed", System.nanoTime());
    private final Random random = new Random(seed);

    @TempDir
    Path home;
    private Path shard;
    private Path cycle;
    /** seq -> {position, length} of its record in the cycle file, before any damage. */
    private final TreeMap<Long, long[]> layout = new TreeMap<>();
    /** seq -> Chronicle index, before any damage. */
    private final TreeMap<Long, Long> indexes = new TreeMap<>();

    static LlmCall call(long seq) {
        return LlmCall.builder().callId("call-" + seq).startTimeMicros(1_700_000_000_000_000L + seq)
                .requestModel("gpt-4o").systemPrompt("You are terse. " + "x".repeat((int) (seq % 50)))
                .message("user", "question " + seq + " " + "q".repeat(1500 + (int) (seq * 37 % 1000)))
                .response("answer " + seq).inputTokens(seq).attributes(java.util.Map.of("seq", Long.toString(seq)))
                .build();
    }

    private void append(long from, long to) {
        try (PromptLog log = PromptLog.open(PromptLogConfig.builder(home).shardCount(1).pretouch(false)
                .backgroundCompaction(false).build())) {
            for (long s = from; s < to; s++) {
                assertThat(log.append(call(s))).isEqualTo(AppendStatus.OK);
            }
        }
    }

    @BeforeEach
    void logAndMap() throws Exception {
        System.out.println("seed " + seed + " (rerun with -Dpromptlog.test.seed=" + seed + ")");
        append(0, CALLS);
        shard = PromptLogHome.shardDir(home, 0);
        try (Stream<Path> s = Files.list(shard)) {
            cycle = s.filter(p -> p.toString().endsWith(".cq4")).findFirst().orElseThrow();
        }
        try (CycleFile f = new CycleFile(cycle)) {
            f.walk((pos, len, meta) -> {
                if (!meta) {
                    layout.put((long) layout.size(), new long[] {pos, len});
                }
            });
        }
        assertThat(layout).hasSize(CALLS);
        assertThat(read(indexes, new ArrayList<>())).as("texts lost with no damage").isZero();
    }

    /**
     * Reads the shard: seq -> index of every record read; the stretches skipped into {@code skipped}. A
     * record whose system prompt refers to a definition the damage destroyed is read as the compactor reads
     * it (its own fields kept, the prompt named lost); returns how many were.
     */
    private int read(TreeMap<Long, Long> out, List<CorruptStretch> skipped) throws CorruptRecordException {
        int lostTexts = 0;
        try (ShardCursor c = ShardCursor.open(shard)) {
            while (c.next()) {
                List<String> lost = new ArrayList<>();
                LlmCall call = c.decodeKeepingMetadata(null, lost);
                long seq = Long.parseLong(call.attributes().get("seq"));
                if (lost.isEmpty()) {
                    assertThat(call).as("seed %d: record of seq %d", seed, seq).isEqualTo(call(seq));
                } else {
                    lostTexts++;
                    assertThat(call).as("seed %d: record of seq %d, its prompt's definition damaged", seed, seq)
                            .isEqualTo(withoutPrompt(call(seq)));
                }
                assertThat(out.put(seq, c.index())).as("seed %d: seq %d read twice", seed, seq).isNull();
            }
            skipped.addAll(c.skipped());
            assertThat(c.skippedCount()).isEqualTo(c.skipped().size());
        }
        return lostTexts;
    }

    /** A call as read when the record defining its system prompt was destroyed. */
    static LlmCall withoutPrompt(LlmCall call) {
        return call.toBuilder().systemPrompt(null).attribute(ShardCursor.LOST_TEXT_ATTRIBUTE, "system_prompt").build();
    }

    private void damage(long offset, int bytes) throws Exception {
        byte[] junk = new byte[bytes];
        random.nextBytes(junk);
        try (RandomAccessFile f = new RandomAccessFile(cycle.toFile(), "rw")) {
            f.seek(offset);
            f.write(junk);
        }
    }

    private void putInt(long offset, int value) throws Exception {
        try (RandomAccessFile f = new RandomAccessFile(cycle.toFile(), "rw")) {
            f.seek(offset);
            f.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(value).array());
        }
    }

    /** Seqs of the records that overlap [from, to). */
    private List<Long> overlapping(long from, long to) {
        List<Long> out = new ArrayList<>();
        layout.forEach((seq, r) -> {
            if (r[0] < to && r[0] + 4 + r[1] > from) {
                out.add(seq);
            }
        });
        return out;
    }

    private void assertReadAllBut(List<Long> lost, List<CorruptStretch> skipped, TreeMap<Long, Long> got) {
        TreeMap<Long, Long> expected = new TreeMap<>(indexes);
        lost.forEach(expected::remove);
        assertThat(got).as("seed %d: every record outside the damage, with Chronicle's own index", seed)
                .isEqualTo(expected);
        assertThat(skipped).as("seed %d", seed).isNotEmpty();
        for (CorruptStretch s : skipped) {
            assertThat(s.file()).isEqualTo(cycle);
            assertThat(s.toString()).contains(cycle.getFileName().toString()).contains("bytes " + s.fromByte() + "..");
        }
    }

    @Test
    void shouldSkipRandomBytesOverSeveralRecordsAndReadEverythingAfterThem() throws Exception {
        long[] mid = layout.get(CALLS / 2L);
        long from = mid[0] + 100;
        damage(from, 16 * 1024);
        TreeMap<Long, Long> got = new TreeMap<>();
        List<CorruptStretch> skipped = new ArrayList<>();
        read(got, skipped);
        assertReadAllBut(overlapping(from, from + 16 * 1024), skipped, got);
        assertThat(skipped).hasSize(1);
        assertThat(skipped.get(0).fromByte()).isLessThanOrEqualTo(from);
        assertThat(skipped.get(0).toByte()).isGreaterThanOrEqualTo(from + 16 * 1024);
    }

    @Test
    void shouldSkipExactlyTheOneRecordWhoseTextIsDamagedAndNameItsIndex() throws Exception {
        long seq = CALLS / 3;
        long[] r = layout.get(seq);
        long from = r[0] + r[1] - 700; // inside the user message, the record's header intact
        damage(from, 256);
        TreeMap<Long, Long> got = new TreeMap<>();
        List<CorruptStretch> skipped = new ArrayList<>();
        read(got, skipped);
        assertReadAllBut(List.of(seq), skipped, got);
        assertThat(skipped).hasSize(1);
        assertThat(skipped.get(0).index()).isEqualTo(indexes.get(seq));
        assertThat(skipped.get(0).fromByte()).isEqualTo(r[0]);
    }

    @Test
    void shouldContainAHeaderWhoseLengthPointsPastTheEndOfTheFile() throws Exception {
        long seq = CALLS / 4;
        long[] r = layout.get(seq);
        long size = Files.size(cycle);
        putInt(r[0], (int) Math.min(CycleFile.LENGTH_MASK, size - r[0] + 8192)); // reading it faults a mapping
        TreeMap<Long, Long> got = new TreeMap<>();
        List<CorruptStretch> skipped = new ArrayList<>();
        read(got, skipped);
        assertReadAllBut(List.of(seq), skipped, got);
    }

    /**
     * A forged header whose length runs past the end of the file, as a record or as Chronicle metadata (which
     * Chronicle's tailer skips by its length), on many records in turn. Before the chain of headers was checked
     * ahead of the tailer, the tailer followed such a length into its mapping beyond the file: the SIGBUS came
     * back as an {@code InternalError} raised late, in whatever code ran next (this test's, a HashMap's, a file
     * close), in most rounds under {@code -Xcomp}, or silently ended the shard early (about one round in 100
     * with the default JIT). Now every other record is read, with its own index, and the stretch is named.
     */
    @Test
    void shouldReadEveryOtherRecordWhenForgedLengthsRunPastTheEndOfTheFile() throws Exception {
        long size = Files.size(cycle);
        int rounds = Integer.getInteger("promptlog.test.pastEndRounds", 60);
        System.out.println("forged lengths past the end of the file: " + rounds
                + " rounds (-Dpromptlog.test.pastEndRounds=N for more), seed " + seed);
        for (int round = 0; round < rounds; round++) {
            long seq = 1 + random.nextInt(CALLS - 2);
            long[] r = layout.get(seq);
            long past = size - r[0] - 4 + 1 + random.nextInt(round % 2 == 0 ? 4096 : 1 << 20);
            int header = (int) Math.min(CycleFile.LENGTH_MASK, past) | (round % 4 < 2 ? CycleFile.META_DATA : 0);
            String what = "seed " + seed + ", round " + round + ": header 0x" + Integer.toHexString(header)
                    + " on seq " + seq + " at byte " + r[0];
            int original = (int) r[1];
            putInt(r[0], header);
            try {
                TreeMap<Long, Long> got = new TreeMap<>();
                List<CorruptStretch> skipped = new ArrayList<>();
                try {
                    read(got, skipped);
                } catch (InternalError e) {
                    throw new AssertionError(what + ": a memory fault escaped", e);
                }
                TreeMap<Long, Long> expected = new TreeMap<>(indexes);
                expected.remove(seq);
                assertThat(got).as(what).isEqualTo(expected);
                assertThat(skipped).as(what).anySatisfy(s -> assertThat(s.fromByte()).isEqualTo(r[0]));
            } finally {
                putInt(r[0], original);
            }
        }
    }

    @Test
    void shouldReadRecordsAppendedAfterTheDamage() throws Exception {
        long[] last = layout.get(CALLS - 3L);
        damage(last[0] + 8, 64); // the writer's last records are damaged, then it appends more
        append(CALLS, CALLS + 50);
        TreeMap<Long, Long> got = new TreeMap<>();
        List<CorruptStretch> skipped = new ArrayList<>();
        read(got, skipped);
        for (long s = CALLS; s < CALLS + 50; s++) {
            assertThat(got).as("seed %d: call %d appended after the damage", seed, s).containsKey(s);
        }
        TreeMap<Long, Long> before = new TreeMap<>(got.headMap((long) CALLS));
        assertReadAllBut(overlapping(last[0] + 8, last[0] + 72), skipped, before);
        assertThat(got.get((long) CALLS)).isGreaterThan(indexes.lastEntry().getValue());
    }

    @Test
    void shouldMoveAfterAnIndexBeyondTheDamageToTheRecordThatFollowsIt() throws Exception {
        long from = layout.get(10L)[0] + 40;
        damage(from, 4096);
        List<Long> lost = overlapping(from, from + 4096);
        try (ShardCursor c = ShardCursor.open(shard)) {
            for (long seq : new long[] {lost.get(lost.size() - 1) + 1, CALLS / 2L, CALLS - 2L}) {
                c.moveAfter(indexes.get(seq));
                assertThat(c.next()).as("seed %d: a record after seq %d", seed, seq).isTrue();
                // the prompt's definition may lie in the damage: read the record's own fields, as the compactor does
                assertThat(c.decodeKeepingMetadata(null, new ArrayList<>()).attributes().get("seq"))
                        .isEqualTo(Long.toString(seq + 1));
                assertThat(c.index()).isEqualTo(indexes.get(seq + 1));
            }
            c.moveAfter(indexes.get(lost.get(0) - 1));
            assertThat(c.next()).isTrue();
            assertThat(c.decodeKeepingMetadata(null, new ArrayList<>()).attributes().get("seq")).as("seed %d", seed)
                    .isEqualTo(Long.toString(lost.get(lost.size() - 1) + 1));
        }
    }
}
