package io.promptlog.writer;

import java.nio.file.Path;

/**
 * A stretch of a queue cycle file that a reader skipped because it does not hold valid records: one
 * damaged record, or garbage the reader walked over to find the next valid record. Named by file and
 * byte range, and by the queue indexes around it, so a user can find it with a hex dump.
 *
 * @param file the cycle file ({@code *.cq4})
 * @param fromByte first byte skipped
 * @param toByte first byte after the stretch (where reading resumed, or the end of the written data)
 * @param afterIndex index of the last valid record before the stretch, -1 when none in this file
 * @param index index of the damaged record when the stretch is exactly one record, else -1
 * @param reason what was wrong with the first bytes of the stretch
 */
public record CorruptStretch(Path file, long fromByte, long toByte, long afterIndex, long index, String reason) {

    public long bytes() {
        return toByte - fromByte;
    }

    @Override
    public String toString() {
        Path shard = file.getParent() == null ? null : file.getParent().getFileName();
        String name = (shard == null ? "" : shard + "/") + file.getFileName();
        String where = index >= 0 ? "record at index 0x" + Long.toHexString(index)
                : afterIndex >= 0 ? "after index 0x" + Long.toHexString(afterIndex) : "before its first valid record";
        return name + " bytes " + fromByte + ".." + toByte + " (" + bytes() + " bytes, " + where + "): " + reason;
    }
}
