package io.promptlog.compactor.internal;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

class CallIdIndexTest {
    @Test
    void shouldKeepEveryHashThroughResizesAndFindNoOther() {
        long seed = System.nanoTime();
        SplittableRandom rnd = new SplittableRandom(seed);
        CallIdIndex.LongHashSet set = new CallIdIndex.LongHashSet();
        Set<Long> expected = new HashSet<>();
        set.add(0L);
        expected.add(0L);
        for (int i = 0; i < 200_000; i++) {
            long v = rnd.nextInt(10) == 0 ? rnd.nextLong(1000) : rnd.nextLong(); // some repeats, some small
            set.add(v);
            expected.add(v);
        }
        assertThat(set.size()).as("seed %d", seed).isEqualTo(expected.size());
        for (long v : expected) {
            assertThat(set.contains(v)).as("seed %d: %d kept", seed, v).isTrue();
        }
        for (int i = 0; i < 200_000; i++) {
            long v = rnd.nextLong();
            assertThat(set.contains(v)).as("seed %d: %d", seed, v).isEqualTo(expected.contains(v));
        }
    }

    @Test
    void shouldHashCallIdsApart() {
        Set<Long> hashes = new HashSet<>();
        for (int i = 0; i < 100_000; i++) {
            hashes.add(CallIdIndex.hash("call-" + i));
        }
        assertThat(hashes).hasSize(100_000);
        assertThat(CallIdIndex.hash("a")).isNotEqualTo(CallIdIndex.hash("b"));
    }
}
