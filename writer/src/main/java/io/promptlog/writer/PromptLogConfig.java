package io.promptlog.writer;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Immutable configuration of a {@link PromptLog}, built once by {@link #builder(Path)}; {@code build()}
 * validates every value and fails fast with a message naming the bad one (nothing is silently clamped).
 *
 * <p>The home directory holds everything: {@code queue/} (the raw Chronicle queue shards the writer
 * appends to) and {@code data/} (the compacted Parquet dataset).
 */
public final class PromptLogConfig {
    /** Default record size limit: a 10 MB message plus its surroundings fits. */
    public static final int DEFAULT_MAX_RECORD_BYTES = 16 * 1024 * 1024;
    public static final int MIN_MAX_RECORD_BYTES = 64 * 1024;
    /** Chronicle maps documents in blocks; a document must fit in a quarter of one, and blocks are capped. */
    public static final int MAX_MAX_RECORD_BYTES = 256 * 1024 * 1024;
    public static final int MAX_SHARDS = 64;

    private final Path home;
    private final int shardCount;
    private final int maxRecordBytes;
    private final RollPeriod rollPeriod;
    private final java.time.Clock rollClock;
    private final boolean pretouch;
    private final boolean backgroundCompaction;
    private final long compactionIntervalMillis;

    private PromptLogConfig(Builder b) {
        this.home = b.home;
        this.shardCount = b.shardCount;
        this.maxRecordBytes = b.maxRecordBytes;
        this.rollPeriod = b.rollPeriod;
        this.rollClock = b.rollClock;
        this.pretouch = b.pretouch;
        this.backgroundCompaction = b.backgroundCompaction;
        this.compactionIntervalMillis = b.compactionIntervalMillis;
    }

    public static Builder builder(Path home) {
        return new Builder(home);
    }

    /** A config with every default, for the given home directory. */
    public static PromptLogConfig defaults(Path home) {
        return builder(home).build();
    }

    public Path home() {
        return home;
    }

    public Path queueDir() {
        return PromptLogHome.queueDir(home);
    }

    public Path dataDir() {
        return PromptLogHome.dataDir(home);
    }

    public int shardCount() {
        return shardCount;
    }

    public int maxRecordBytes() {
        return maxRecordBytes;
    }

    public RollPeriod rollPeriod() {
        return rollPeriod;
    }

    /** The clock that decides which cycle file of the queue a record goes to (see {@link Builder#rollClock}). */
    public java.time.Clock rollClock() {
        return rollClock;
    }

    /** Whether a background thread pre-faults queue pages ahead of the writers (see {@link Builder#pretouch}). */
    public boolean pretouch() {
        return pretouch;
    }

    /** Whether {@link PromptLog} starts background compaction when a compactor is on the class path. */
    public boolean backgroundCompaction() {
        return backgroundCompaction;
    }

    /** How often background compaction looks at the queue, in milliseconds. */
    public long compactionIntervalMillis() {
        return compactionIntervalMillis;
    }

    /** Default shards: one per logging thread we expect to run at once on this machine, at least 2. */
    public static int defaultShardCount() {
        return Math.max(2, Math.min(8, 2 * Runtime.getRuntime().availableProcessors()));
    }

    @Override
    public String toString() {
        return "PromptLogConfig{home=" + home + ", shardCount=" + shardCount + ", maxRecordBytes="
                + maxRecordBytes + ", rollPeriod=" + rollPeriod
                + (rollClock.equals(java.time.Clock.systemUTC()) ? "" : ", rollClock=" + rollClock) + ", pretouch=" + pretouch + ", backgroundCompaction=" + backgroundCompaction
                + ", compactionIntervalMillis=" + compactionIntervalMillis + '}';
    }

    public static final class Builder {
        private final Path home;
        private int shardCount = defaultShardCount();
        private int maxRecordBytes = DEFAULT_MAX_RECORD_BYTES;
        private RollPeriod rollPeriod = RollPeriod.HOURLY;
        private java.time.Clock rollClock = java.time.Clock.systemUTC();
        private boolean pretouch = true;
        private boolean backgroundCompaction = true;
        private long compactionIntervalMillis = 10_000;

        private Builder(Path home) {
            this.home = Objects.requireNonNull(home, "home directory");
        }

        /**
         * Number of queue shards. Each logging thread starts on its own shard and moves to a free one when
         * its shard is busy, so threads never wait on each other while there are at least as many shards
         * as threads logging at the same instant. 1 to {@value #MAX_SHARDS}. They are the lowest-numbered
         * {@code shard-N} directories of the home no other open log holds: a second process on the same home
         * gets shard directories of its own (see {@link PromptLogHome}).
         */
        public Builder shardCount(int shardCount) {
            this.shardCount = shardCount;
            return this;
        }

        /**
         * Largest record, in bytes. Bigger records keep every field but have their largest text values
         * cut to fit, and are flagged truncated. {@value #MIN_MAX_RECORD_BYTES} to
         * {@value #MAX_MAX_RECORD_BYTES}.
         */
        public Builder maxRecordBytes(int maxRecordBytes) {
            this.maxRecordBytes = maxRecordBytes;
            return this;
        }

        public Builder rollPeriod(RollPeriod rollPeriod) {
            this.rollPeriod = rollPeriod;
            return this;
        }

        /**
         * The clock whose time ({@link java.time.Clock#millis()}, UTC) decides when the queue rolls to a new
         * cycle file: a record goes to the cycle file of the {@link #rollPeriod} this clock is in when it is
         * appended. The system clock by default; a settable clock lets a test (or a replay of old traffic)
         * cross cycles without waiting an hour. Asked once per append, on the appending thread, so it must be
         * cheap, thread-safe and must not allocate. It does not set the calls' {@code start_time}.
         */
        public Builder rollClock(java.time.Clock rollClock) {
            this.rollClock = rollClock;
            return this;
        }

        /**
         * Pre-fault the queue's pages ahead of the writers on a daemon thread ({@code promptlog-pretoucher}),
         * so appends do not take a page fault per 4 KB written. On by default; costs one mostly idle thread
         * and keeps up to 32 MiB per shard of file pages resident ahead of the write position.
         */
        public Builder pretouch(boolean pretouch) {
            this.pretouch = pretouch;
            return this;
        }

        /**
         * Start background compaction (a low-priority daemon thread, {@code promptlog-compactor}) when the
         * compactor module is on the class path; {@link PromptLog#close()} stops it and compacts what is
         * left. On by default; without the compactor on the class path this does nothing.
         */
        public Builder backgroundCompaction(boolean on) {
            this.backgroundCompaction = on;
            return this;
        }

        /** How often background compaction looks at the queue, in milliseconds; at least 1 (default 10 s). */
        public Builder compactionIntervalMillis(long millis) {
            this.compactionIntervalMillis = millis;
            return this;
        }

        public PromptLogConfig build() {
            if (shardCount < 1 || shardCount > MAX_SHARDS) {
                throw new IllegalArgumentException("shardCount must be 1.." + MAX_SHARDS + ", was " + shardCount);
            }
            if (maxRecordBytes < MIN_MAX_RECORD_BYTES || maxRecordBytes > MAX_MAX_RECORD_BYTES) {
                throw new IllegalArgumentException("maxRecordBytes must be " + MIN_MAX_RECORD_BYTES + ".."
                        + MAX_MAX_RECORD_BYTES + ", was " + maxRecordBytes);
            }
            if (compactionIntervalMillis < 1) {
                throw new IllegalArgumentException("compactionIntervalMillis must be >= 1, was " + compactionIntervalMillis);
            }
            if (rollPeriod == null) {
                throw new IllegalArgumentException("rollPeriod must not be null");
            }
            if (rollClock == null) {
                throw new IllegalArgumentException("rollClock must not be null");
            }
            return new PromptLogConfig(this);
        }
    }
}
