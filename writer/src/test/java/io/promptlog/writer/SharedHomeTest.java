package io.promptlog.writer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two logs on one home (the old and the new instance of a rolling deploy, or two services pointed at one
 * directory) never append to the same shard queue, so one process killed in the middle of an append cannot
 * stall the other's logging threads on the Chronicle write lock it left held.
 */
@Timeout(180)
class SharedHomeTest {
    /** Chronicle waits 15 s for a write lock a dead process holds; an append here takes microseconds. */
    private static final long BOUND_SECONDS = 10;

    @TempDir
    Path home;

    @Test
    void shouldGiveASecondLogOnTheSameHomeShardsOfItsOwn() throws Exception {
        try (PromptLog first = PromptLog.open(config(2)); PromptLog second = PromptLog.open(config(2))) {
            for (long seq = 0; seq < 20; seq++) {
                assertThat(AppendStatus.isAppended(first.append(SeqCalls.call(seq)))).isTrue();
                assertThat(AppendStatus.isAppended(second.append(SeqCalls.call(100 + seq)))).isTrue();
            }
        }
        assertThat(PromptLogHome.shardDirs(home).stream().map(p -> p.getFileName().toString()))
                .containsExactly("shard-0", "shard-1", "shard-2", "shard-3");
        List<List<LlmCall>> byShard = QueueContents.byShard(home);
        assertThat(seqs(byShard.get(0), byShard.get(1))).as("the first log's shards").allMatch(s -> s < 100).hasSize(20);
        assertThat(seqs(byShard.get(2), byShard.get(3))).as("the second log's shards").allMatch(s -> s >= 100).hasSize(20);

        // closed logs release their shards: the next log takes the lowest numbers again
        try (PromptLog third = PromptLog.open(config(1))) {
            assertThat(AppendStatus.isAppended(third.append(SeqCalls.call(200)))).isTrue();
        }
        assertThat(seqs(QueueContents.byShard(home).get(0))).contains(200L);
        assertThat(Files.getPosixFilePermissions(home.resolve("queue/shard-0.lock")))
                .containsExactlyInAnyOrder(java.nio.file.attribute.PosixFilePermission.OWNER_READ,
                        java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
    }

    @Test
    void shouldKeepAppendingWhenAnotherProcessIsKilledHoldingItsShardsWriteLock(@TempDir Path tmp) throws Exception {
        try (PromptLog log = PromptLog.open(config(1))) {
            assertThat(AppendStatus.isAppended(log.append(SeqCalls.call(0)))).isTrue();
            try (ChildJvm child = ChildJvm.start(ChildJvm.command(SharedHomeChild.class, home.toString(), "1000"),
                    tmp.resolve("child-stderr.txt"))) {
                String locked = child.awaitLine("locked ", 60_000);
                assertThat(locked).as("child output %s, stderr %s", child.output(),
                        Files.readString(tmp.resolve("child-stderr.txt"))).isNotNull();
                assertThat(locked).endsWith("shard-1");
                child.kill();
            }
            // the dead child's lock word is still set in shard-1's metadata; this log's appends never meet it
            CompletableFuture<Integer> appends = CompletableFuture.supplyAsync(() -> {
                int ok = 0;
                for (long seq = 1; seq <= 50; seq++) {
                    ok += AppendStatus.isAppended(log.append(SeqCalls.call(seq))) ? 1 : 0;
                }
                return ok;
            });
            assertThat(appends.get(BOUND_SECONDS, TimeUnit.SECONDS)).as("appends after the kill").isEqualTo(50);
        }
        // a later log takes shard-1 over: Chronicle breaks the dead holder's lock at open, nothing is lost
        try (PromptLog later = PromptLog.open(config(2))) {
            CompletableFuture<Boolean> append = CompletableFuture.supplyAsync(
                    () -> AppendStatus.isAppended(later.append(SeqCalls.call(51))) && AppendStatus.isAppended(later.append(SeqCalls.call(52))));
            assertThat(append.get(BOUND_SECONDS, TimeUnit.SECONDS)).isTrue();
        }
        List<Long> all = seqs(QueueContents.readAll(home));
        List<Long> expected = new ArrayList<>();
        for (long s = 0; s <= 52; s++) {
            expected.add(s);
        }
        expected.add(1000L);
        assertThat(all).containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void shouldKeepTheFirstLogsClaimWhenASecondOpensTheHomeThroughASymbolicLink(@TempDir Path tmp) throws Exception {
        Files.createDirectories(home);
        Path link = Files.createSymbolicLink(tmp.resolve("link-to-home"), home);
        try (PromptLog first = PromptLog.open(config(1));
             PromptLog second = PromptLog.open(PromptLogConfig.builder(link).shardCount(1).backgroundCompaction(false).build())) {
            assertThat(AppendStatus.isAppended(first.append(SeqCalls.call(0)))).isTrue();
            assertThat(AppendStatus.isAppended(second.append(SeqCalls.call(1)))).isTrue();
            // a descriptor of shard-0.lock opened and closed by the second log would have dropped the first's
            // OS lock (POSIX locks belong to the process): another process would then take shard-0 too
            try (ChildJvm child = ChildJvm.start(ChildJvm.command(SharedHomeChild.class, home.toString(), "2"),
                    tmp.resolve("child-stderr.txt"))) {
                String appended = child.awaitLine("appended to ", 60_000);
                assertThat(appended).as("child output %s, stderr %s", child.output(),
                        Files.readString(tmp.resolve("child-stderr.txt"))).isNotNull().endsWith("shard-2");
            }
        }
        assertThat(seqs(QueueContents.byShard(home).get(0))).containsExactly(0L);
    }

    private PromptLogConfig config(int shards) {
        return PromptLogConfig.builder(home).shardCount(shards).backgroundCompaction(false).build();
    }

    @SafeVarargs
    private static List<Long> seqs(List<LlmCall>... shards) {
        List<Long> out = new ArrayList<>();
        for (List<LlmCall> s : shards) {
            out.addAll(s.stream().map(SeqCalls::seqOf).collect(Collectors.toList()));
        }
        return out;
    }
}
