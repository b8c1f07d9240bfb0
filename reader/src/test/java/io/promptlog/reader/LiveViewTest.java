package io.promptlog.reader;

import io.promptlog.synthetic.SyntheticCalls;
import io.promptlog.writer.LlmCall;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(120)
class LiveViewTest {
    @TempDir
    Path home;

    @Test
    void shouldShowQueuedCallsThatAreNotCompactedYet() throws Exception {
        TestHomes.generate(home, 300, 0, 7);
        try (PromptLogReader r = PromptLogReader.openHome(home)) {
            assertThat(r.liveCallCount()).isEqualTo(300);
            assertThat(r.sql("SELECT count(*) FROM calls").scalar()).isEqualTo(300L);
            assertThat(r.sql("SELECT count(*) FROM calls_live").scalar()).isEqualTo(300L);
            assertThat(r.sql("SELECT count(*) FROM calls_full WHERE system_prompt IS NOT NULL").scalar()).isEqualTo(300L);
            System.out.println(r.sql("SELECT * FROM calls LIMIT 1"));
            SyntheticCalls synth = new SyntheticCalls(7);
            LlmCall expected = synth.call(5);
            String id = (String) r.sql("SELECT call_id FROM calls WHERE attributes['seq'] = '5'").scalar();
            StoredCall got = r.requireCall(id);
            assertThat(got.live()).isTrue();
            assertThat(got.call()).isEqualTo(expected.toBuilder().callId(id).build());
        }
    }
}
