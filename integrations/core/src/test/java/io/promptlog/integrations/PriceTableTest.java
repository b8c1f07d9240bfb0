package io.promptlog.integrations;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

@Timeout(30)
class PriceTableTest {

    @Test
    void shouldShipPricesForCurrentOpenAiAndAnthropicModels() {
        PriceTable t = PriceTable.defaults();
        assertThat(t.price("gpt-4o")).isEqualTo(new PriceTable.Price(2.50, 1.25, 10.00));
        assertThat(t.price("claude-sonnet-4-5")).isEqualTo(new PriceTable.Price(3.00, 0.30, 15.00));
        assertThat(t.prices()).containsKeys("gpt-4o-mini", "gpt-4.1", "o3", "claude-haiku-4-5", "claude-opus-4");
    }

    @Test
    void shouldMatchDatedSnapshotsToTheLongestPrefixRow() {
        PriceTable t = PriceTable.defaults();
        assertThat(t.price("gpt-4o-2024-08-06")).isSameAs(t.price("gpt-4o"));
        assertThat(t.price("gpt-4o-mini-2024-07-18")).isSameAs(t.price("gpt-4o-mini"));
        assertThat(t.price("claude-sonnet-4-5-20250929")).isSameAs(t.price("claude-sonnet-4-5"));
        assertThat(t.price("claude-sonnet-4-20250514")).isSameAs(t.price("claude-sonnet-4"));
        assertThat(t.price("openai/GPT-4o")).isSameAs(t.price("gpt-4o"));
    }

    @Test
    void shouldLeaveUnknownModelsWithoutCost() {
        PriceTable t = PriceTable.defaults();
        assertThat(t.price("my-finetune")).isNull();
        assertThat(t.price("gpt-4oo")).isNull();
        assertThat(t.price(null)).isNull();
        assertThat(t.costUsd("llama-3-70b", 1000, 0, 1000)).isEmpty();
        assertThat(t.costUsd("gpt-4o", -1, -1, -1)).isEmpty();
    }

    @Test
    void shouldPriceCachedInputTokensAtTheCachedRate() {
        // 1000 input of which 400 cached, 200 output at gpt-4o: 600*2.5 + 400*1.25 + 200*10 per million
        double expected = (600 * 2.50 + 400 * 1.25 + 200 * 10.00) / 1e6;
        assertThat(PriceTable.defaults().costUsd("gpt-4o", 1000, 400, 200).getAsDouble()).isCloseTo(expected, within(1e-12));
        assertThat(PriceTable.defaults().costUsd("gpt-4o", 1000, -1, -1).getAsDouble()).isCloseTo(0.0025, within(1e-12));
    }

    @Test
    void shouldLetUserRowsOverrideAndExtendTheDefaults(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("prices.csv");
        Files.writeString(file, "# ours\n\ngpt-4o, 1.0, 0.5, 4.0\nacme-llm,0.1,0.1,0.2\n");
        PriceTable t = PriceTable.defaults().withOverrides(PriceTable.load(file));
        assertThat(t.price("gpt-4o")).isEqualTo(new PriceTable.Price(1.0, 0.5, 4.0));
        assertThat(t.price("acme-llm-v2")).isEqualTo(new PriceTable.Price(0.1, 0.1, 0.2));
        assertThat(t.price("gpt-4o-mini")).isEqualTo(PriceTable.defaults().price("gpt-4o-mini"));
        assertThat(PriceTable.empty().with("x", new PriceTable.Price(1, 1, 1)).prices()).containsOnlyKeys("x");
    }

    @Test
    void shouldRejectAMalformedRowNamingTheLine() {
        assertThatThrownBy(() -> PriceTable.parse(new StringReader("a,1,1,1\nb,1,1\n"), "mine.csv"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("mine.csv line 2");
        assertThatThrownBy(() -> PriceTable.parse(new StringReader("a,1,x,1\n"), "mine.csv"))
                .hasMessageContaining("mine.csv line 1");
        assertThatThrownBy(() -> PriceTable.parse(new StringReader("a,-1,1,1\n"), "mine.csv"))
                .hasMessageContaining("input price must be a finite number >= 0, got -1.0");
        assertThatThrownBy(() -> PriceTable.defaults().with(" ", new PriceTable.Price(1, 1, 1)))
                .hasMessageContaining("model name must not be blank");
    }
}
