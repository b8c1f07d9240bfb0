package io.promptlog.compactor.internal;

import io.promptlog.format.DatasetLayout;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * The count of erasures that removed texts from the text tables ({@link DatasetLayout#textsEpochFile}). Every
 * compactor remembers which texts are stored ({@link KnownTexts}); an erasure run by another compactor of the
 * dataset (another host, the CLI) rewrites text files under their old names, which a compactor does not read
 * again, so without this it would keep believing an erased text is stored and never store it again for its
 * later calls. Bumped under the merge lock, after the rewrites; read before listing the text files.
 */
final class TextsEpoch {
    private TextsEpoch() {
    }

    static long read(Path data) throws IOException {
        Path f = DatasetLayout.textsEpochFile(data);
        String s;
        try {
            s = Files.readString(f, StandardCharsets.US_ASCII).trim();
        } catch (NoSuchFileException e) {
            return 0;
        }
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new IOException("texts epoch file " + f + " holds '" + s + "', expected a number", e);
        }
    }

    /** Adds one; returns the new value. The caller holds the merge lock. */
    static long bump(Path data) throws IOException {
        long next = read(data) + 1;
        Durable.writeAtomically(DatasetLayout.textsEpochFile(data), (next + "\n").getBytes(StandardCharsets.US_ASCII));
        return next;
    }
}
