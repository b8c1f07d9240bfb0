package io.promptlog.format;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * A dataset counter kept as one decimal number in a small file ({@link DatasetLayout#mergeEpochFile},
 * {@link DatasetLayout#textsEpochFile}): written atomically by the compactor, read by anyone.
 */
public final class EpochFile {
    private EpochFile() {
    }

    /** The number in {@code file}; 0 when there is no such file. */
    public static long read(Path file) throws IOException {
        String s;
        try {
            s = Files.readString(file, StandardCharsets.US_ASCII).trim();
        } catch (NoSuchFileException e) {
            return 0;
        }
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new IOException("epoch file " + file + " holds '" + s + "', expected a number", e);
        }
    }
}
