package io.promptlog.reader;

import io.promptlog.writer.LlmCall;
import io.promptlog.writer.PromptLog;
import io.promptlog.writer.PromptLogConfig;
import io.promptlog.writer.PromptLogHome;
import io.promptlog.writer.ShardCursor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Queue damage that destroys the records carrying a repeated system prompt (layout v2 stores it once per cycle
 * and later records refer to it) must not hide the calls that refer to it: the live view shows them with their
 * own metadata, messages and response, without the lost prompt, marked {@code promptlog.lost_text}, and says so.
 */
@Timeout(60)
class LostTextLiveViewTest {
    private static final int CALLS = 6;

    @Test
    void shouldShowCallsWhosePromptDefinitionWasDestroyedWithoutThatText(@TempDir Path home) throws Exception {
        String prompt = "You are a careful assistant for the billing team. ".repeat(30);
        try (PromptLog log = PromptLog.open(PromptLogConfig.builder(home).shardCount(1).backgroundCompaction(false).build())) {
            for (int i = 0; i < CALLS; i++) {
                log.append(LlmCall.builder().callId("c" + i).startTimeMicros(1_795_132_800_000_000L + i).requestModel("m")
                        .systemPrompt(prompt).message("user", "question " + i).response("answer " + i).build());
            }
        }
        Path shard = PromptLogHome.shardDir(home, 0);
        List<long[]> carriers = new ArrayList<>();  // {position, length} of records carrying the prompt in full
        int referring = 0;
        try (ShardCursor c = ShardCursor.open(shard)) {
            while (c.next()) {
                if (c.length() > prompt.length()) {
                    carriers.add(new long[]{c.position(), c.length()});
                } else {
                    referring++;
                }
            }
        }
        assertThat(carriers).as("the prompt is carried in full by the first records only").isNotEmpty();
        assertThat(referring).as("later records refer to it").isPositive();
        Path cycle;
        try (Stream<Path> s = Files.list(shard)) {
            cycle = s.filter(p -> p.toString().endsWith(".cq4")).findFirst().orElseThrow();
        }
        byte[] junk = new byte[16];
        Arrays.fill(junk, (byte) 0x5A);
        try (RandomAccessFile f = new RandomAccessFile(cycle.toFile(), "rw")) {
            for (long[] r : carriers) {
                f.seek(r[0] + 4 + r[1] / 2);  // the middle of the record's body: its checksum no longer matches
                f.write(junk);
            }
        }
        try (PromptLogReader r = PromptLogReader.openHome(home)) {
            assertThat(r.sql("SELECT count(*) FROM calls").scalar()).isEqualTo((long) referring);
            assertThat(r.sql("SELECT count(*) FROM calls WHERE list_contains(map_keys(attributes), 'promptlog.lost_text')"
                    + " AND system_prompt_hash IS NULL AND response LIKE 'answer %'").scalar()).isEqualTo((long) referring);
            assertThat(r.warnings()).anySatisfy(w -> assertThat(w).contains("without its system_prompt"));
        }
    }
}
