package io.promptlog.writer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(60)
class TextInternerTest {

    @Test
    void shouldReturnTheSameInstanceForEqualPromptsAcrossDecodedRecords() throws Exception {
        TextInterner interner = TextInterner.cache(64);
        String prompt = "You are helpful. ✓ ".repeat(500);
        byte[] a = record(prompt, "q1");
        byte[] b = record(prompt, "q2");
        LlmCall first = RecordDecoder.decode(a, 0, a.length, interner);
        LlmCall second = RecordDecoder.decode(b, 0, b.length, interner);
        assertThat(second.systemPrompt()).isSameAs(first.systemPrompt()).isEqualTo(prompt);
        assertThat(second.messages().get(0).content()).isEqualTo("q2");
    }

    @Test
    void shouldNeverConfuseTextsThatShareLengthAndSampledBytes() {
        // same length, same bytes at every sampled position but one byte in between: the full
        // comparison must tell them apart
        SplittableRandom rnd = new SplittableRandom(7);
        TextInterner interner = TextInterner.cache(1);
        for (int round = 0; round < 200; round++) {
            char[] chars = new char[1000 + rnd.nextInt(3000)];
            for (int i = 0; i < chars.length; i++) {
                chars[i] = (char) ('a' + rnd.nextInt(26));
            }
            String x = new String(chars);
            chars[chars.length / 2 + 1] = chars[chars.length / 2 + 1] == 'z' ? 'y' : 'z';
            String y = new String(chars);
            for (String s : List.of(x, y, x, y)) {
                byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
                assertThat(interner.text(bytes, 0, bytes.length)).isEqualTo(s);
            }
        }
    }

    @Test
    void shouldRejectSlotCountsThatAreNotPowersOfTwo() {
        assertThatThrownBy(() -> TextInterner.cache(3)).hasMessageContaining("3");
    }

    private static byte[] record(String prompt, String question) throws Exception {
        java.nio.file.Path home = java.nio.file.Files.createTempDirectory("interner");
        try (PromptLog log = PromptLog.open(PromptLogConfig.builder(home).shardCount(1).pretouch(false).build())) {
            log.append(LlmCall.builder().callId(question).startTimeMicros(1).systemPrompt(prompt)
                    .message("user", question).build());
        }
        try (ShardCursor c = ShardCursor.open(PromptLogHome.shardDir(home, 0))) {
            assertThat(c.next()).isTrue();
            return java.util.Arrays.copyOf(c.buffer(), c.length());
        }
    }
}
