package io.promptlog.writer;

import io.promptlog.writer.internal.CycleFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Seeded fuzz of the queue reading path: random damage (random bytes, zeros, one flipped bit, a forged
 * header, whose length may run past the end of the file) of random size at a random place of a cycle file,
 * read back with {@link ShardCursor}; and random or mutated bytes given to {@link RecordDecoder}. Nothing
 * throws (no memory fault either, early or late: an {@code InternalError} anywhere, the test's own code
 * included, fails it), every record outside the damage is read with its own index, nothing is read twice.
 * CI runs {@value #DEFAULT_RUNS} rounds of each; {@code -Dpromptlog.test.fuzzRuns=N} runs more (over 1,000 rounds
 * on a loaded machine, add {@code -Djunit.jupiter.execution.timeout.mode=disabled}: each round takes 0.1-0.3 s).
 */
@Timeout(300)
class QueueDamageFuzzTest {
    private static final int DEFAULT_RUNS = 20;
    private static final int RUNS = Integer.getInteger("promptlog.test.fuzzRuns", DEFAULT_RUNS);
    private static final int CALLS = 300;

    @TempDir
    static Path home;
    static Path shard;
    static Path cycle;
    static final TreeMap<Long, long[]> layout = new TreeMap<>();
    static final TreeMap<Long, Long> indexes = new TreeMap<>();
    static long end;

    @BeforeAll
    static void logAndMap() throws Exception {
        try (PromptLog log = PromptLog.open(PromptLogConfig.builder(home).shardCount(1).pretouch(false)
                .backgroundCompaction(false).build())) {
            for (long s = 0; s < CALLS; s++) {
                log.append(ShardCursorDamageTest.call(s));
            }
        }
        shard = PromptLogHome.shardDir(home, 0);
        try (Stream<Path> s = Files.list(shard)) {
            cycle = s.filter(p -> p.toString().endsWith(".cq4")).findFirst().orElseThrow();
        }
        try (CycleFile f = new CycleFile(cycle)) {
            end = f.walk((pos, len, meta) -> {
                if (!meta) {
                    layout.put((long) layout.size(), new long[] {pos, len});
                }
            });
        }
        try (ShardCursor c = ShardCursor.open(shard)) {
            while (c.next()) {
                indexes.put(Long.parseLong(c.decode().attributes().get("seq")), c.index());
            }
        }
        assertThat(indexes).hasSize(CALLS);
    }

    @Test
    void shouldReadEveryRecordOutsideRandomDamageWithItsOwnIndexAndThrowNothing() throws Exception {
        long seed = Long.getLong("promptlog.test.seed", System.nanoTime());
        System.out.println("seed " + seed + " (rerun with -Dpromptlog.test.seed=" + seed + "), " + RUNS
                + " rounds (-Dpromptlog.test.fuzzRuns=N for more)");
        Random rnd = new Random(seed);
        long firstData = layout.firstEntry().getValue()[0];
        int lost = 0;
        long started = System.nanoTime();
        for (int run = 0; run < RUNS; run++) {
            if (run > 0 && run % 100 == 0) {
                System.out.println(run + " rounds in " + (System.nanoTime() - started) / 1_000_000 + " ms");
            }
            long from = firstData + (long) (rnd.nextDouble() * (end - firstData));
            int kind = rnd.nextInt(4);
            int length = kind == 2 ? 1 : kind == 3 ? 4 : 1 + rnd.nextInt(rnd.nextBoolean() ? 300 : 70_000);
            from = kind == 3 ? layout.get((long) rnd.nextInt(CALLS))[0] : from; // forged header: on a real one
            byte[] original = new byte[length];
            byte[] damage = new byte[length];
            try (RandomAccessFile f = new RandomAccessFile(cycle.toFile(), "rw")) {
                f.seek(from);
                f.readFully(original);
                switch (kind) {
                    case 0 -> rnd.nextBytes(damage);
                    case 1 -> { } // zeros
                    case 2 -> damage[0] = (byte) (original[0] ^ (1 << rnd.nextInt(8)));
                    default -> {
                        rnd.nextBytes(damage); // a random length: most run past the end of the file
                        if (rnd.nextBoolean()) {
                            // a length just past the end: Chronicle's mapping of the file's last block reaches there
                            long past = f.length() - from - 4 + 1 + rnd.nextInt(1 << 20);
                            int h = (int) Math.min(CycleFile.LENGTH_MASK, past) | (rnd.nextBoolean() ? CycleFile.META_DATA : 0);
                            java.nio.ByteBuffer.wrap(damage).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(h);
                        }
                    }
                }
                f.seek(from);
                f.write(damage);
            }
            String what = "seed " + seed + ", round " + run + ": " + new String[] {"random", "zero", "bit flip", "header"}[kind]
                    + " bytes " + from + ".." + (from + length);
            try {
                TreeMap<Long, Long> got = new TreeMap<>();
                try {
                    read(got, what);
                } catch (InternalError e) {
                    // from the cursor, or delivered late in this test's own code: either way not contained
                    throw new AssertionError(what + ": a memory fault escaped", e);
                }
                long to = from + length;
                for (var e : layout.entrySet()) {
                    long[] r = e.getValue();
                    boolean hit = r[0] < to && r[0] + 4 + r[1] > from;
                    if (!hit) {
                        assertThat(got.get(e.getKey())).as("%s: record of seq %d (bytes %d..%d)", what, e.getKey(), r[0],
                                r[0] + 4 + r[1]).isEqualTo(indexes.get(e.getKey()));
                    } else if (!got.containsKey(e.getKey())) {
                        lost++;
                    }
                }
            } finally {
                try (RandomAccessFile f = new RandomAccessFile(cycle.toFile(), "rw")) {
                    f.seek(from);
                    f.write(original);
                }
            }
        }
        System.out.println(RUNS + " damaged files read: " + lost + " damaged records skipped, " + undetected
                + " damaged records read with altered content, " + lostTexts
                + " records read without the prompt text their damaged definition held");
    }

    private int undetected;
    private int lostTexts;

    /** Reads the shard as the compactor does: a prompt whose definition the damage destroyed is named lost. */
    private void read(TreeMap<Long, Long> got, String what) throws CorruptRecordException {
        try (ShardCursor c = ShardCursor.open(shard)) {
            while (c.next()) {
                List<String> lostFields = new ArrayList<>();
                LlmCall call = c.decodeKeepingMetadata(null, lostFields);
                long seq = Long.parseLong(call.attributes().get("seq"));
                assertThat(got.put(seq, c.index())).as("%s: seq %d read twice", what, seq).isNull();
                LlmCall expected = ShardCursorDamageTest.call(seq);
                if (!lostFields.isEmpty()) {
                    lostTexts++;
                    assertThat(lostFields).as("%s: seq %d", what, seq).containsExactly("system_prompt");
                    expected = ShardCursorDamageTest.withoutPrompt(expected);
                }
                if (!call.equals(expected)) {
                    undetected++; // damage the checksum missed
                }
            }
        }
    }

    @Test
    void shouldDecodeOrRejectRandomAndMutatedBytesWithoutAnyOtherException() throws Exception {
        long seed = Long.getLong("promptlog.test.seed", System.nanoTime());
        System.out.println("seed " + seed);
        Random rnd = new Random(seed);
        List<byte[]> valid = new ArrayList<>();
        try (ShardCursor c = ShardCursor.open(shard)) {
            while (c.next() && valid.size() < 50) {
                valid.add(java.util.Arrays.copyOf(c.buffer(), c.length()));
            }
        }
        int rejected = 0;
        for (int i = 0; i < RUNS * 250; i++) {
            byte[] b;
            if (rnd.nextInt(4) == 0) {
                b = new byte[rnd.nextInt(200)];
                rnd.nextBytes(b);
            } else {
                byte[] v = valid.get(rnd.nextInt(valid.size()));
                b = java.util.Arrays.copyOf(v, rnd.nextInt(10) == 0 ? rnd.nextInt(v.length + 1) : v.length);
                for (int k = 1 + rnd.nextInt(4); k > 0 && b.length > 0; k--) {
                    b[rnd.nextInt(b.length)] = (byte) rnd.nextInt(256);
                }
            }
            try {
                RecordDecoder.decode(b, 0, b.length);
            } catch (CorruptRecordException e) {
                rejected++;
            } catch (RuntimeException | Error e) {
                throw new AssertionError("seed " + seed + ", input " + i + ": " + e, e);
            }
        }
        System.out.println((RUNS * 250) + " inputs, " + rejected + " rejected as corrupt, none threw anything else");
    }
}
