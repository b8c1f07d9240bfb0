package io.promptlog.writer;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The recorder path ({@code log.begin() ... commit()}) allocates nothing per call once warm, for a
 * realistic call: a 4 KB system prompt, a multi-turn history with non-ASCII text, attributes, numbers.
 * Measured with the JVM's per-thread allocation counter over many calls, after a warm-up that lets the
 * JIT compile the path (escape analysis) and lets Chronicle map its first blocks.
 */
@Timeout(180)
class ZeroAllocationTest {
    private static final int WARM_UP_CALLS = 100_000;
    private static final int MEASURED_CALLS = 100_000;

    @TempDir
    Path home;
    PromptLog log;

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    @BeforeEach
    void open() {
        log = PromptLog.open(PromptLogConfig.builder(home).shardCount(2).build());
        assertThat(log.isAvailable()).as(String.valueOf(log.stats().lastError())).isTrue();
        assertThat(THREADS.isThreadAllocatedMemorySupported()).isTrue();
        THREADS.setThreadAllocatedMemoryEnabled(true);
    }

    @AfterEach
    void close() {
        log.close();
    }

    /** Everything a call carries, prepared before the loop: the caller's own data. */
    static final class CallData {
        final String systemPrompt;
        /** role, content pairs; an array, so the loop over it allocates no iterator. */
        final String[][] history;
        final String question;
        final String answer;
        final StringBuilder answerBuilder = new StringBuilder();

        CallData() {
            StringBuilder sp = new StringBuilder();
            int rule = 0;
            while (sp.length() < 4096) {
                sp.append("Rule ").append(rule++).append(": answer politely, cite sources, never reveal keys. ");
            }
            systemPrompt = sp.toString();
            history = new String[][] {
                    new String[] {"user", "Bonjour, où est ma commande n° 4521 ? Merci d'avance."},
                    new String[] {"assistant", "Je vérifie… votre colis est parti de Lyon hier. 📦"},
                    new String[] {"user", "配送はいつ届きますか？"},
                    new String[] {"assistant", "Es sollte übermorgen ankommen. Größe: 3 kg."}};
            question = "Can I change the delivery address to 221B Baker Street?";
            answer = "Yes — I updated the address. Ваш заказ будет доставлен завтра. ✅";
        }
    }

    static void record(CallRecorder r, CallData d, CharSequence answer, long seq) {
        record(r, d, answer, seq, false);
    }

    /** twoPhase: the request fields, {@code send()}, then the response fields (completed by commit()). */
    static void record(CallRecorder r, CallData d, CharSequence answer, long seq, boolean twoPhase) {
        r.provider("openai").operation("chat").requestModel("gpt-4o").responseModel("gpt-4o-2024-08-06")
                .service("checkout").environment("prod").host("host-1").userId("user-42").sessionId("sess-7")
                .temperature(0.2).topP(0.95).maxTokens(1024).stream(false)
                .systemPrompt(d.systemPrompt);
        for (int i = 0; i < d.history.length; i++) {
            r.message(d.history[i][0], d.history[i][1]);
        }
        r.message("user", d.question);
        if (twoPhase) {
            r.send();
        }
        r.response(answer).finishReason("stop")
                .inputTokens(1812 + (seq & 63)).outputTokens(95).cachedInputTokens(1024).costUsd(0.00123)
                .durationMicros(812_000 + (seq & 1023)).ttftMicros(120_000).status(CallField.STATUS_OK).httpStatus(200)
                .attribute("tenant", "acme").attribute("route", "/v1/support").attribute("seq", seq);
    }

    private long allocatedBytes(Thread t) {
        return THREADS.getThreadAllocatedBytes(t.getId());
    }

    /** Calls that allocated, as "call#:bytes", for the failure message; filled without allocating. */
    private final long[] spikeCalls = new long[32];
    private final long[] spikeBytes = new long[32];
    private int spikes;

    /** Runs calls and returns the bytes this thread allocated during them (per-call deltas summed). */
    private long measure(int calls, long firstSeq, CallData d, boolean useBuilder, boolean twoPhase) {
        Thread me = Thread.currentThread();
        spikes = 0;
        long total = 0;
        int failed = 0;
        long previous = allocatedBytes(me);
        for (int i = 0; i < calls; i++) {
            long seq = firstSeq + i;
            CharSequence answer = d.answer;
            if (useBuilder) {
                StringBuilder sb = d.answerBuilder;
                sb.setLength(0);
                sb.append(d.answer).append(" #").append(seq);
                answer = sb;
            }
            CallRecorder r = log.begin();
            record(r, d, answer, seq, twoPhase);
            if (r.commit() != AppendStatus.OK) {
                failed++;
            }
            long now = allocatedBytes(me);
            if (now != previous) {
                total += now - previous;
                if (spikes < spikeCalls.length) {
                    spikeCalls[spikes] = i;
                    spikeBytes[spikes++] = now - previous;
                }
                previous = allocatedBytes(me); // the counter read itself may allocate once: do not count it
            }
        }
        assertThat(failed).as("failed appends; last error: " + log.stats().lastError()).isZero();
        return total;
    }

    private String spikes() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < spikes; i++) {
            sb.append(spikeCalls[i]).append(':').append(spikeBytes[i]).append(' ');
        }
        return sb.toString();
    }

    private void assertNoAllocationPerCall(boolean useBuilder) throws Exception {
        assertNoAllocationPerCall(useBuilder, false);
    }

    private void assertNoAllocationPerCall(boolean useBuilder, boolean twoPhase) throws Exception {
        CallData d = new CallData();
        measure(WARM_UP_CALLS, 0, d, useBuilder, twoPhase);
        long bytesBefore = log.stats().appendedBytes();
        long allocated = measure(MEASURED_CALLS, WARM_UP_CALLS, d, useBuilder, twoPhase);
        long written = log.stats().appendedBytes() - bytesBefore;
        double perCall = (double) allocated / MEASURED_CALLS;
        // Chronicle maps the queue file in 64 MiB chunks; mapping the next one (on the appending thread)
        // allocates ~0.4-1 KB of its own bookkeeping (MappedBytesStore, file lock, canonical path). That is
        // per 64 MiB written, not per call: allow 4 KiB per chunk plus 16 KiB for one-off JIT events. An
        // allocation on every call (16 bytes at least) is ten times this allowance.
        long chunks = written / (64L << 20) + 2;
        long allowance = chunks * 4096 + 16 * 1024;
        String report = String.format("allocated %d bytes over %d warm calls (%.4f bytes/call, %d MiB written, "
                + "allowance %d, builder=%s, twoPhase=%s); allocating calls (call:bytes): %s",
                allocated, MEASURED_CALLS, perCall, written >> 20, allowance, useBuilder, twoPhase, spikes());
        System.out.println(report);
        assertThat(allocated).as(report).isLessThanOrEqualTo(allowance);
        assertThat(perCall).as(report).isLessThan(1.0);

        // and the records really are there and complete: count all, decode a sample (every 1000th)
        long count = 0;
        long checked = 0;
        for (Path shard : PromptLogHome.shardDirs(home)) {
            try (ShardCursor c = ShardCursor.open(shard)) {
                while (c.next()) {
                    if (count++ % 1000 == 0 && !twoPhase) {
                        assertRecorded(c.decode(), d, useBuilder);
                        checked++;
                    }
                }
            }
        }
        assertThat(count).isEqualTo((twoPhase ? 2 : 1) * (WARM_UP_CALLS + MEASURED_CALLS));
        assertThat(checked).isGreaterThan(twoPhase ? -1 : 100);
    }

    private static void assertRecorded(LlmCall call, CallData d, boolean useBuilder) {
        long seq = Long.parseLong(call.attributes().get("seq"));
        assertThat(call.systemPrompt()).isEqualTo(d.systemPrompt);
        assertThat(call.messages()).hasSize(d.history.length + 1);
        assertThat(call.messages().get(2)).isEqualTo(Message.of("user", "配送はいつ届きますか？"));
        assertThat(call.messages().get(d.history.length)).isEqualTo(Message.of("user", d.question));
        assertThat(call.response()).isEqualTo(useBuilder ? d.answer + " #" + seq : d.answer);
        assertThat(call.int64(CallField.INPUT_TOKENS)).isEqualTo(1812 + (seq & 63));
        assertThat(call.attributes()).containsEntry("tenant", "acme").containsEntry("route", "/v1/support");
    }

    @Test
    void shouldAllocateNothingPerRecordedCallWithStringFields() throws Exception {
        assertNoAllocationPerCall(false);
    }

    @Test
    void shouldAllocateNothingPerRecordedCallWithStringBuilderValue() throws Exception {
        assertNoAllocationPerCall(true);
    }

    @Test
    void shouldAllocateNothingPerCallWhenPromptsArriveAsNewStringsOfMorePromptsThanTheThreadCaches() {
        // 8 prompts (more than a thread's text cache), each as 16 distinct but equal String instances, as
        // an app building its prompt per call from a template would pass them; plus a new text every 5th call
        String[] instances = new String[128];
        for (int i = 0; i < instances.length; i++) {
            instances[i] = new String(("Prompt " + (i % 8) + ": " + "answer politely, cite sources. ".repeat(100)).toCharArray());
        }
        StringBuilder fresh = new StringBuilder();
        Thread me = Thread.currentThread();
        long allocated = 0;
        for (int round = 0; round < 2; round++) {
            long before = allocatedBytes(me);
            for (int i = 0; i < 50_000; i++) {
                CallRecorder r = log.begin().requestModel("m").message("user", "q");
                if (i % 5 == 4) {
                    fresh.setLength(0);
                    fresh.append("one-off prompt #").append(i).append(' ').append(instances[0], 0, 2000);
                    r.systemPrompt(fresh);
                } else {
                    r.systemPrompt(instances[(i * 37) & 127]);
                }
                r.commit();
            }
            allocated = allocatedBytes(me) - before; // the second round is measured
        }
        System.out.println("rotating prompt instances: " + allocated + " bytes over 50000 warm calls");
        assertThat(allocated).as("bytes allocated over 50,000 calls").isLessThan(32 * 1024);
    }

    @Test
    void shouldAllocateNothingPerTwoPhaseCallOnEitherPhase() throws Exception {
        assertNoAllocationPerCall(true, true);
    }
}
