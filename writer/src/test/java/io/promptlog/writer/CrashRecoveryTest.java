package io.promptlog.writer;

import net.openhft.chronicle.core.values.LongValue;
import net.openhft.chronicle.queue.impl.TableStore;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.queue.impl.table.Metadata;
import net.openhft.chronicle.queue.impl.table.SingleTableBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Kill -9 safety, by killing: a child JVM appends numbered calls from several threads and acknowledges
 * (prints) a seq boundary once every call below it has returned from append; the test kills it with
 * SIGKILL at a random moment, again and again on the same home, and after each kill reads the queue back:
 * every acknowledged call is there, whole and exactly as written, and no call appears twice. The calls
 * repeat some system prompts and keep introducing new ones, so kills land mid-cycle and in the middle of
 * a record that defines a text; every record must still resolve, read from the start or from any record.
 */
class CrashRecoveryTest {
    private static final int KILLS = Integer.getInteger("promptlog.test.kills", 10);
    /** Kills around a roll of the queue to a new cycle file (the full run: -Dpromptlog.test.rollKills=100). */
    private static final int ROLL_KILLS = Integer.getInteger("promptlog.test.rollKills", 3);
    /** A roll costs an appender ~100-200 ms here (new file, disk reservation): slower than that, appends stall. */
    private static final int ROLL_EVERY_MILLIS = 250;
    private static final int THREADS = 4;
    private static final int ACK_EVERY = 25;

    @TempDir
    Path home;
    @TempDir
    Path logs;
    /** Records carrying their system prompt by reference, in the last read of the queue. */
    private long referencesSeen;
    /** Seqs read back from cycle files the roll test has since deleted (as a compactor's retention would). */
    private final BitSet archived = new BitSet();
    private long archivedMaxSeq = -1;

    /** One child run: the seq range it started at and what it acknowledged before being killed. */
    record Run(long start, long acked, long killAfterMillis, int staleLocks, long nextFirstAppendMicros, List<String> slow) {
    }

    @Test
    // usually 35-100 s; once, in CI on Java 25, the ten children together took over 240 s to start (each
    // child may wait for Chronicle to recover a lock the previous kill left): a slow start is not what this
    // test checks, a lost or duplicated call is. The budget grows with -Dpromptlog.test.kills (48 s a kill).
    void shouldRecoverEveryAcknowledgedCallIntactAfterRepeatedKill9() throws Exception {
        long seed = Long.getLong("promptlog.test.seed", System.nanoTime());
        try {
            assertTimeoutPreemptively(Duration.ofSeconds(48L * Math.max(KILLS, 10)), () -> killRepeatedly(seed, KILLS, false));
        } catch (Throwable e) {
            throw new AssertionError("failed with seed " + seed + " (rerun with -Dpromptlog.test.seed=" + seed + "): "
                    + e.getMessage(), e);
        }
    }

    /**
     * The same with the queue rolling to a new cycle file every {@value #ROLL_EVERY_MILLIS} ms (a settable roll
     * clock, moved by the child): three kills in four land within 0-4 ms of a roll, as the appenders of 4
     * threads move to the new cycle files of every shard; the others at a random moment. Every acknowledged
     * call is read back once, across all the cycle files the children left behind. A kill while Chronicle creates a
     * cycle file leaves it without a header: each child's open must not wait on it (see {@code HeaderlessCycles}).
     */
    @Test
    void shouldRecoverEveryAcknowledgedCallAfterKill9AroundAQueueRoll() throws Exception {
        long seed = Long.getLong("promptlog.test.seed", System.nanoTime());
        System.out.println("kill -9 around a queue roll: " + ROLL_KILLS + " kills (-Dpromptlog.test.rollKills=N for more), seed " + seed);
        try {
            assertTimeoutPreemptively(Duration.ofSeconds(48L * Math.max(ROLL_KILLS, 10)), () -> killRepeatedly(seed, ROLL_KILLS, true));
        } catch (Throwable e) {
            throw new AssertionError("failed with seed " + seed + " (rerun with -Dpromptlog.test.seed=" + seed + "): "
                    + e.getMessage(), e);
        }
    }

    /** The highest n of the "rolling n" lines the child printed so far (0 before its first roll). */
    private static int rollsPrinted(List<String> lines) {
        int n = 0;
        for (String line : lines) {
            if (line.startsWith("rolling ")) {
                n = Math.max(n, Integer.parseInt(line.substring(8).trim()));
            }
        }
        return n;
    }

    private void killRepeatedly(long seed, int kills, boolean rolling) throws Exception {
        Random rnd = new Random(seed);
        java.util.Set<Integer> cyclesSeen = new java.util.TreeSet<>();
        List<Long> openTimes = new ArrayList<>();
        int movedAside = 0;
        List<Run> runs = new ArrayList<>();
        long nextStart = 0;
        long firstOnFreshHome = -1;
        for (int kill = 0; kill < kills; kill++) {
            long start = nextStart;
            List<String> args = new ArrayList<>(List.of(home.toString(), Long.toString(start),
                    Integer.toString(THREADS), Integer.toString(ACK_EVERY), Integer.toString(THREADS)));
            if (rolling) {
                // each child's clock starts 1000 hours after the previous one's: time never runs backwards
                args.addAll(List.of(Long.toString(500_000L + 1000L * kill), Integer.toString(ROLL_EVERY_MILLIS)));
            }
            List<String> cmd = ChildJvm.command(CrashChild.class, args.toArray(String[]::new));
            long killAfter;
            List<String> out;
            try (ChildJvm child = ChildJvm.start(cmd, logs.resolve("child-" + kill + ".err"))) {
                // 60 s for a JVM to start and open on a loaded machine. A kill while Chronicle creates a cycle file
                // leaves it without a header; the open moves it aside (HeaderlessCycles) instead of waiting Chronicle's
                // 10-12 s for that header per shard, which is what the open time below checks
                String ready = child.awaitLine("ready", 60_000);
                assertThat(ready).as("child %d did not open the log: %s %s", kill, child.output(), stderr(kill)).isNotNull();
                String[] words = ready.trim().split(" +");
                long openMillis = Long.parseLong(words[1]);
                int headerless = Integer.parseInt(words[3]);
                openTimes.add(openMillis);
                movedAside += headerless;
                System.out.println("child " + kill + " opened the log in " + openMillis + " ms, moving aside " + headerless
                        + " cycle file(s) without a header");
                if (rolling) {
                    assertThat(openMillis).as("child %d's open took %d ms: longer than Chronicle's minimum wait for a"
                            + " header (10 s), so it waited on a header-less cycle file", kill, openMillis).isLessThan(10_000);
                }
                // kill at a random moment: mostly while appending at full speed, sometimes right after the
                // first appends (while a lock left by the previous kill may still be being recovered)
                if (kill == 0) {
                    // the first child acknowledges something before any kill, however slow the machine: the
                    // test then always checks acknowledged calls (a kill timed in ms alone can land before the
                    // first acknowledgement on a loaded machine, and the run would check nothing)
                    assertThat(child.awaitLine("acked ", 60_000)).as("child 0 acknowledged a call: %s %s",
                            child.output(), stderr(kill)).isNotNull();
                    if (rolling) {
                        // and keeps acknowledging after its clock moved on (the roller moves it 1 ms after
                        // "rolling 1" and prints "rolling 2" 250 ms later): calls in two cycle files at least
                        assertThat(child.awaitLine("rolling 2", 60_000)).as("child 0 rolled: %s", child.output()).isNotNull();
                        for (int n = 0; n < 2; n++) {
                            assertThat(child.awaitLine("acked ", 60_000)).as("child 0 acknowledged after its roll: %s %s",
                                    child.output(), stderr(kill)).isNotNull();
                        }
                    }
                }
                killAfter = rnd.nextInt(4) == 0 ? rnd.nextInt(100) : 100 + rnd.nextInt(1_400);
                if (rolling && rnd.nextInt(4) != 0) {
                    // around a roll: the child moves its clock 1 ms after printing "rolling n"; a roll
                    // still ahead of the child (the first child may have passed some while acknowledging)
                    int roll = rollsPrinted(child.output()) + 1 + rnd.nextInt(3);
                    assertThat(child.awaitLine("rolling " + roll, 30_000)).as("child %d reached roll %d: %s %s", kill,
                            roll, child.output(), stderr(kill)).isNotNull();
                    killAfter = -rnd.nextInt(4_000); // negative: microseconds after the "rolling" line
                    java.util.concurrent.locks.LockSupport.parkNanos(-killAfter * 1000L);
                } else {
                    Thread.sleep(killAfter); // a random moment to kill at, not a wait for anything
                }
                assertThat(child.process.isAlive()).as("child %d died by itself: %s %s", kill, child.output(), stderr(kill)).isTrue();
                child.kill();
                out = child.output();
            }
            long acked = start;
            long first = -1;
            List<String> slow = new ArrayList<>();
            for (String line : out) {
                if (line.startsWith("acked ")) {
                    acked = Long.parseLong(line.substring(6));
                } else if (line.startsWith("first ")) {
                    first = Long.parseLong(line.substring(6));
                } else if (line.startsWith("slow ")) {
                    slow.add(line);
                } else if (line.startsWith("failed")) {
                    throw new AssertionError("child " + kill + " could not append: " + line);
                }
            }
            if (kill == 0) {
                firstOnFreshHome = first;
            } else {
                // this child's first appends ran on the home the previous kill left behind
                Run previous = runs.get(kill - 1);
                runs.set(kill - 1, new Run(previous.start, previous.acked, previous.killAfterMillis,
                        previous.staleLocks, first, slow));
            }
            int staleLocks = staleWriteLocks();
            runs.add(new Run(start, acked, killAfter, staleLocks, -1, List.of()));
            long maxSeq = verify(runs, rnd, cyclesSeen);
            if (rolling) {
                archiveOlderCycles(); // every roll leaves a cycle file per shard: bound the disk a 100-kill run needs
            }
            nextStart = Math.max(maxSeq + 1, acked);
        }
        long staleKills = runs.stream().filter(r -> r.staleLocks > 0).count();
        System.out.println(staleKills + " of " + runs.size() + " kills landed inside an append (left a write lock held)");
        long totalAcked = runs.stream().mapToLong(r -> r.acked - r.start).sum();
        System.out.println("runs: start seq, acked up to, killed after ms (negative: us after a roll began), shard write locks the kill left held by the"
                + " dead pid, slowest first append of the next child (us), appends over 100 ms in the next child:");
        runs.forEach(r -> System.out.println("  " + r));
        System.out.println("slowest first append on the fresh home (no kill before): " + firstOnFreshHome + " us");
        System.out.println("acknowledged " + totalAcked + " calls over " + runs.size() + " kills, all read back intact");
        System.out.println("children's open: " + openTimes.stream().mapToLong(Long::longValue).min().orElse(-1) + " to "
                + openTimes.stream().mapToLong(Long::longValue).max().orElse(-1) + " ms; " + movedAside
                + " cycle file(s) without a header moved aside");
        assertThat(totalAcked).as("the children acknowledged calls at all").isGreaterThan(0);
        System.out.println(cyclesSeen.size() + " queue cycles hold the calls");
        if (rolling) {
            // each child writes its own cycles (its clock starts 1000 hours after the previous one's) and the first
            // one acknowledged calls on both sides of a roll; how many more rolls the others crossed before their
            // kill depends on the machine's load (a kill timed 0-4 ms after a roll can land before the next append)
            assertThat(cyclesSeen.size()).as("cycle files the rolling children wrote").isGreaterThanOrEqualTo(2);
        }
        System.out.println(referencesSeen + " records carried their system prompt by reference");
        assertThat(referencesSeen).as("records carrying their system prompt by reference").isPositive();
    }

    /**
     * Reads every shard: each record decodes and is exactly its seq's call, no seq twice, every acked seq
     * present; and a cursor started at random records (as a compactor restarting from a checkpoint)
     * resolves every text reference there.
     */
    private long verify(List<Run> runs, Random rnd, java.util.Set<Integer> cyclesSeen) throws Exception {
        BitSet seen = (BitSet) archived.clone();
        long maxSeq = archivedMaxSeq;
        long records = 0;
        long references = 0;
        for (Path shard : PromptLogHome.shardDirs(home)) {
            List<Long> indexes = new ArrayList<>();
            try (ShardCursor c = ShardCursor.open(shard)) {
                while (c.next()) {
                    indexes.add(c.index());
                    cyclesSeen.add(net.openhft.chronicle.queue.RollCycles.FAST_HOURLY.toCycle(c.index()));
                    if (TextReferenceTest.wireOf(c.buffer(), c.length(), CallField.SYSTEM_PROMPT.id())
                            == io.promptlog.writer.internal.RecordDescriptor.WIRE_TEXT_REF) {
                        references++;
                    }
                    LlmCall call;
                    try {
                        call = c.decode();
                    } catch (CorruptRecordException e) {
                        throw new AssertionError("corrupt record at index " + Long.toHexString(c.index()) + " in " + shard, e);
                    }
                    long seq = SeqCalls.seqOf(call);
                    if (!call.equals(SeqCalls.call(seq))) {
                        throw new AssertionError("record for seq " + seq + " in " + shard + " differs from what was written: " + call);
                    }
                    if (seen.get((int) seq)) {
                        if (archived.get((int) seq)) {
                            throw new AssertionError("seq " + seq + " appears again in " + shard + " after its cycle was read and deleted");
                        }
                        throw new AssertionError("seq " + seq + " appears twice (second time in " + shard + ")");
                    }
                    seen.set((int) seq);
                    maxSeq = Math.max(maxSeq, seq);
                    records++;
                }
            }
            for (int k = 0; k < 20 && !indexes.isEmpty(); k++) {
                long index = indexes.get(rnd.nextInt(indexes.size()));
                try (ShardCursor c = ShardCursor.open(shard)) {
                    c.moveAfter(index - 1);
                    assertThat(c.next()).isTrue();
                    LlmCall call = c.decode();
                    assertThat(call).as("record at index %x read first", index).isEqualTo(SeqCalls.call(SeqCalls.seqOf(call)));
                }
            }
        }
        referencesSeen = Math.max(referencesSeen, references);
        for (Run run : runs) {
            int missing = seen.nextClearBit((int) run.start);
            if (missing < run.acked) {
                throw new AssertionError("acknowledged seq " + missing + " (run from " + run.start + ", acked up to "
                        + run.acked + ") is missing; " + records + " records read");
            }
        }
        return maxSeq;
    }

    /**
     * Deletes every cycle file but the newest of each shard, after a verify has read them: their seqs go to
     * {@link #archived}, so a later verify still finds each acknowledged seq once and would see one written
     * again. The queue is opened writable to record the new lowest cycle, as the compactor's retention does.
     */
    private void archiveOlderCycles() throws Exception {
        for (Path shard : PromptLogHome.shardDirs(home)) {
            List<Path> cycles;
            try (java.util.stream.Stream<Path> files = Files.list(shard)) {
                cycles = files.filter(f -> f.toString().endsWith(".cq4")).sorted().toList();
            }
            if (cycles.size() < 2) {
                continue;
            }
            int newest = cycleOf(cycles.get(cycles.size() - 1));
            try (ShardCursor c = ShardCursor.open(shard)) {
                while (c.next()) {
                    if (net.openhft.chronicle.queue.RollCycles.FAST_HOURLY.toCycle(c.index()) < newest) {
                        long seq = SeqCalls.seqOf(c.decode());
                        archived.set((int) seq);
                        archivedMaxSeq = Math.max(archivedMaxSeq, seq);
                    }
                }
            }
            for (Path f : cycles.subList(0, cycles.size() - 1)) {
                Files.delete(f);
            }
            try (net.openhft.chronicle.queue.impl.single.SingleChronicleQueue q =
                         PromptLogHome.openShard(shard, RollPeriod.HOURLY, PromptLogConfig.DEFAULT_MAX_RECORD_BYTES, false)) {
                q.refreshDirectoryListing();
            }
        }
    }

    /** The cycle of a FAST_HOURLY cycle file, from its name (yyyyMMdd-HH'F'). */
    private static int cycleOf(Path cycleFile) {
        String n = cycleFile.getFileName().toString();
        java.time.LocalDateTime t = java.time.LocalDateTime.parse(n.substring(0, 11),
                java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd-HH"));
        return (int) (t.toEpochSecond(java.time.ZoneOffset.UTC) / 3600);
    }

    /**
     * Shards whose Chronicle write lock is still held by the killed child (it died inside an append). Peeked
     * read-only in the queue's metadata table, so this does not recover it: the next writer's open does
     * (Chronicle force-unlocks a lock whose holder pid is dead when it opens a queue for writing).
     */
    private int staleWriteLocks() {
        SingleChronicleQueueBuilder.binary(home); // registers Chronicle's class aliases the table needs
        int stale = 0;
        for (Path shard : PromptLogHome.shardDirs(home)) {
            Path meta = shard.resolve("metadata.cq4t");
            if (!Files.exists(meta)) {
                continue;
            }
            try (TableStore<Metadata.NoMeta> ts = SingleTableBuilder.binary(meta, Metadata.NoMeta.INSTANCE).readOnly(true).build();
                 LongValue lock = ts.acquireValueFor("chronicle.write.lock")) {
                if (lock.getVolatileValue() != Long.MIN_VALUE) {
                    stale++;
                }
            }
        }
        return stale;
    }

    private String stderr(int kill) {
        try {
            return Files.readString(logs.resolve("child-" + kill + ".err"));
        } catch (java.io.IOException e) {
            return "(no stderr: " + e + ")";
        }
    }
}
