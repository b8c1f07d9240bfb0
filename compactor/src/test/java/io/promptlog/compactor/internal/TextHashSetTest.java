package io.promptlog.compactor.internal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(120)
class TextHashSetTest {
    /**
     * A 64-hex-digit hash whose second 64 bits (the probe start) are {@code lo}: small values cluster at the
     * table's start, small negative ones at its end (runs that wrap around).
     */
    private static String hash(long hi, long lo, long rest) {
        return String.format(Locale.ROOT, "%016x%016x%016x%016x", hi, lo, rest, ~rest);
    }

    private static String randomHash(SplittableRandom rnd) {
        long lo = switch (rnd.nextInt(4)) {
            case 0 -> rnd.nextLong(64);
            case 1 -> -1 - rnd.nextLong(64);
            default -> rnd.nextLong();
        };
        return hash(rnd.nextLong(), lo, rnd.nextLong());
    }

    @Test
    void shouldAnswerLikeAHashSetThroughGrowthRemovalsAndWrappingRuns(@TempDir Path dir) throws Exception {
        long seed = System.nanoTime();
        SplittableRandom rnd = new SplittableRandom(seed);
        Set<String> expected = new HashSet<>();
        List<String> added = new ArrayList<>();
        try (TextHashSet set = TextHashSet.create(dir.resolve("known"))) {
            for (int i = 0; i < 60_000; i++) {
                int op = rnd.nextInt(10);
                if (op < 7 || added.isEmpty()) {
                    String h = randomHash(rnd);
                    assertThat(set.add(h)).as("seed %d: add %s", seed, h).isEqualTo(expected.add(h));
                    added.add(h);
                } else if (op < 9) {
                    String h = added.get(rnd.nextInt(added.size()));
                    assertThat(set.remove(h)).as("seed %d: remove %s", seed, h).isEqualTo(expected.remove(h));
                } else {
                    String h = added.get(rnd.nextInt(added.size()));
                    assertThat(set.add(h)).as("seed %d: add again %s", seed, h).isEqualTo(expected.add(h));
                }
            }
            assertThat(set.size()).as("seed %d", seed).isEqualTo(expected.size());
            for (String h : added) {
                assertThat(set.contains(h)).as("seed %d: %s", seed, h).isEqualTo(expected.contains(h));
            }
            for (int i = 0; i < 20_000; i++) {
                String h = randomHash(rnd);
                assertThat(set.contains(h)).as("seed %d: never added %s", seed, h).isEqualTo(expected.contains(h));
            }
            // only the current table's file is left, private, of 16 bytes a slot, at most half full
            try (Stream<Path> files = Files.list(dir)) {
                List<Path> left = files.toList();
                assertThat(left).as("seed %d", seed).hasSize(1);
                assertThat(Files.size(left.get(0))).isEqualTo(set.capacity() * TextHashSet.SLOT_BYTES);
                assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(left.get(0)))).isEqualTo("rw-------");
            }
            assertThat(set.capacity()).isGreaterThan(TextHashSet.MIN_CAPACITY).isGreaterThanOrEqualTo(2L * set.size());
        }
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.toList()).as("seed %d: deleted on close", seed).isEmpty();
        }
    }

    @Test
    void shouldKeepTheAllZeroHashLikeAnyOther(@TempDir Path dir) throws Exception {
        String zero = "0".repeat(64);
        try (TextHashSet set = TextHashSet.create(dir.resolve("known"))) {
            assertThat(set.contains(zero)).isFalse();
            assertThat(set.add(zero)).isTrue();
            assertThat(set.add(zero)).isFalse();
            assertThat(set.contains(zero)).isTrue();
            assertThat(set.size()).isEqualTo(1);
            assertThat(set.remove(zero)).isTrue();
            assertThat(set.contains(zero)).isFalse();
            assertThat(set.size()).isZero();
        }
    }

    @Test
    void shouldRejectWhatIsNotAHashNamingIt(@TempDir Path dir) throws Exception {
        try (TextHashSet set = TextHashSet.create(dir.resolve("known"))) {
            assertThatThrownBy(() -> set.add("abc")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'abc'");
            String notHex = "g".repeat(64);
            assertThatThrownBy(() -> set.contains(notHex)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("not hex at 0");
            assertThat(set.size()).isZero();
        }
    }

    @Test
    void shouldStartEmptyOverScratchFilesLeftByAKilledRun(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("known");
        byte[] garbage = new byte[4096 * 16];
        new SplittableRandom(1).nextBytes(garbage);
        Files.write(file, garbage);
        Files.write(dir.resolve("known.3"), garbage);
        Files.write(dir.resolve("known-other"), garbage);
        try (TextHashSet set = TextHashSet.create(file)) {
            assertThat(set.size()).isZero();
            SplittableRandom rnd = new SplittableRandom(2);
            for (int i = 0; i < 1000; i++) {
                assertThat(set.contains(randomHash(rnd))).isFalse();
            }
            assertThat(dir.resolve("known.3")).doesNotExist();
            assertThat(dir.resolve("known-other")).exists();
        }
    }
}
