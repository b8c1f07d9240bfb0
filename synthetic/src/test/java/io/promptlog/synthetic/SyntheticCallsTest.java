package io.promptlog.synthetic;

import io.promptlog.writer.Message;
import io.promptlog.writer.CallField;
import io.promptlog.writer.LlmCall;
import io.promptlog.writer.PromptLogHome;
import io.promptlog.writer.ShardCursor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(120)
class SyntheticCallsTest {

    @Test
    void shouldProduceTheSameCallForTheSameSeedAndSeqInAnyOrder() {
        SyntheticCalls a = new SyntheticCalls(7);
        SyntheticCalls b = new SyntheticCalls(7);
        LlmCall late = b.call(999);
        assertThat(a.call(5)).isEqualTo(b.call(5));
        assertThat(a.call(999)).isEqualTo(late);
        assertThat(new SyntheticCalls(8).call(5)).isNotEqualTo(a.call(5));
    }

    @Test
    void shouldSkewSystemPromptsAndMixErrorsFlagsAndUnicode() {
        SyntheticCalls calls = new SyntheticCalls(1);
        Map<String, Integer> perPrompt = new HashMap<>();
        int errors = 0;
        int flagged = 0;
        int nonAscii = 0;
        int n = 20_000;
        for (int i = 0; i < n; i++) {
            LlmCall c = calls.call(i);
            perPrompt.merge(c.systemPrompt(), 1, Integer::sum);
            if ("error".equals(c.status())) {
                errors++;
                assertThat(c.response()).isNull();
            }
            if (Boolean.TRUE.equals(c.bool(CallField.FLAGGED))) {
                flagged++;
            }
            if (c.messages().stream().anyMatch(m -> m.content().chars().anyMatch(ch -> ch > 127))) {
                nonAscii++;
            }
            assertThat(c.attributes()).containsEntry("seq", String.valueOf(i));
        }
        int top = perPrompt.values().stream().max(Integer::compare).orElseThrow();
        assertThat(top).as("most popular prompt share").isGreaterThan(n / 5);
        assertThat(perPrompt).hasSizeGreaterThan(15);
        assertThat(errors).isBetween(n / 40, n / 10);
        assertThat(flagged).isBetween(n / 400, n / 25);
        assertThat(nonAscii).isGreaterThan(n / 10);
        List<String> prompts = calls.systemPrompts();
        assertThat(prompts.stream().mapToInt(String::length).min().orElseThrow()).isEqualTo(1024);
        assertThat(prompts.stream().mapToInt(String::length).max().orElseThrow()).isEqualTo(16 * 1024);
    }

    @Test
    void shouldRejectBadOptionsNamingTheValue() {
        assertThatThrownBy(() -> GenerateOptions.builder().threads(0).build()).hasMessageContaining("--threads").hasMessageContaining("0");
    }

    @Test
    void shouldAcknowledgeEveryMultipleEvenWhenTheWatermarkJumpsPastSeveral(@TempDir Path home) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        // ack every call from four threads: the watermark moves by several calls between two looks at it
        GenerateOptions o = GenerateOptions.builder().home(home).count(3_000).threads(4).ackEvery(1).progress(false).build();
        Generate.run(o, out, out);
        List<String> expected = new java.util.ArrayList<>();
        for (int i = 1; i <= 3_000; i++) {
            expected.add("acked " + i);
        }
        assertThat(bytes.toString(StandardCharsets.UTF_8).lines().toList()).isEqualTo(expected);
    }

    @Test
    void shouldLogEverySeqOnceAndAcknowledgeInMultiplesFromSeveralThreads(@TempDir Path home) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        GenerateOptions o = GenerateOptions.builder().home(home).count(5_000).threads(3).ackEvery(1_000)
                .seqStart(100).progress(false).build();
        Generate.Result r = Generate.run(o, out, out);
        assertThat(r.appended()).isEqualTo(5_000);
        assertThat(bytes.toString(StandardCharsets.UTF_8).lines().toList())
                .containsExactly("acked 1000", "acked 2000", "acked 3000", "acked 4000", "acked 5000");
        Set<Long> seqs = new HashSet<>();
        SyntheticCalls expected = new SyntheticCalls(42);
        for (Path shard : PromptLogHome.shardDirs(home)) {
            try (ShardCursor c = ShardCursor.open(shard)) {
                while (c.next()) {
                    LlmCall call = c.decode();
                    long seq = Long.parseLong(call.attributes().get("seq"));
                    assertThat(seqs.add(seq)).as("seq %d once", seq).isTrue();
                    assertThat(call).isEqualTo(expected.call(seq));
                }
            }
        }
        assertThat(seqs).hasSize(5_000).allMatch(s -> s >= 100 && s < 5_100);
    }

    @Test
    void shouldResendTheWholeConversationSoFarInEveryChatTurn() {
        SyntheticCalls chat = SyntheticCalls.chat(7, 4, 100, 200, 5);
        for (long conversation = 0; conversation < 300; conversation++) {
            LlmCall first = chat.call(conversation * 5);
            assertThat(first.messages()).hasSize(1);
            for (int turn = 1; turn < 5; turn++) {
                LlmCall previous = chat.call(conversation * 5 + turn - 1);
                LlmCall call = chat.call(conversation * 5 + turn);
                assertThat(call.messages()).hasSize(2 * turn + 1);
                // the earlier turn's messages, then the answer it got, then a new user message
                assertThat(call.messages().subList(0, 2 * turn - 1)).isEqualTo(previous.messages());
                Message answer = call.messages().get(2 * turn - 1);
                assertThat(answer.role()).isEqualTo("assistant");
                if (previous.response() != null) {
                    assertThat(answer.content()).isEqualTo(previous.response());
                }
                assertThat(call.messages().get(2 * turn).role()).isEqualTo("user");
                assertThat(call.systemPrompt()).isEqualTo(first.systemPrompt());
                assertThat(call.requestModel()).isEqualTo(first.requestModel());
                assertThat(call.string(CallField.SESSION_ID)).isEqualTo(first.string(CallField.SESSION_ID));
            }
        }
        assertThat(chat.call(5).string(CallField.SESSION_ID)).isNotEqualTo(chat.call(4).string(CallField.SESSION_ID));
        assertThat(SyntheticCalls.chat(7, 4, 100, 200, 5).call(13)).isEqualTo(chat.call(13));
    }

    @Test
    void shouldRejectBadChatOptionsNamingTheValue() {
        assertThatThrownBy(() -> GenerateOptions.builder().chatTurns(-1).build()).hasMessageContaining("--chat-turns").hasMessageContaining("-1");
        assertThatThrownBy(() -> SyntheticCalls.chat(1, 4, 100, 200, 0)).hasMessageContaining("0");
    }
}
