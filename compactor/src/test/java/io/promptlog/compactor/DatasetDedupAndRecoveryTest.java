package io.promptlog.compactor;

import io.promptlog.format.DatasetLayout;
import io.promptlog.synthetic.SyntheticCalls;
import io.promptlog.writer.LlmCall;
import io.promptlog.writer.PromptLog;
import io.promptlog.writer.PromptLogConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(300)
class DatasetDedupAndRecoveryTest {

    static PromptLog open(Path home) {
        return PromptLog.open(PromptLogConfig.builder(home).shardCount(2).backgroundCompaction(false).build());
    }

    /** A compactor of the queue at {@code home} writing into the dataset {@code shared}, as host {@code name}. */
    static Compactor host(Path home, Path shared, String name) throws IOException {
        return Compactor.open(CompactorConfig.builder(home).dataDir(shared).hostName(name).build());
    }

    static long textsEpoch(Path data) throws IOException {
        return io.promptlog.format.EpochFile.read(DatasetLayout.textsEpochFile(data));
    }

    static List<Path> parquet(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".parquet")).sorted().toList();
        }
    }

    /**
     * The issue asks for 1M calls over 50 prompts; the CI size is 60k calls in 3 runs with a restart
     * (the 1M figure is checked once by the measurement in the README).
     */
    @Test
    void shouldStoreEachOfFiftyPromptsOnceAcrossFilesRunsAndRestarts(@TempDir Path home) throws Exception {
        SyntheticCalls gen = new SyntheticCalls(5, 50, 100, 400);
        Set<String> prompts = new HashSet<>();
        int perRun = 20_000;
        long seq = 0;
        try (PromptLog log = open(home)) {
            for (int run = 0; run < 3; run++) {
                for (int i = 0; i < perRun; i++, seq++) {
                    LlmCall c = gen.call(seq);
                    prompts.add(c.systemPrompt());
                    log.append(c);
                }
                CompactorConfig cfg = CompactorConfig.builder(home).retention(RetentionPolicy.none())
                        .maxFileRows(3000).build();
                if (run < 2) {
                    // runs 0 and 1 in one compactor instance, run 2 in a restarted one
                    try (Compactor c = Compactor.open(cfg)) {
                        c.runOnce();
                        if (run == 0) {
                            for (int i = 0; i < perRun; i++, seq++) {
                                log.append(gen.call(seq));
                            }
                            c.runOnce();
                        }
                    }
                } else {
                    try (Compactor c = Compactor.open(cfg)) {
                        c.runOnce();
                    }
                }
            }
        }
        try (DuckDataset d = new DuckDataset(home.resolve("data"))) {
            assertThat(d.count("SELECT count(*) FROM calls")).isEqualTo(seq);
            assertThat(prompts).hasSize(50);
            assertThat(d.count("SELECT count(*) FROM system_prompts")).isEqualTo(50);
            assertThat(parquet(home.resolve("data/calls")).size()).as("calls files").isGreaterThan(20);
        }
    }

    /**
     * A templated system prompt: every call a new text. Each is stored once, across a restart too (the set of
     * stored hashes is rebuilt from the text files), and that set lives in a private scratch file under
     * {@code _promptlog/} while the compactor is open (it grows past its first table), not afterwards.
     */
    @Test
    void shouldStoreEachTemplatedPromptOnceKeepingTheHashesInAPrivateScratchFileWhileOpen(@TempDir Path home) throws Exception {
        Path meta = home.resolve("data").resolve(DatasetLayout.META_DIR);
        CompactorConfig cfg = CompactorConfig.builder(home).retention(RetentionPolicy.none()).maxFileRows(2000).build();
        int calls = 12_000;
        try (PromptLog log = open(home)) {
            for (int i = 0; i < calls; i++) {
                log.append(TestCalls.everyField(i).toBuilder().systemPrompt("You help customer #" + i + ".").build());
            }
            try (Compactor c = Compactor.open(cfg)) {
                c.runOnce();
                List<Path> scratch = scratchFiles(meta);
                assertThat(scratch).as("one scratch file per text table").hasSize(2);
                assertThat(scratch).anyMatch(p -> p.getFileName().toString().matches(".*\\.known-system_prompts\\.[0-9]+"));
                for (Path p : scratch) {
                    assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(p)))
                            .as(p.toString()).isEqualTo("rw-------");
                }
            }
            assertThat(scratchFiles(meta)).as("deleted on close").isEmpty();
            // after a restart: the first half logged again (already stored), and new ones
            for (int i = 0; i < calls; i++) {
                int n = i < calls / 2 ? i : calls + i;
                log.append(TestCalls.everyField(calls + i).toBuilder().systemPrompt("You help customer #" + n + ".").build());
            }
            try (Compactor c = Compactor.open(cfg)) {
                c.runOnce();
            }
        }
        try (DuckDataset d = new DuckDataset(home.resolve("data"))) {
            assertThat(d.count("SELECT count(*) FROM calls")).isEqualTo(2L * calls);
            assertThat(d.count("SELECT count(*) FROM system_prompts")).isEqualTo(calls + calls / 2);
            assertThat(d.count("SELECT count(DISTINCT system_prompt_hash) FROM system_prompts")).isEqualTo(calls + calls / 2);
            assertThat(d.count("SELECT count(*) FROM calls c JOIN system_prompts s USING (system_prompt_hash)")).isEqualTo(2L * calls);
        }
    }

    /**
     * Text files carry no list of their hashes in the footer any more (a restart reads their hash column);
     * a file written before that, with the list, is still read from it: across restarts over both kinds, and
     * after an erasure that rewrites one of each, no text is stored twice and an erased text comes back once.
     */
    @Test
    void shouldStoreEachTextOnceOverTextFilesWithAndWithoutTheOldFooterHashList(@TempDir Path home) throws Exception {
        Path prompts = home.resolve("data").resolve("system_prompts");
        CompactorConfig cfg = CompactorConfig.builder(home).retention(RetentionPolicy.none()).build();
        // call seq of user u-k with prompt k: erasing user u-k removes prompt k (no other user has it)
        java.util.function.BiFunction<Integer, Integer, LlmCall> call = (seq, k) -> TestCalls.everyField(seq).toBuilder()
                .systemPrompt("prompt " + k).userId("u-" + k).build();
        try (PromptLog log = open(home)) {
            for (int i = 0; i < 100; i++) {
                log.append(call.apply(i, i % 10)); // prompts 0-9
            }
            try (Compactor c = Compactor.open(cfg)) {
                c.runOnce();
            }
            List<Path> first = parquet(prompts);
            assertThat(first).isNotEmpty();
            for (Path f : first) {
                assertThat(io.promptlog.format.ParquetFooter.read(f).keyValueMetadata())
                        .as("new text files carry no hash list").doesNotContainKey(io.promptlog.format.DatasetSchema.KEY_HASHES);
                // make it a file of before 2026-12-03: the same rows, with the list
                List<String> hashes = new ArrayList<>();
                io.promptlog.compactor.internal.ParquetRewrite.forEachRow(f, List.of("system_prompt_hash"), r -> hashes.add(r.getString(0, 0)));
                io.promptlog.compactor.internal.ParquetRewrite.rewrite(f, false, r -> io.promptlog.compactor.internal.ParquetRewrite.Change.KEEP,
                        Map.of(io.promptlog.format.DatasetSchema.KEY_HASHES, String.join(",", hashes)), 3, 1 << 20);
                assertThat(io.promptlog.format.ParquetFooter.read(f).keyValueMetadata())
                        .containsEntry(io.promptlog.format.DatasetSchema.KEY_HASHES, String.join(",", hashes));
            }
            for (int i = 0; i < 200; i++) {
                log.append(call.apply(100 + i, 10 + i % 20)); // prompts 10-29, in a file without the list
            }
            try (Compactor c = Compactor.open(cfg)) {
                c.runOnce();
            }
            for (int i = 0; i < 300; i++) {
                log.append(call.apply(300 + i, i % 30)); // prompts 0-29 again: known from both kinds of file
            }
            try (Compactor c = Compactor.open(cfg)) {
                c.runOnce();
                // removes prompt 5 from the old-style file, prompt 15 from a new one
                c.erase(ErasureRequest.builder().user("u-5").build());
                c.erase(ErasureRequest.builder().user("u-15").build());
            }
            try (DuckDataset d = new DuckDataset(home.resolve("data"))) {
                assertThat(d.count("SELECT count(*) FROM system_prompts")).isEqualTo(28);
            }
            // the old-style file's list no longer names the erased text's hash: it lists what the file holds
            int left = 0;
            for (Path f : first) {
                List<String> held = new ArrayList<>();
                io.promptlog.compactor.internal.ParquetRewrite.forEachRow(f, List.of("system_prompt_hash"), r -> held.add(r.getString(0, 0)));
                left += held.size();
                assertThat(io.promptlog.format.ParquetFooter.read(f).keyValueMetadata())
                        .containsEntry(io.promptlog.format.DatasetSchema.KEY_HASHES, String.join(",", held));
            }
            assertThat(left).as("prompts 0-9 but 5").isEqualTo(9);
            for (int i = 0; i < 30; i++) {
                log.append(call.apply(600 + i, i)); // every prompt once more: 5 and 15 are stored again, once
            }
            try (Compactor c = Compactor.open(cfg)) {
                c.runOnce();
            }
        }
        try (DuckDataset d = new DuckDataset(home.resolve("data"))) {
            assertThat(d.count("SELECT count(*) FROM system_prompts")).isEqualTo(30);
            assertThat(d.count("SELECT count(DISTINCT system_prompt_hash) FROM system_prompts")).isEqualTo(30);
        }
    }

    private static List<Path> scratchFiles(Path meta) throws IOException {
        try (Stream<Path> s = Files.list(meta)) {
            return s.filter(p -> p.getFileName().toString().contains(".known-")).toList();
        }
    }

    @Test
    void shouldCompleteABatchWhoseCrashLeftSomeDatesMissingAndNotDuplicate(@TempDir Path home) throws Exception {
        try (PromptLog log = open(home)) {
            for (int i = 0; i < 300; i++) {
                // three UTC dates in one batch
                log.append(TestCalls.everyField(i).toBuilder().startTimeMicros(TestCalls.BASE_MICROS + (i % 3) * 86_400_000_000L).build());
            }
        }
        CompactorConfig cfg = CompactorConfig.builder(home).retention(RetentionPolicy.all()).build();
        Path data = home.resolve("data");
        Map<Integer, Long> committed;
        try (Compactor c = Compactor.open(cfg)) {
            c.runOnce();
            committed = c.committed();
        }
        List<Path> files = parquet(data.resolve("calls"));
        assertThat(files).hasSize(3);
        // the state after a crash between the second and third rename: third file and checkpoint missing
        Files.delete(files.get(2));
        Path checkpoint;
        try (Stream<Path> s = Files.list(data.resolve(DatasetLayout.META_DIR))) {
            checkpoint = s.filter(p -> p.toString().endsWith(".checkpoint")).findFirst().orElseThrow();
        }
        Files.delete(checkpoint);
        assertThat(CompactionProgress.committed(home)).isEmpty();
        try (Compactor c = Compactor.open(cfg)) {
            assertThat(c.committed()).isEqualTo(committed);
            assertThat(files.get(2)).exists();
            assertThat(c.runOnce().callsWritten()).isZero();
        }
        assertThat(CompactionProgress.committed(home)).isEqualTo(committed);
        assertThat(parquet(data.resolve("calls"))).isEqualTo(files);
        try (DuckDataset d = new DuckDataset(data)) {
            assertThat(d.count("SELECT count(*) FROM calls")).isEqualTo(300);
            assertThat(d.count("SELECT count(DISTINCT call_id) FROM calls")).isEqualTo(300);
            assertThat(d.count("SELECT count(*) FROM read_parquet('" + files.get(2) + "')"))
                    .isEqualTo(100);
        }
    }

    @Test
    void shouldDeleteItsOwnTempFilesOnStartAndNeverShowThemToGlobs(@TempDir Path home) throws Exception {
        try (PromptLog log = open(home)) {
            log.append(TestCalls.everyField(1));
        }
        Path data = home.resolve("data");
        String queueId;
        try (Compactor c = Compactor.open(CompactorConfig.builder(home).build())) {
            c.runOnce();
            queueId = Files.readString(home.resolve("queue/queue-id")).trim();
        }
        Path dateDir = parquet(data.resolve("calls")).get(0).getParent();
        Path ours = dateDir.resolve(".h_" + queueId + "_s0_0000000000000001-0000000000000002.parquet.tmp");
        Path foreign = dateDir.resolve(".h_0123456789abcdef_s0_0000000000000001-0000000000000002.parquet.tmp");
        Files.writeString(ours, "partial");
        Files.writeString(foreign, "another host is writing this");
        try (DuckDataset d = new DuckDataset(data)) {
            assertThat(d.count("SELECT count(*) FROM calls")).isEqualTo(1);
        }
        try (Compactor c = Compactor.open(CompactorConfig.builder(home).build())) {
            assertThat(ours).doesNotExist();
            assertThat(foreign).exists();
        }
    }

    @Test
    void shouldLetTwoHostsShareOneDatasetWithoutClobberingAndStorePromptsOnce(@TempDir Path a, @TempDir Path b,
                                                                           @TempDir Path shared) throws Exception {
        SyntheticCalls gen = new SyntheticCalls(9, 4, 100, 300);
        for (Path home : List.of(a, b)) {
            try (PromptLog log = open(home)) {
                for (int i = 0; i < 500; i++) {
                    log.append(gen.call(home == a ? i : 10_000 + i));
                }
            }
        }
        try (Compactor ca = host(a, shared, "host-a")) {
            ca.runOnce();
        }
        try (Compactor cb = host(b, shared, "host-b")) {
            cb.runOnce();
        }
        List<String> names = new ArrayList<>();
        for (Path p : parquet(shared.resolve("calls"))) {
            names.add(p.getFileName().toString());
        }
        assertThat(names).anyMatch(n -> n.startsWith("host-a_")).anyMatch(n -> n.startsWith("host-b_"));
        try (DuckDataset d = new DuckDataset(shared)) {
            assertThat(d.count("SELECT count(*) FROM calls")).isEqualTo(1000);
            assertThat(d.count("SELECT count(*) FROM system_prompts")).isEqualTo(4);
        }
        assertThat(CompactionProgress.committed(a, shared)).isNotEmpty();
        assertThat(CompactionProgress.committed(b, shared)).isNotEmpty();
        try (Stream<Path> s = Files.list(shared.resolve(DatasetLayout.META_DIR))) {
            assertThat(s.filter(p -> p.toString().endsWith(".checkpoint")).count()).as("one checkpoint per queue").isEqualTo(2);
        }
    }

    /**
     * Two hosts compacting into one dataset at the same moment, both with a prompt neither has stored yet:
     * text files are committed under a dataset-wide lock, after a last look at what the other host stored, so
     * each prompt is stored once (a join of calls with system_prompts never shows a call twice).
     */
    @Test
    void shouldStoreANewPromptOnceWhenTwoHostsCompactItAtTheSameMoment(@TempDir Path a, @TempDir Path b,
                                                                      @TempDir Path shared) throws Exception {
        int rounds = 25;
        int perRound = 20;
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try (PromptLog la = open(a); PromptLog lb = open(b);
             Compactor ca = host(a, shared, "host-a");
             Compactor cb = host(b, shared, "host-b")) {
            for (int r = 0; r < rounds; r++) {
                for (int i = 0; i < perRound; i++) {
                    la.append(TestCalls.everyField(r * 1000 + i).toBuilder().systemPrompt("round " + r).build());
                    lb.append(TestCalls.everyField(500_000 + r * 1000 + i).toBuilder().systemPrompt("round " + r).build());
                }
                java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(2);
                List<java.util.concurrent.Future<CompactionResult>> done = new ArrayList<>();
                for (Compactor c : List.of(ca, cb)) {
                    done.add(pool.submit(() -> {
                        start.await(30, java.util.concurrent.TimeUnit.SECONDS);
                        return c.runOnce();
                    }));
                }
                for (var f : done) {
                    assertThat(f.get(60, java.util.concurrent.TimeUnit.SECONDS).callsWritten()).as("round %d", r).isEqualTo(perRound);
                }
            }
        } finally {
            pool.shutdownNow();
        }
        try (DuckDataset d = new DuckDataset(shared)) {
            assertThat(d.count("SELECT count(*) FROM calls")).isEqualTo(2L * rounds * perRound);
            // no text twice: a round's prompt (and the one tools text) stored by one host only
            assertThat(d.count("SELECT count(*) - count(DISTINCT system_prompt_hash) FROM system_prompts")).isZero();
            assertThat(d.count("SELECT count(*) FROM system_prompts")).isEqualTo(rounds);
            assertThat(d.count("SELECT count(*) - count(DISTINCT tools_hash) FROM tool_definitions")).isZero();
            assertThat(d.count("SELECT count(*) FROM calls c JOIN system_prompts s USING (system_prompt_hash)"))
                    .isEqualTo(2L * rounds * perRound);
        }
    }

    /**
     * A text erased by one host's compactor, then logged again on another host whose compactor stayed open
     * and had read the text's file before: that compactor notices the erasure (the texts epoch) and stores
     * the text again, so the new call's prompt is there.
     */
    @Test
    void shouldStoreATextAgainWhenAnotherHostsCompactorErasedIt(@TempDir Path a, @TempDir Path b,
                                                                @TempDir Path shared) throws Exception {
        String secret = "You help Ada Lovelace with her account.";
        try (PromptLog la = open(a); PromptLog lb = open(b);
             Compactor ca = host(a, shared, "host-a");
             Compactor cb = host(b, shared, "host-b")) {
            for (int i = 0; i < 10; i++) {
                la.append(TestCalls.everyField(i).toBuilder().userId("ada").systemPrompt(secret).build());
                lb.append(TestCalls.everyField(100 + i).toBuilder().userId("bob").systemPrompt("You help Bob.").build());
            }
            ca.runOnce();
            cb.runOnce(); // host b now knows both prompts are stored
            ErasureResult erased = ca.erase(ErasureRequest.builder().user("ada").build());
            assertThat(erased.systemPromptsRemoved()).isEqualTo(1);
            try (DuckDataset d = new DuckDataset(shared)) {
                assertThat(d.count("SELECT count(*) FROM system_prompts")).isEqualTo(1);
            }
            for (int i = 0; i < 5; i++) {
                lb.append(TestCalls.everyField(200 + i).toBuilder().userId("carol").systemPrompt(secret).build());
            }
            cb.runOnce();
        }
        try (DuckDataset d = new DuckDataset(shared)) {
            assertThat(d.count("SELECT count(*) FROM system_prompts")).isEqualTo(2);
            assertThat(d.count("SELECT count(*) FROM calls c JOIN system_prompts s USING (system_prompt_hash) "
                    + "WHERE c.user_id = 'carol'")).as("carol's calls find their prompt").isEqualTo(5);
            assertThat(d.count("SELECT count(*) FROM calls WHERE user_id = 'ada' AND system_prompt_hash IS NOT NULL")).isZero();
        }
    }

    /**
     * An erasure on one host while another host compacts calls that use a text only the erased calls used
     * so far: the erasure plans "remove that text" from the calls files committed when it starts, and the
     * other host has already found the text stored. Both orders must leave every surviving call with its
     * prompt: the erasure keeps a text that calls committed meanwhile use, and a compactor whose text was
     * removed under its batch stores it again before its calls become visible.
     */
    @Test
    void shouldKeepEveryCallsPromptWhenAnotherHostCompactsDuringAnErasure(@TempDir Path a, @TempDir Path b,
                                                                          @TempDir Path shared) throws Exception {
        int rounds = 6;
        int bobCalls = 600;
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try (PromptLog la = open(a); PromptLog lb = open(b);
             Compactor ca = host(a, shared, "host-a");
             Compactor cb = host(b, shared, "host-b")) {
            for (int r = 0; r < rounds; r++) {
                String prompt = "You help the customers of round " + r + ".";
                for (int i = 0; i < 3; i++) {
                    la.append(TestCalls.everyField(r * 10_000 + i).toBuilder().userId("ada-" + r).systemPrompt(prompt).build());
                }
                ca.runOnce(); // the prompt is stored, used by ada's calls only
                for (int i = 0; i < bobCalls; i++) {
                    lb.append(TestCalls.everyField(1_000_000 + r * 10_000 + i).toBuilder().userId("bob-" + r)
                            .systemPrompt(prompt).build());
                }
                java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(2);
                var compacted = pool.submit(() -> {
                    start.await(30, java.util.concurrent.TimeUnit.SECONDS);
                    return cb.runOnce();
                });
                String user = "ada-" + r;
                var erased = pool.submit(() -> {
                    start.await(30, java.util.concurrent.TimeUnit.SECONDS);
                    return ca.erase(ErasureRequest.builder().user(user).build());
                });
                assertThat(compacted.get(120, java.util.concurrent.TimeUnit.SECONDS).callsWritten()).isEqualTo(bobCalls);
                erased.get(120, java.util.concurrent.TimeUnit.SECONDS);
                try (DuckDataset d = new DuckDataset(shared)) {
                    assertThat(d.count("SELECT count(*) FROM calls c JOIN system_prompts s USING (system_prompt_hash) "
                            + "WHERE c.user_id = 'bob-" + r + "'")).as("round %d: bob's calls find their prompt", r)
                            .isEqualTo(bobCalls);
                    assertThat(d.count("SELECT count(*) FROM calls WHERE user_id = 'ada-" + r
                            + "' AND messages IS NOT NULL")).as("round %d: ada's text erased", r).isZero();
                }
            }
        } finally {
            pool.shutdownNow();
        }
        try (DuckDataset d = new DuckDataset(shared)) {
            assertThat(d.count("SELECT count(*) - count(DISTINCT system_prompt_hash) FROM system_prompts")).isZero();
        }
    }

    /**
     * The other order, made exact: another host's calls with the text are committed after the erasure has
     * planned (its progress line "found ... calls files to rewrite" is that moment) and before it removes
     * texts. The erasure looks at the calls files committed since its plan and keeps the text.
     */
    @Test
    void shouldKeepATextThatCallsCommittedAfterTheErasurePlannedStillUse(@TempDir Path a, @TempDir Path b,
                                                                         @TempDir Path shared) throws Exception {
        String prompt = "You help the customers of the shop.";
        java.util.concurrent.ExecutorService other = java.util.concurrent.Executors.newSingleThreadExecutor();
        try (PromptLog la = open(a); PromptLog lb = open(b);
             Compactor ca = host(a, shared, "host-a");
             Compactor cb = host(b, shared, "host-b")) {
            for (int i = 0; i < 3; i++) {
                la.append(TestCalls.everyField(i).toBuilder().userId("ada").systemPrompt(prompt).build());
            }
            ca.runOnce();
            for (int i = 0; i < 20; i++) {
                lb.append(TestCalls.everyField(1000 + i).toBuilder().userId("bob").systemPrompt(prompt).build());
            }
            List<String> lines = new ArrayList<>();
            long[] bobWritten = {-1};
            ErasureResult r = ca.erase(ErasureRequest.builder().user("ada").build(), line -> {
                lines.add(line);
                if (line.startsWith("found ") && bobWritten[0] < 0) {
                    try {
                        // host b, on its own thread (the erasure holds the merge lock on this one)
                        bobWritten[0] = other.submit(cb::runOnce).get(60, java.util.concurrent.TimeUnit.SECONDS).callsWritten();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }
            });
            assertThat(bobWritten[0]).as("host b compacted during the erasure; progress: %s", lines).isEqualTo(20);
            assertThat(r.systemPromptsRemoved()).as("the prompt is kept: bob's calls use it").isZero();
        } finally {
            other.shutdownNow();
        }
        try (DuckDataset d = new DuckDataset(shared)) {
            assertThat(d.count("SELECT count(*) FROM calls c JOIN system_prompts s USING (system_prompt_hash) "
                    + "WHERE c.user_id = 'bob'")).isEqualTo(20);
            assertThat(d.count("SELECT count(*) FROM calls WHERE user_id = 'ada' AND messages IS NOT NULL")).isZero();
            assertThat(d.count("SELECT count(*) FROM system_prompts")).isEqualTo(1);
        }
    }

    /**
     * An erasure killed (SIGKILL, in a child JVM) after it renamed a text file without the text it removes and
     * before it moved the texts epoch on: another host's compactor, which had found the text stored before, must
     * not go on trusting that: the epoch is left odd, and the compactor stores the text again for its new calls
     * (before the epoch had two moves, the kill left it unmoved and those calls pointed to nothing). Its next
     * pass, even with nothing to compact, moves the epoch on to even, so later passes trust what they read again.
     */
    @Test
    void shouldStoreATextAgainWhenAnotherHostsErasureWasKilledRightAfterRemovingIt(@TempDir Path a, @TempDir Path b)
            throws Exception {
        String prompt = "You help Ada Lovelace with her account.";
        Path shared = a.resolve("data");
        try (PromptLog la = open(a)) {
            for (int i = 0; i < 5; i++) {
                la.append(TestCalls.everyField(i).toBuilder().userId("ada").systemPrompt(prompt).build());
            }
        }
        try (Compactor ca = Compactor.open(CompactorConfig.builder(a).retention(RetentionPolicy.all()).build())) {
            ca.runOnce();
        }
        try (PromptLog lb = open(b); Compactor cb = host(b, shared, "host-b")) {
            for (int i = 0; i < 5; i++) {
                lb.append(TestCalls.everyField(100 + i).toBuilder().userId("bob").systemPrompt("You help Bob.").build());
            }
            cb.runOnce(); // host b has read the text files: ada's prompt is stored
            long epochBefore = textsEpoch(shared);

            Path log = a.resolve("erase-child.log");
            Process p = ChildJvm.start(log, e -> true, "erase", a.toString(), "ada", "rewrote system_prompts");
            try {
                assertThat(CompactorCrashPointsTest.awaitLine(log, p, "stopped", 120))
                        .as("the erasure reached its text rename: %s", Files.exists(log) ? Files.readString(log) : "")
                        .isNotNull();
            } finally {
                p.destroyForcibly();
                assertThat(p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            }
            long epochKilled = textsEpoch(shared);
            assertThat(epochKilled).as("epoch left by the kill (before: %d)", epochBefore).isOdd();
            try (DuckDataset d = new DuckDataset(shared)) {
                assertThat(d.count("SELECT count(*) FROM system_prompts")).as("ada's prompt removed").isEqualTo(1);
            }

            cb.runOnce(); // nothing to compact: its pass finds the epoch odd and the texts lock free
            assertThat(textsEpoch(shared))
                    .as("moved on by the compactor that found it odd with the texts lock free").isEqualTo(epochKilled + 1);
            for (int i = 0; i < 7; i++) {
                lb.append(TestCalls.everyField(200 + i).toBuilder().userId("carol").systemPrompt(prompt).build());
            }
            assertThat(cb.runOnce().callsWritten()).isEqualTo(7);
            assertThat(cb.stats().errors()).as("errors: %s", cb.stats().lastError()).isZero();
        }
        try (DuckDataset d = new DuckDataset(shared)) {
            assertThat(d.count("SELECT count(*) FROM calls c JOIN system_prompts s USING (system_prompt_hash) "
                    + "WHERE c.user_id = 'carol'")).as("carol's calls find their prompt").isEqualTo(7);
            assertThat(d.count("SELECT count(*) - count(DISTINCT system_prompt_hash) FROM system_prompts")).isZero();
        }
    }

    @Test
    void shouldFailClearlyWhenTheDatasetIsNotWritableOrAlreadyBeingCompacted(@TempDir Path home) throws Exception {
        Path notADir = home.resolve("a-file");
        Files.writeString(notADir, "x");
        assertThatThrownBy(() -> Compactor.open(CompactorConfig.builder(home).dataDir(notADir.resolve("data")).build()))
                .isInstanceOf(IOException.class).hasMessageContaining("is not writable").hasMessageContaining("a-file");
        try (Compactor c = Compactor.open(CompactorConfig.builder(home).build())) {
            assertThatThrownBy(() -> Compactor.open(CompactorConfig.builder(home).build()))
                    .isInstanceOf(IOException.class).hasMessageContaining("another compactor");
        }
        Compactor.open(CompactorConfig.builder(home).build()).close();
    }
}
