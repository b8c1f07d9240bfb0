package io.promptlog.writer.internal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A prompt that some thread defined in a shard is taken by every other thread (or by the same thread once
 * its own small cache lost it) from the log's shared texts, as the very bytes the shard dictionary holds:
 * nothing is encoded, hashed or copied again.
 */
@Timeout(30)
class SharedTextsTest {
    private static String prompt(int n) {
        return ("prompt " + n + ": answer politely, cite sources. ").repeat(60);
    }

    @Test
    void shouldTakeAPromptTheThreadNoLongerCachesFromTheSharedTextsWithoutEncodingIt() {
        SharedTexts shared = new SharedTexts();
        ShardTexts dictionary = new ShardTexts();
        TextSlot first = new TextSlot(9, shared);
        RecordEncoder encoder = new RecordEncoder(1 << 20);
        String p = prompt(1);
        encoder.reset();
        first.stage(p, encoder);
        assertThat(first.repeated).as("first sighting").isFalse();
        first.stage(p, encoder);
        assertThat(first.repeated).isTrue();
        dictionary.define(first, 5, 1234L);
        byte[] defined = first.bytes;

        // the same thread, after more prompts than it caches
        for (int i = 2; i < 2 + TextSlot.ENTRIES + 1; i++) {
            first.stage(prompt(i), encoder);
        }
        first.stage(p, encoder);
        assertThat(first.bytes).as("the shared bytes themselves").isSameAs(defined);
        assertThat(first.repeated).isTrue();
        assertThat(dictionary.find(first, 5)).isEqualTo(1234L);

        // another thread, with another String instance of the same text
        TextSlot other = new TextSlot(9, shared);
        RecordEncoder otherEncoder = new RecordEncoder(1 << 20);
        otherEncoder.reset();
        other.stage(new String(p.toCharArray()), otherEncoder);
        assertThat(other.bytes).isSameAs(defined);
        assertThat(other.length).isEqualTo(first.length);
        assertThat(other.repeated).isTrue();
        assertThat(dictionary.find(other, 5)).isEqualTo(1234L);
        assertThat(otherEncoder.length()).as("nothing staged in the record").isEqualTo(RecordDescriptor.HEADER_LENGTH);
    }

    @Test
    void shouldNotTakeAnotherTextOfTheSameLengthAndSampledChars() {
        SharedTexts shared = new SharedTexts();
        ShardTexts dictionary = new ShardTexts();
        TextSlot slot = new TextSlot(9, shared);
        RecordEncoder encoder = new RecordEncoder(1 << 20);
        encoder.reset();
        String p = prompt(1);
        slot.stage(p, encoder);
        slot.stage(p, encoder);
        dictionary.define(slot, 5, 1L);
        // one char changed in the middle: same length, very likely the same samples
        char[] chars = p.toCharArray();
        chars[chars.length / 2 + 1] = chars[chars.length / 2 + 1] == 'x' ? 'y' : 'x';
        String near = new String(chars);
        TextSlot other = new TextSlot(9, shared);
        other.stage(near, encoder);
        assertThat(other.bytes).isNotSameAs(slot.bytes);
        assertThat(other.repeated).isFalse();
        assertThat(dictionary.find(other, 5)).isEqualTo(-1L);
    }
}
