package io.promptlog.compactor;

import io.promptlog.synthetic.SyntheticCalls;
import io.promptlog.writer.LlmCall;
import io.promptlog.writer.PromptLog;
import io.promptlog.writer.PromptLogConfig;
import io.promptlog.writer.PromptLogHome;
import io.promptlog.writer.ShardCursor;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The reproduction, as a test: 3,000 synthetic calls (what {@code generate --count 3000} logs),
 * random bytes written over part of the cycle file, then compaction. Every call outside the damaged bytes
 * reaches Parquet (and no damaged one), the stretch is named, and 100 calls logged afterwards are
 * compacted too. The 1 MB case is the one that used to kill every command with "a fault occurred in a
 * recent unsafe memory access operation".
 */
@Timeout(300)
class DamagedQueueCompactionTest {
    private static final int CALLS = 3000;

    @TempDir
    Path home;

    private static PromptLog open(Path home) {
        return PromptLog.open(PromptLogConfig.builder(home).shardCount(1).pretouch(false).backgroundCompaction(false).build());
    }

    /** Bytes of records in the shard's cycle files so far (what a reader sees, not the files' allocated size). */
    private static long writtenBytes(Path shardDir) {
        if (!Files.isDirectory(shardDir)) {
            return 0;
        }
        long end = 0;
        try (ShardCursor c = ShardCursor.open(shardDir)) {
            while (c.next()) {
                end = c.position() + 4 + c.length();
            }
        }
        return end;
    }

    @ParameterizedTest(name = "{1} random bytes at offset {0}")
    @CsvSource({"20000000, 65536", "20000000, 256", "1000000, 1048576"})
    void shouldCompactEveryCallOutsideTheDamagedBytesAndEveryCallLoggedLater(long offset, int bytes) throws Exception {
        long seed = Long.getLong("promptlog.test.seed", System.nanoTime());
        System.out.println("seed " + seed + " (rerun with -Dpromptlog.test.seed=" + seed + ")");
        SyntheticCalls gen = new SyntheticCalls(42);
        List<String> ids = new ArrayList<>();
        // 3,000 calls, as in the issue; more when the record layout packs them into fewer bytes than the
        // damage's offset (the offsets were measured on a 42 MB file)
        Path shardDir = PromptLogHome.shardDir(home, 0);
        int logged = 0;
        for (int more = CALLS; more > 0; more = writtenBytes(shardDir) < offset + bytes + 1_000_000 ? 1000 : 0) {
            try (PromptLog log = open(home)) {
                for (int i = logged; i < logged + more; i++) {
                    LlmCall c = gen.call(i);
                    ids.add(c.callId());
                    log.append(c);
                }
            }
            logged += more;
        }
        int calls = ids.size();
        Path cycle;
        try (Stream<Path> s = Files.list(PromptLogHome.shardDir(home, 0))) {
            cycle = s.filter(p -> p.toString().endsWith(".cq4")).findFirst().orElseThrow();
        }
        Set<String> expected = new HashSet<>();
        long end = 0;
        try (ShardCursor c = ShardCursor.open(PromptLogHome.shardDir(home, 0))) {
            int seq = 0;
            while (c.next()) {
                long pos = c.position();
                if (pos + 4 + c.length() <= offset || pos >= offset + bytes) {
                    expected.add(ids.get(seq));
                }
                end = pos + 4 + c.length();
                seq++;
            }
            assertThat(seq).isEqualTo(calls);
        }
        assertThat(end).as("the damage lies inside the written records").isGreaterThan(offset + bytes);
        byte[] junk = new byte[bytes];
        new Random(seed).nextBytes(junk);
        try (RandomAccessFile f = new RandomAccessFile(cycle.toFile(), "rw")) {
            f.seek(offset);
            f.write(junk);
        }

        CompactorConfig cfg = CompactorConfig.builder(home).retention(RetentionPolicy.all()).build();
        long lostTexts;
        try (Compactor c = Compactor.open(cfg)) {
            CompactionResult r = c.runOnce();
            assertThat(c.stats().errors()).isZero();
            assertThat(c.stats().skippedStretches()).as("seed %d", seed).hasSize(1);
            // a record outside the damage whose system prompt or tools refer to a record inside it (layout v2
            // stores a repeated text once per cycle) is still stored, without that text, marked and counted
            System.out.println("compacted " + r.callsWritten() + " of " + expected.size() + " calls outside the damage; "
                    + c.stats().textsLost() + " without a text defined inside it");
            assertThat(r.callsWritten()).as("seed %d: every call outside the damage is compacted", seed)
                    .isEqualTo(expected.size());
            assertThat(c.stats().corruptRecords()).as("seed %d: only the damaged stretch is skipped", seed)
                    .isEqualTo(c.stats().skippedStretches().size());
            lostTexts = c.stats().textsLost();
            assertThat(c.stats().skippedStretches().get(0)).contains(cycle.getFileName().toString()).contains(" bytes ");
        }
        try (DuckDataset d = new DuckDataset(home.resolve("data"))) {
            Set<String> got = new HashSet<>();
            d.column("SELECT call_id FROM calls").forEach(o -> got.add((String) o));
            assertThat(expected).as("seed %d: the compacted calls are calls outside the damage", seed).containsAll(got);
            assertThat(d.count("SELECT count(*) FROM calls WHERE list_contains(map_keys(attributes), 'promptlog.lost_text')"))
                    .as("seed %d: calls stored without a lost text are marked", seed).isEqualTo(lostTexts);
            assertThat(d.count("SELECT count(*) FROM calls WHERE list_contains(map_keys(attributes), 'promptlog.lost_text')"
                    + " AND system_prompt_hash IS NOT NULL AND tools_hash IS NOT NULL"))
                    .as("seed %d: a marked call names no text it lost", seed).isZero();
            assertThat(d.count("SELECT count(*) FROM calls")).isEqualTo(got.size());
            expected.retainAll(got);
            assertThat(d.count("SELECT count(*) FROM system_prompts s WHERE contains(CAST(s AS VARCHAR), '\uFFFD')")
                    + d.count("SELECT count(*) FROM calls c WHERE contains(CAST(c AS VARCHAR), '\uFFFD')"))
                    .as("no damaged text reached Parquet").isZero();
        }

        try (PromptLog log = open(home)) {
            for (int i = calls; i < calls + 100; i++) {
                LlmCall c = gen.call(i);
                expected.add(c.callId());
                log.append(c);
            }
        }
        try (Compactor c = Compactor.open(cfg)) {
            assertThat(c.runOnce().callsWritten()).as("seed %d: calls logged after the damage", seed).isEqualTo(100);
        }
        try (DuckDataset d = new DuckDataset(home.resolve("data"))) {
            assertThat(d.count("SELECT count(DISTINCT call_id) FROM calls")).isEqualTo(expected.size());
            assertThat(d.count("SELECT count(*) FROM calls")).isEqualTo(expected.size());
        }
    }
}
