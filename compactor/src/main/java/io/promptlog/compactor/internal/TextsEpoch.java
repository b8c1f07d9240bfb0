package io.promptlog.compactor.internal;

import io.promptlog.format.DatasetLayout;
import io.promptlog.format.EpochFile;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The texts epoch ({@link DatasetLayout#textsEpochFile}) as a sequence lock: an erasure moves it to an odd number
 * before it renames text files without the texts it removes, and to the next even number after. Both moves, and
 * the renames, happen under the texts lock ({@link DatasetLock#texts}).
 *
 * <p>Why two moves: a compactor trusts the texts it once found stored as long as the epoch has not moved (so a
 * batch with no new text reads one small file, not the text directory). With one move after the renames, an
 * erasure killed between its renames and the move left texts removed under an unmoved epoch, and other
 * compactors went on committing calls pointing to them. Now such a kill leaves the epoch odd: no compactor trusts
 * what it read while the epoch is odd, and one that finds it odd while holding the texts lock knows the erasure
 * that moved it has stopped (it held the lock from the first move to the second), reads the text files again
 * and moves the epoch on to even ({@link #endRemoval}).
 */
final class TextsEpoch {
    private TextsEpoch() {
    }

    static long read(Path data) throws IOException {
        return EpochFile.read(DatasetLayout.textsEpochFile(data));
    }

    /** Whether {@code epoch} says texts are being removed, or an erasure stopped while removing them. */
    static boolean removing(long epoch) {
        return (epoch & 1) != 0;
    }

    /** Before an erasure removes texts, holding the texts lock: the next odd number, written durably; returned. */
    static long beginRemoval(Path data) throws IOException {
        long now = read(data);
        return write(data, removing(now) ? now + 2 : now + 1);
    }

    /**
     * Holding the texts lock: when the epoch is odd, moves it to the next even number (after an erasure removed
     * texts or failed to; or when a compactor finds it odd: the erasure that made it so has stopped, see the
     * class comment). Returns the epoch now.
     */
    static long endRemoval(Path data) throws IOException {
        long now = read(data);
        return removing(now) ? write(data, now + 1) : now;
    }

    private static long write(Path data, long epoch) throws IOException {
        return Durable.writeEpoch(DatasetLayout.textsEpochFile(data), epoch);
    }
}
