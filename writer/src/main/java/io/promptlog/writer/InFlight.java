package io.promptlog.writer;

/**
 * The handle of a call in flight ({@link CallRecorder#inFlight()}): its request half's shard and
 * Chronicle index packed in one {@code long}, so passing it between threads allocates nothing. A Chronicle
 * index of promptlog's roll cycles is {@code cycle << 32 | sequence} with a cycle below 2^24 (hours since
 * 1970 until the year 3884), so the top byte is free for the shard (+1, so that no handle is negative).
 */
final class InFlight {
    private static final int SHIFT = 56;
    private static final long INDEX_MASK = (1L << SHIFT) - 1;

    private InFlight() {
    }

    static long handle(int shard, long index) {
        if ((index & ~INDEX_MASK) != 0 || shard < 0 || shard > 126) {
            return -1;
        }
        return ((long) (shard + 1) << SHIFT) | index;
    }

    /** The shard of a handle, or -1 when it is not one. */
    static int shard(long handle) {
        return handle <= 0 ? -1 : (int) (handle >>> SHIFT) - 1;
    }

    static long index(long handle) {
        return handle & INDEX_MASK;
    }
}
