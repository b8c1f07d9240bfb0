package io.promptlog.writer;

import io.promptlog.writer.internal.RecordDescriptor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The two-phase path: {@code send()} makes the request half durable before the model answers;
 * {@code complete()} / {@code fail()} write the response half into the same shard, pointing at the request
 * half by its exact index.
 */
@Timeout(60)
class TwoPhaseRecorderTest {
    @TempDir
    Path home;

    record Half(int kind, long index, LlmCall call, long requestIndex, WriterProcess writer) {
    }

    private List<List<Half>> halvesByShard() throws Exception {
        List<List<Half>> out = new ArrayList<>();
        for (Path shard : PromptLogHome.shardDirs(home)) {
            List<Half> halves = new ArrayList<>();
            try (ShardCursor c = ShardCursor.open(shard)) {
                while (c.next()) {
                    LlmCall call = c.decode();
                    halves.add(new Half(c.kind(), c.index(), call, RecordDecoder.requestIndex(c.buffer(), 0, c.length()),
                            c.writerProcess()));
                }
            }
            out.add(halves);
        }
        return out;
    }

    @Test
    void shouldMakeTheRequestDurableAtSendAndWriteTheResponseHalfPointingAtIt() throws Exception {
        try (PromptLog log = PromptLog.open(PromptLogConfig.builder(home).shardCount(2).backgroundCompaction(false).build())) {
            CallRecorder r = log.begin().requestModel("gpt-4o").systemPrompt("be brief").message("user", "hi")
                    .temperature(0.3);
            assertThat(r.send()).isEqualTo(AppendStatus.OK);
            assertThat(r.inFlight()).isPositive();
            // durable now: a reader sees the request half before the call completes
            List<Half> before = halvesByShard().stream().flatMap(List::stream).toList();
            assertThat(before).singleElement().satisfies(h -> {
                assertThat(h.kind).isEqualTo(RecordDescriptor.KIND_REQUEST);
                assertThat(h.call.requestModel()).isEqualTo("gpt-4o");
                assertThat(h.call.systemPrompt()).isEqualTo("be brief");
                assertThat(h.call.callId()).isNotNull();
                assertThat(h.call.response()).isNull();
                assertThat(h.writer).isEqualTo(WriterProcess.current());
            });
            assertThat(r.response("hello!").outputTokens(3).complete()).isEqualTo(AppendStatus.OK);
            assertThat(r.complete()).isEqualTo(AppendStatus.NOT_STARTED);
        }
        List<Half> halves = halvesByShard().stream().filter(s -> !s.isEmpty()).findFirst().orElseThrow();
        assertThat(halves).hasSize(2);
        Half req = halves.get(0);
        Half resp = halves.get(1);
        assertThat(resp.kind).isEqualTo(RecordDescriptor.KIND_RESPONSE);
        assertThat(resp.requestIndex).isEqualTo(req.index);
        assertThat(resp.call.callId()).isEqualTo(req.call.callId());
        assertThat(resp.call.response()).isEqualTo("hello!");
        assertThat(resp.call.status()).isEqualTo(CallField.STATUS_OK);
        assertThat(resp.call.int64(CallField.DURATION_US)).isNotNull().isGreaterThanOrEqualTo(0);
        assertThat(resp.call.requestModel()).isNull();
        assertThat(resp.writer).isNull();
    }

    @Test
    void shouldWriteAFailedCompletionWithItsError() throws Exception {
        try (PromptLog log = PromptLog.open(PromptLogConfig.builder(home).shardCount(1).backgroundCompaction(false).build())) {
            try (CallRecorder r = log.begin()) {
                r.requestModel("m").callId("my-own-id");
                r.send();
                assertThat(r.fail("java.net.SocketTimeoutException", "read timed out")).isEqualTo(AppendStatus.OK);
            }
        }
        List<Half> halves = halvesByShard().get(0);
        assertThat(halves).hasSize(2);
        assertThat(halves.get(1).call.status()).isEqualTo(CallField.STATUS_ERROR);
        assertThat(halves.get(1).call.string(CallField.ERROR_TYPE)).isEqualTo("java.net.SocketTimeoutException");
        assertThat(halves.get(1).call.callId()).isEqualTo("my-own-id");
        assertThat(halves.get(0).call.callId()).isEqualTo("my-own-id");
    }

    @Test
    void shouldCompleteOnAnotherThreadThroughTheInFlightHandleIntoTheRequestsShard() throws Exception {
        int calls = 40;
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try (PromptLog log = PromptLog.open(PromptLogConfig.builder(home).shardCount(4).backgroundCompaction(false).build())) {
            List<CompletableFuture<Integer>> done = new ArrayList<>();
            for (int i = 0; i < calls; i++) {
                CallRecorder r = log.begin().requestModel("m").attribute("i", i);
                assertThat(r.send()).isEqualTo(AppendStatus.OK);
                long handle = r.inFlight();
                String answer = "answer " + i;
                done.add(CompletableFuture.supplyAsync(() -> log.resume(handle).response(answer).complete(), pool));
            }
            for (CompletableFuture<Integer> f : done) {
                assertThat(f.get()).isEqualTo(AppendStatus.OK);
            }
        } finally {
            pool.shutdownNow();
        }
        int pairs = 0;
        for (List<Half> shard : halvesByShard()) {
            for (Half h : shard) {
                if (h.kind == RecordDescriptor.KIND_RESPONSE) {
                    Half req = shard.stream().filter(x -> x.index == h.requestIndex).findFirst().orElseThrow();
                    assertThat(req.kind).isEqualTo(RecordDescriptor.KIND_REQUEST);
                    assertThat(h.call.response()).isEqualTo("answer " + req.call.attributes().get("i"));
                    pairs++;
                }
            }
        }
        assertThat(pairs).isEqualTo(calls);
    }

    @Test
    void shouldRejectAForgedHandleWithoutWritingARecord() throws Exception {
        try (PromptLog log = PromptLog.open(PromptLogConfig.builder(home).shardCount(1).backgroundCompaction(false).build())) {
            CallRecorder r = log.begin().requestModel("m").message("user", "q");
            assertThat(r.send()).isEqualTo(AppendStatus.OK);
            long genuine = r.inFlight();
            long requestIndex = InFlight.index(genuine);
            assertThat(log.begin().requestModel("one-phase").commit()).isEqualTo(AppendStatus.OK);
            long[] forged = {
                    InFlight.handle(0, requestIndex + 1), // a one-phase call's record, not a request half
                    InFlight.handle(0, requestIndex + 2), // past the end of the shard
                    InFlight.handle(0, 999),              // a cycle that was never written
                    Long.MAX_VALUE,                       // shard 126 of a log that has one: refused at resume
                    (1L << 56) | ((1L << 56) - 1),        // shard 0, the last index any cycle could hold
            };
            for (long handle : forged) {
                int status = log.resume(handle).response("stray").complete();
                assertThat(status).as("handle %x", handle).isIn(AppendStatus.REJECTED_HANDLE, AppendStatus.NOT_STARTED);
            }
            assertThat(log.stats().rejectedHandles()).isEqualTo(4);
            assertThat(AppendStatus.isAppended(AppendStatus.REJECTED_HANDLE)).isFalse();
            // the thread's recorder is free again, and a genuine handle still completes its call
            assertThat(log.resume(genuine).response("answer").complete()).isEqualTo(AppendStatus.OK);
            assertThat(log.stats().appended()).isEqualTo(3);
        }
        List<Half> halves = halvesByShard().get(0);
        assertThat(halves).extracting(Half::kind).containsExactly(RecordDescriptor.KIND_REQUEST,
                RecordDescriptor.KIND_CALL, RecordDescriptor.KIND_RESPONSE);
        assertThat(halves.get(2).call.response()).isEqualTo("answer");
        assertThat(halves.get(2).requestIndex).isEqualTo(halves.get(0).index);
        assertThat(halves).noneMatch(h -> "stray".equals(h.call.response()));
    }

    @Test
    void shouldKeepTheOnePhaseCommitAndTryWithResourcesAsBefore() throws Exception {
        try (PromptLog log = PromptLog.open(PromptLogConfig.builder(home).shardCount(1).backgroundCompaction(false).build())) {
            try (CallRecorder r = log.begin()) {
                r.requestModel("m").response("r");
            }
            assertThat(log.resume(-1).response("x").complete()).isEqualTo(AppendStatus.NOT_STARTED);
            assertThat(log.begin().send()).isEqualTo(AppendStatus.OK);
            // a call sent and then left behind stays in flight: beginning another is not an abandon
            log.begin().requestModel("next").commit();
            assertThat(log.stats().abandoned()).isZero();
        }
        List<Half> halves = halvesByShard().get(0);
        assertThat(halves).extracting(Half::kind).containsExactly(RecordDescriptor.KIND_CALL,
                RecordDescriptor.KIND_REQUEST, RecordDescriptor.KIND_CALL);
    }
}
