package io.promptlog.reader;

import io.promptlog.writer.LlmCall;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(120)
class CallLookupTest {
    @TempDir
    Path home;

    @Test
    void shouldFindCallsByWriterGeneratedAndByApplicationChosenIds() throws Exception {
        LlmCall generated = TestHomes.everyFieldCall().toBuilder().callId(null).build();
        // a UUIDv7 whose time (2026-11-20) is not the call's start (2027-01-01): the pruned lookup misses, the fallback finds it
        LlmCall chosen = TestHomes.everyFieldCall().toBuilder().callId("01a1f640-bc28-7abc-8def-0123456789ab")
                .startTimeMicros(1_798_761_600_000_000L).build();
        LlmCall plain = TestHomes.everyFieldCall().toBuilder().callId("order-42").build();
        TestHomes.append(home, generated, chosen, plain);
        TestHomes.compact(home, "all", "none");
        TestHomes.append(home, TestHomes.everyFieldCall().toBuilder().callId(null).requestModel("live-model").build());
        try (PromptLogReader r = PromptLogReader.openHome(home)) {
            assertThat(r.sql("SELECT count(*) FROM calls").scalar()).isEqualTo(4L);
            for (Object id : r.sql("SELECT call_id FROM calls").rows().stream().map(row -> row.get(0)).toList()) {
                assertThat(r.requireCall((String) id).call().callId()).isEqualTo(id);
            }
            String liveId = (String) r.sql("SELECT call_id FROM calls_live").scalar();
            assertThat(r.requireCall(liveId).call().requestModel()).isEqualTo("live-model");
            assertThat(r.call("01a1f640-bc28-7abc-8def-000000000000")).isEmpty();
        }
    }
}
