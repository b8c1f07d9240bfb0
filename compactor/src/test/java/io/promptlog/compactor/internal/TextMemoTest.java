package io.promptlog.compactor.internal;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TextMemoTest {

    @Test
    void shouldFindAnEqualTextThatIsAnotherStringInstance() {
        TextMemo<Integer> memo = new TextMemo<>(64);
        String long1 = "x".repeat(5000) + " the end";
        memo.put(long1, 7);
        String same = new String(long1.toCharArray()); // equal, not the same instance
        assertThat(same).isNotSameAs(long1);
        assertThat(memo.get(same)).isEqualTo(7);
        assertThat(memo.get("short")).isNull();
    }

    @Test
    void shouldNeverReturnTheValueOfAnotherTextThatSharesItsSlotOrItsSampledChars() {
        TextMemo<String> memo = new TextMemo<>(1); // one slot: every text collides
        memo.put("first text", "first");
        assertThat(memo.get("other text")).isNull();
        assertThat(memo.get("first text")).isEqualTo("first");
        // two long texts of the same length differing only between the sampled chars: same fingerprint
        StringBuilder a = new StringBuilder("a".repeat(1601));
        StringBuilder b = new StringBuilder(a);
        b.setCharAt(1, 'b');
        assertThat(TextMemo.fingerprint(a.toString())).isEqualTo(TextMemo.fingerprint(b.toString()));
        memo.put(a.toString(), "a");
        assertThat(memo.get(b.toString())).isNull();
        memo.put(b.toString(), "b"); // replaces a
        assertThat(memo.get(a.toString())).isNull();
        assertThat(memo.get(b.toString())).isEqualTo("b");
    }

    @Test
    void shouldRejectASlotCountThatIsNotAPowerOfTwo() {
        assertThatThrownBy(() -> new TextMemo<>(3)).hasMessageContaining("power of two").hasMessageContaining("3");
        assertThatThrownBy(() -> new TextMemo<>(0)).hasMessageContaining("was 0");
    }
}
