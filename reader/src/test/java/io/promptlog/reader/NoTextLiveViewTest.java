package io.promptlog.reader;

import io.promptlog.writer.LlmCall;
import io.promptlog.writer.Message;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Consent in the live view: a no-text call still in the queue shows its metadata only, as it will in Parquet. */
@Timeout(60)
class NoTextLiveViewTest {
    @Test
    void shouldShowOnlyTheMetadataOfANoTextCallNotYetCompacted(@TempDir Path home) {
        LlmCall call = LlmCall.builder().callId("nt").startTimeMicros(1_795_132_800_000_000L).requestModel("gpt-4o")
                .systemPrompt("private prompt").tools("[{\"name\":\"t\"}]").messages(List.of(Message.of("user", "private question")))
                .response("private answer").errorMessage("private error").inputTokens(7).noText().build();
        TestHomes.append(home, call, call.toBuilder().callId("ok").set(io.promptlog.writer.CallField.NO_TEXT, null).build());
        try (PromptLogReader r = PromptLogReader.openHome(home)) {
            assertThat(r.liveCallCount()).isEqualTo(2);
            List<Object> row = r.sql("SELECT no_text, request_model, input_tokens, messages IS NULL, response IS NULL, "
                    + "error_message IS NULL, system_prompt_hash IS NULL, tools_hash IS NULL, input_hash IS NULL, "
                    + "output_hash IS NULL, text_retained, input_chars FROM calls WHERE call_id = 'nt'").rows().get(0);
            assertThat(row).containsExactly(true, "gpt-4o", 7L, true, true, true, true, true, true, true, false, 16L);
            assertThat(r.sql("SELECT count(*) FROM calls_full WHERE CAST(calls_full AS VARCHAR) LIKE '%private%' AND call_id = 'nt'")
                    .scalar()).isEqualTo(0L);
            assertThat(r.sql("SELECT response FROM calls WHERE call_id = 'ok'").scalar()).isEqualTo("private answer");
        }
    }
}
