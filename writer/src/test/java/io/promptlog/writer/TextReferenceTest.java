package io.promptlog.writer;

import io.promptlog.writer.internal.RecordDescriptor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Version-2 layout, texts by reference: a system prompt or tools definition repeated in a shard's cycle
 * is carried in full once and then as the index of that record; every record still decodes to exactly
 * the text logged, from any starting index.
 */
@Timeout(120)
public class TextReferenceTest {
    private static final VarHandle INT_LE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    @TempDir
    Path home;

    static String prompt(int n, int length) {
        StringBuilder sb = new StringBuilder("prompt ").append(n).append(": ");
        while (sb.length() < length) {
            sb.append("Answer politely and cite sources, rule ").append(sb.length()).append(". ");
        }
        sb.setLength(length);
        return sb.toString();
    }

    /** The wire type of field {@code id} in a version-2 record, or -1 when absent. */
    public static int wireOf(byte[] buf, int length, int id) {
        int p = RecordDescriptor.HEADER_LENGTH;
        int wire = -1;
        while (p < length) {
            int fid = buf[p] & 0xFF;
            int w = buf[p + 1] & 0xFF;
            p += 2;
            int n = switch (w) {
                case RecordDescriptor.WIRE_INT64, RecordDescriptor.WIRE_FLOAT64 -> 8;
                case RecordDescriptor.WIRE_BOOL -> 1;
                default -> 4 + (int) INT_LE.get(buf, p);
            };
            if (fid == id) {
                wire = w;
            }
            p += n;
        }
        return wire;
    }

    private PromptLog open(int shards) {
        PromptLog log = PromptLog.open(PromptLogConfig.builder(home).shardCount(shards).backgroundCompaction(false).build());
        assertThat(log.isAvailable()).as(String.valueOf(log.stats().lastError())).isTrue();
        return log;
    }

    @Test
    void shouldCarryARepeatedPromptInFullOnceAndThenByReference() throws Exception {
        String p = prompt(1, 4096);
        String tools = "[{\"type\":\"function\",\"name\":\"lookup\"}]";
        long appendedBytes;
        try (PromptLog log = open(1)) {
            for (int i = 0; i < 50; i++) {
                try (CallRecorder r = log.begin()) {
                    r.systemPrompt(p).tools(tools).message("user", "q" + i).response("a" + i);
                }
            }
            appendedBytes = log.stats().appendedBytes();
        }
        List<Integer> promptWires = new ArrayList<>();
        List<Integer> toolWires = new ArrayList<>();
        long bytes = 0;
        try (ShardCursor c = ShardCursor.open(PromptLogHome.shardDir(home, 0))) {
            int i = 0;
            while (c.next()) {
                promptWires.add(wireOf(c.buffer(), c.length(), CallField.SYSTEM_PROMPT.id()));
                toolWires.add(wireOf(c.buffer(), c.length(), CallField.TOOLS.id()));
                bytes += c.length();
                LlmCall call = c.decode();
                assertThat(call.systemPrompt()).isEqualTo(p);
                assertThat(call.string(CallField.TOOLS)).isEqualTo(tools);
                assertThat(call.messages().get(0).content()).isEqualTo("q" + i++);
            }
        }
        assertThat(promptWires).hasSize(50);
        // the first call is written like any other; the second defines the text in the shard (its first
        // repeat); every later one refers to the second
        assertThat(promptWires.subList(0, 2)).containsOnly(RecordDescriptor.WIRE_STRING);
        assertThat(promptWires.subList(2, 50)).containsOnly(RecordDescriptor.WIRE_TEXT_REF);
        assertThat(toolWires.subList(2, 50)).containsOnly(RecordDescriptor.WIRE_TEXT_REF);
        assertThat(bytes).as("queue bytes for 50 calls with a 4 KB prompt").isLessThan(2 * 4200 + 48 * 400);
        assertThat(appendedBytes).as("stats count the bytes as written").isEqualTo(bytes);
    }

    @Test
    void shouldReferToATextTheShardDefinedEvenWhenThisThreadNoLongerCachesItOrNeverLoggedIt() throws Exception {
        String[] prompts = new String[7]; // more than a thread's cache of recent texts
        for (int i = 0; i < prompts.length; i++) {
            prompts[i] = prompt(10 + i, 2000);
        }
        try (PromptLog log = open(1)) {
            for (int round = 0; round < 3; round++) {
                for (String p : prompts) {
                    for (int k = 0; k < 2; k++) { // twice in a row: defined in the shard on the repeat
                        log.begin().systemPrompt(p).attribute("phase", "a").commit();
                    }
                }
            }
            Thread other = new Thread(() -> {
                for (String p : prompts) {
                    log.begin().systemPrompt(new String(p.toCharArray())).attribute("phase", "b").commit();
                }
            });
            other.start();
            other.join();
        }
        List<String> phases = new ArrayList<>();
        List<Integer> wires = new ArrayList<>();
        try (ShardCursor c = ShardCursor.open(PromptLogHome.shardDir(home, 0))) {
            while (c.next()) {
                LlmCall call = c.decode();
                assertThat(call.systemPrompt()).startsWith("prompt 1");
                phases.add(call.attributes().get("phase"));
                wires.add(wireOf(c.buffer(), c.length(), CallField.SYSTEM_PROMPT.id()));
            }
        }
        // round 1 writes each text twice in full; rounds 2 and 3 refer even though the thread's cache
        // lost them meanwhile; the other thread refers on its very first call with each text
        assertThat(wires.subList(0, 14)).containsOnly(RecordDescriptor.WIRE_STRING);
        assertThat(wires.subList(14, 42)).containsOnly(RecordDescriptor.WIRE_TEXT_REF);
        assertThat(phases.subList(42, 49)).containsOnly("b");
        assertThat(wires.subList(42, 49)).containsOnly(RecordDescriptor.WIRE_TEXT_REF);
    }

    @Test
    void shouldWriteEachOfManyRotatingPromptsInFullOnlyUntilTheShardHasDefinedIt() throws Exception {
        // 96 prompts of one length (far more than a thread caches; the shard dictionary keeps them all, so no
        // two of them evict each other), logged in a shuffled order: after each is defined, only references
        long seed = System.nanoTime();
        java.util.Random rnd = new java.util.Random(seed);
        String[] prompts = new String[96];
        for (int i = 0; i < prompts.length; i++) {
            prompts[i] = prompt(100 + i, 1500);
        }
        try (PromptLog log = open(1)) {
            for (String p : prompts) {
                for (int k = 0; k < 2; k++) { // twice in a row: inline, then inline and defined
                    log.begin().systemPrompt(p).commit();
                }
            }
            List<String> order = new ArrayList<>(List.of(prompts));
            for (int round = 0; round < 5; round++) {
                java.util.Collections.shuffle(order, rnd);
                for (String p : order) {
                    log.begin().systemPrompt(new String(p.toCharArray())).commit();
                }
            }
        }
        List<Integer> wires = new ArrayList<>();
        try (ShardCursor c = ShardCursor.open(PromptLogHome.shardDir(home, 0))) {
            while (c.next()) {
                assertThat(c.decode().systemPrompt()).startsWith("prompt 1");
                wires.add(wireOf(c.buffer(), c.length(), CallField.SYSTEM_PROMPT.id()));
            }
        }
        assertThat(wires).hasSize(2 * 96 + 5 * 96);
        assertThat(wires.subList(0, 2 * 96)).containsOnly(RecordDescriptor.WIRE_STRING);
        assertThat(wires.subList(2 * 96, wires.size())).as("seed " + seed).containsOnly(RecordDescriptor.WIRE_TEXT_REF);
    }

    /** The system prompt's wire type in each record of shard 0, checking every record decodes to a prompt. */
    private List<Integer> promptWires(String expectedPrefix) throws Exception {
        List<Integer> wires = new ArrayList<>();
        try (ShardCursor c = ShardCursor.open(PromptLogHome.shardDir(home, 0))) {
            while (c.next()) {
                assertThat(c.decode().systemPrompt()).startsWith(expectedPrefix);
                wires.add(wireOf(c.buffer(), c.length(), CallField.SYSTEM_PROMPT.id()));
            }
        }
        return wires;
    }

    @Test
    void shouldReferToPromptsThatOneThreadUsesInStrictRotationNeverTwiceInARow() throws Exception {
        // an agent's pipeline: planner, researcher, writer, critic, editor, summariser, one after the other
        // on the request's thread; more steps than a thread's cache of recent texts, so each prompt has left
        // that cache before it comes back (least recently used, every time)
        String[] steps = new String[6];
        for (int i = 0; i < steps.length; i++) {
            steps[i] = prompt(20 + i, 3000);
        }
        int rounds = 10;
        try (PromptLog log = open(1)) {
            for (int round = 0; round < rounds; round++) {
                for (String p : steps) {
                    log.begin().systemPrompt(p).message("user", "step of request " + round).commit();
                }
            }
        }
        List<Integer> wires = promptWires("prompt 2");
        assertThat(wires).hasSize(rounds * steps.length);
        // round 1: first sight, inline; round 2: seen before, inline and defined; then references only
        assertThat(wires.subList(0, 2 * steps.length)).containsOnly(RecordDescriptor.WIRE_STRING);
        assertThat(wires.subList(2 * steps.length, wires.size())).containsOnly(RecordDescriptor.WIRE_TEXT_REF);
    }

    @Test
    void shouldReferToAPromptWhoseCallsLandOnDifferentThreadsEachTime() throws Exception {
        // a server's thread pool: the 8 prompts of a rotation reach 3 threads in turn, so no thread sees
        // the same prompt twice within its own cache; the log as a whole has seen it before
        String[] prompts = new String[8];
        for (int i = 0; i < prompts.length; i++) {
            prompts[i] = prompt(40 + i, 2500);
        }
        java.util.concurrent.ExecutorService[] threads = new java.util.concurrent.ExecutorService[3];
        for (int t = 0; t < threads.length; t++) {
            threads[t] = java.util.concurrent.Executors.newSingleThreadExecutor();
        }
        int calls = 8 * prompts.length;
        try (PromptLog log = open(1)) {
            for (int k = 0; k < calls; k++) {
                String p = prompts[k % prompts.length];
                threads[k % threads.length].submit(() -> log.begin().systemPrompt(p).commit()).get(30, java.util.concurrent.TimeUnit.SECONDS);
            }
        } finally {
            for (java.util.concurrent.ExecutorService t : threads) {
                t.shutdownNow();
            }
        }
        List<Integer> wires = promptWires("prompt 4");
        assertThat(wires).hasSize(calls);
        assertThat(wires.subList(0, 2 * prompts.length)).containsOnly(RecordDescriptor.WIRE_STRING);
        assertThat(wires.subList(2 * prompts.length, calls)).containsOnly(RecordDescriptor.WIRE_TEXT_REF);
    }

    @Test
    void shouldRecogniseTheSameTextByContentFromANewStringOrAStringBuilder() throws Exception {
        String p = prompt(2, 3000);
        StringBuilder sb = new StringBuilder();
        try (PromptLog log = open(1)) {
            for (int i = 0; i < 30; i++) {
                CharSequence text = switch (i % 3) {
                    case 0 -> new String(p.toCharArray()); // equal content, a new instance every time
                    case 1 -> {
                        sb.setLength(0);
                        yield sb.append(p);
                    }
                    default -> p;
                };
                try (CallRecorder r = log.begin()) {
                    r.systemPrompt(text).message("user", "q" + i);
                }
                sb.setLength(0); // the caller reuses its builder right away: the record must not change
                sb.append("garbage that must never reach the queue");
            }
        }
        int refs = 0;
        try (ShardCursor c = ShardCursor.open(PromptLogHome.shardDir(home, 0))) {
            while (c.next()) {
                assertThat(c.decode().systemPrompt()).isEqualTo(p);
                if (wireOf(c.buffer(), c.length(), CallField.SYSTEM_PROMPT.id()) == RecordDescriptor.WIRE_TEXT_REF) {
                    refs++;
                }
            }
        }
        assertThat(refs).isEqualTo(28);
    }

    @Test
    void shouldDecodeEveryRecordWhenReadingStartsAtAnyIndex() throws Exception {
        // several threads alternate between prompts on several shards: references everywhere
        String[] prompts = {prompt(0, 1000), prompt(1, 5000), prompt(2, 20_000), "short"};
        int threads = 3;
        int perThread = 60;
        try (PromptLog log = open(2)) {
            List<Thread> ts = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int id = t;
                Thread th = new Thread(() -> {
                    for (int i = 0; i < perThread; i++) {
                        int seq = id * perThread + i;
                        try (CallRecorder r = log.begin()) {
                            r.systemPrompt(prompts[(seq * 7 / 3) % prompts.length]).tools(seq % 2 == 0 ? "[1]" : "[2]")
                                    .attribute("seq", seq);
                        }
                    }
                });
                ts.add(th);
                th.start();
            }
            for (Thread th : ts) {
                th.join();
            }
        }
        int decoded = 0;
        for (Path shard : PromptLogHome.shardDirs(home)) {
            List<Long> indexes = new ArrayList<>();
            try (ShardCursor c = ShardCursor.open(shard)) {
                while (c.next()) {
                    indexes.add(c.index());
                }
            }
            for (long index : indexes) {
                // a fresh cursor that starts right at this record, as a compactor restarting from a checkpoint
                try (ShardCursor c = ShardCursor.open(shard)) {
                    c.moveAfter(index - 1);
                    assertThat(c.next()).isTrue();
                    assertThat(c.index()).isEqualTo(index);
                    LlmCall call = c.decode();
                    int seq = Integer.parseInt(call.attributes().get("seq"));
                    assertThat(call.systemPrompt()).isEqualTo(prompts[(seq * 7 / 3) % prompts.length]);
                    assertThat(call.string(CallField.TOOLS)).isEqualTo(seq % 2 == 0 ? "[1]" : "[2]");
                    decoded++;
                }
            }
        }
        assertThat(decoded).isEqualTo(threads * perThread);
    }

    @Test
    void shouldNeverAttachOnePromptsTextToAnotherCallWhenTheirFingerprintsCollide() throws Exception {
        // same length, and equal in every sampled word: they differ only in byte 10, which the sampled
        // fingerprint does not read, so every cache and dictionary lookup collides
        String a = prompt(3, 1000);
        char[] chars = a.toCharArray();
        chars[10] = chars[10] == 'x' ? 'y' : 'x';
        String b = new String(chars);
        try (PromptLog log = open(1)) {
            for (int i = 0; i < 40; i++) {
                try (CallRecorder r = log.begin()) {
                    // alternate, and also log equal content through fresh instances
                    String text = i % 2 == 0 ? a : b;
                    r.systemPrompt(i % 4 < 2 ? text : new String(text.toCharArray())).attribute("i", i);
                }
            }
        }
        int n = 0;
        try (ShardCursor c = ShardCursor.open(PromptLogHome.shardDir(home, 0))) {
            while (c.next()) {
                LlmCall call = c.decode();
                int i = Integer.parseInt(call.attributes().get("i"));
                assertThat(call.systemPrompt()).as("call %d", i).isEqualTo(i % 2 == 0 ? a : b);
                n++;
            }
        }
        assertThat(n).isEqualTo(40);
    }

    @Test
    void shouldKeepAPromptCutToTheSizeLimitInlineAndNeverReferToIt() throws Exception {
        String huge = prompt(4, 100_000);
        try (PromptLog log = PromptLog.open(PromptLogConfig.builder(home).shardCount(1).maxRecordBytes(64 * 1024)
                .backgroundCompaction(false).build())) {
            for (int i = 0; i < 5; i++) {
                try (CallRecorder r = log.begin()) {
                    r.systemPrompt(huge).message("user", "q");
                    assertThat(r.commit()).isEqualTo(AppendStatus.OK_TRUNCATED);
                }
            }
        }
        try (ShardCursor c = ShardCursor.open(PromptLogHome.shardDir(home, 0))) {
            while (c.next()) {
                assertThat(wireOf(c.buffer(), c.length(), CallField.SYSTEM_PROMPT.id())).isEqualTo(RecordDescriptor.WIRE_STRING);
                LlmCall call = c.decode();
                assertThat(call.truncated()).isTrue();
                assertThat(huge).startsWith(call.systemPrompt());
            }
        }
    }

    @Test
    void shouldReportAReferenceOutsideItsShardAsUnresolvedWhenDecodedAlone() throws Exception {
        String p = prompt(5, 2000);
        try (PromptLog log = open(1)) {
            for (int i = 0; i < 3; i++) {
                try (CallRecorder r = log.begin()) {
                    r.systemPrompt(p);
                }
            }
        }
        try (ShardCursor c = ShardCursor.open(PromptLogHome.shardDir(home, 0))) {
            c.next();
            c.next();
            c.next();
            assertThat(RecordDecoder.check(c.buffer(), 0, c.length())).isEqualTo(RecordDecoder.VALID);
            try {
                RecordDecoder.decode(c.buffer(), 0, c.length());
                throw new AssertionError("decoded a reference without its shard");
            } catch (CorruptRecordException e) {
                assertThat(e.reason()).isEqualTo(RecordDecoder.UNRESOLVED_REFERENCE);
                assertThat(e.getMessage()).contains("ShardCursor");
            }
            assertThat(c.decode().systemPrompt()).isEqualTo(p);
        }
    }
}
