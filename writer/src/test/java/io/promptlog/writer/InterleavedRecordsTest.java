package io.promptlog.writer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A client hook that logs through {@link PromptLog#append} (or completes a call through
 * {@link PromptLog#resume}) on a thread where the app has a record {@linkplain PromptLog#begin() begun} must not
 * discard the app's record: both calls are stored whole, and nothing is counted as abandoned.
 */
@Timeout(60)
class InterleavedRecordsTest {
    @TempDir
    Path home;

    private List<LlmCall> storedCalls() throws Exception {
        List<LlmCall> out = new ArrayList<>();
        for (Path shard : PromptLogHome.shardDirs(home)) {
            try (ShardCursor c = ShardCursor.open(shard)) {
                while (c.next()) {
                    out.add(c.decode());
                }
            }
        }
        return out;
    }

    @Test
    void shouldKeepTheThreadsOpenRecordWhenAppendRunsInBetween() throws Exception {
        try (PromptLog log = PromptLog.open(PromptLogConfig.builder(home).shardCount(1).backgroundCompaction(false).build())) {
            CallRecorder app = log.begin().requestModel("app-model").message("user", "app question");
            assertThat(log.append(LlmCall.builder().requestModel("hook-model").message("user", "hook question")
                    .response("hook answer").build())).isEqualTo(AppendStatus.OK);
            assertThat(app.response("app answer").commit()).isEqualTo(AppendStatus.OK);
            assertThat(log.stats().abandoned()).isZero();
        }
        assertThat(storedCalls()).extracting(LlmCall::requestModel, LlmCall::response)
                .containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple("hook-model", "hook answer"),
                        org.assertj.core.groups.Tuple.tuple("app-model", "app answer"));
    }

    @Test
    void shouldKeepTheThreadsOpenRecordWhenAnotherThreadsCallIsResumedInBetween() throws Exception {
        try (PromptLog log = PromptLog.open(PromptLogConfig.builder(home).shardCount(2).backgroundCompaction(false).build())) {
            long[] handle = new long[1];
            Thread sender = new Thread(() -> {
                CallRecorder r = log.begin().requestModel("sent-model").message("user", "sent question");
                r.send();
                handle[0] = r.inFlight();
            });
            sender.start();
            sender.join();
            CallRecorder app = log.begin().requestModel("app-model").message("user", "app question");
            assertThat(log.resume(handle[0]).response("sent answer").complete()).isEqualTo(AppendStatus.OK);
            assertThat(app.response("app answer").commit()).isEqualTo(AppendStatus.OK);
            assertThat(log.stats().abandoned()).isZero();
        }
        assertThat(storedCalls()).extracting(LlmCall::response)
                .contains("sent answer", "app answer");
        assertThat(storedCalls()).filteredOn(c -> "app-model".equals(c.requestModel()))
                .singleElement().extracting(LlmCall::response).isEqualTo("app answer");
    }
}
