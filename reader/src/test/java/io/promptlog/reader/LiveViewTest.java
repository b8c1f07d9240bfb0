package io.promptlog.reader;

import io.promptlog.synthetic.SyntheticCalls;
import io.promptlog.writer.LlmCall;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(180)
class LiveViewTest {
    private static final long SEED = 7;

    @TempDir
    Path home;

    @Test
    void shouldShowQueuedCallsThatAreNotCompactedYet() throws Exception {
        TestHomes.generate(home, 300, 0, SEED);
        try (PromptLogReader r = PromptLogReader.openHome(home)) {
            assertThat(r.liveCallCount()).isEqualTo(300);
            assertThat(r.sql("SELECT count(*) FROM calls").scalar()).isEqualTo(300L);
            assertThat(r.sql("SELECT count(*) FROM calls_live").scalar()).isEqualTo(300L);
            assertThat(r.sql("SELECT count(*) FROM calls_full WHERE system_prompt IS NOT NULL").scalar()).isEqualTo(300L);
            assertThat(r.sql("SELECT count(*) FROM system_prompts").scalar())
                    .isEqualTo(r.sql("SELECT count(DISTINCT system_prompt_hash) FROM calls").scalar());
            LlmCall expected = new SyntheticCalls(SEED).call(5);
            String id = (String) r.sql("SELECT call_id FROM calls WHERE attributes['seq'] = '5'").scalar();
            StoredCall got = r.requireCall(id);
            assertThat(got.live()).isTrue();
            assertThat(got.textRetained()).isTrue();
            assertThat(got.call()).isEqualTo(expected.toBuilder().callId(id).build());
        }
    }

    @Test
    void shouldCountEachCallOnceWhileTheCompactorCatchesUp() throws Exception {
        TestHomes.generate(home, 300, 0, SEED);
        TestHomes.compact(home, "all", "none");
        TestHomes.generate(home, 200, 300, SEED);
        try (PromptLogReader r = PromptLogReader.openHome(home)) {
            assertThat(r.sql("SELECT count(*) FROM calls_compacted").scalar()).isEqualTo(300L);
            assertThat(r.sql("SELECT count(*) FROM calls_live").scalar()).isEqualTo(200L);
            assertThat(r.sql("SELECT count(*), count(DISTINCT call_id), min(CAST(attributes['seq'] AS INT)), "
                    + "max(CAST(attributes['seq'] AS INT)) FROM calls").rows().get(0)).containsExactly(500L, 500L, 0, 499);
            // a live row hashes exactly like its compacted twin would (same hashing as the compactor)
            assertThat(r.sql("SELECT count(*) FROM calls_live l WHERE system_prompt_hash IN "
                    + "(SELECT system_prompt_hash FROM system_prompts_compacted)").scalar()).isEqualTo(200L);
            assertThat(r.sql("SELECT count(*) FROM system_prompts").scalar())
                    .isEqualTo(r.sql("SELECT count(DISTINCT system_prompt_hash) FROM calls").scalar());

            // a call logged now is visible after a refresh
            TestHomes.append(home, new SyntheticCalls(SEED).call(9999).toBuilder().callId("fresh-call").build());
            r.refreshLive();
            assertThat(r.requireCall("fresh-call").live()).isTrue();
            assertThat(r.sql("SELECT count(*) FROM calls").scalar()).isEqualTo(501L);
        }
    }

    @Test
    void shouldShowATwoPhaseCallAsOneRowAndACallInFlightAsIncomplete() throws Exception {
        try (io.promptlog.writer.PromptLog log = io.promptlog.writer.PromptLog.open(io.promptlog.writer.PromptLogConfig
                .builder(home).shardCount(1).backgroundCompaction(false).build())) {
            io.promptlog.writer.CallRecorder done = log.begin().callId("done").requestModel("m").message("user", "q1");
            done.send();
            long handle = done.inFlight(); // the thread's one recorder moves on to the next call
            io.promptlog.writer.CallRecorder waiting = log.begin().callId("waiting").requestModel("m").message("user", "q2");
            waiting.send();
            log.resume(handle).response("a1").complete();
        }
        try (PromptLogReader r = PromptLogReader.openHome(home)) {
            assertThat(r.sql("SELECT call_id, status, request_model FROM calls ORDER BY call_id").rows())
                    .containsExactly(java.util.List.of("done", "ok", "m"), java.util.List.of("waiting", "incomplete", "m"));
            assertThat(r.requireCall("done").call().response()).isEqualTo("a1");
        }
    }

    @Test
    void shouldNotDoubleCountWhenCompactionProgressIsMissing() throws Exception {
        TestHomes.generate(home, 250, 0, SEED);
        TestHomes.compact(home, "all", "none");
        // lose the compactor's checkpoint: the reader sees the whole queue again and must anti-join on call_id
        Path meta = home.resolve("data").resolve("_promptlog");
        assertThat(meta).isDirectory();
        try (Stream<Path> s = Files.walk(meta)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        try (PromptLogReader r = PromptLogReader.openHome(home)) {
            assertThat(r.sql("SELECT count(*), count(DISTINCT call_id) FROM calls").rows().get(0)).containsExactly(250L, 250L);
            assertThat(r.liveCallCount()).isZero();
        }
    }
}
