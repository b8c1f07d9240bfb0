package io.promptlog.compactor;

import io.promptlog.format.DatasetLayout;
import io.promptlog.writer.PromptLogHome;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Immutable configuration of a {@link Compactor}, built once by {@link #builder(Path)}; {@code build()}
 * validates every value and fails with a message naming the bad one (nothing is silently clamped).
 */
public final class CompactorConfig {
    public static final int DEFAULT_ZSTD_LEVEL = 3;
    /**
     * zstd level of merged files: the day merge runs in the background, off the append and compaction paths,
     * so it can afford more CPU for smaller files (measured in benchmarks/README.md, "Merged files and storage").
     */
    public static final int DEFAULT_MERGE_ZSTD_LEVEL = 16;
    public static final int DEFAULT_MAX_FILE_ROWS = 1_000_000;
    /**
     * The largest default {@link Builder#maxBatchBytes}; a smaller heap gets a smaller default
     * ({@link #defaultMaxBatchBytes}). Larger batches are slower: their rows outlive young collections, and
     * compacting 200,000 calls with every text kept took a median 12.6 s with 16 MiB batches, 13.0 s with
     * 32 MiB and 20.2 s with 128 MiB (the earlier default; 3.5 s of GC pauses against 0.5 s), for files
     * 1.1-1.6% larger than with 128 MiB (compactor README, "Memory").
     */
    public static final long DEFAULT_MAX_BATCH_BYTES = 32L * 1024 * 1024;
    /**
     * Unless {@link Builder#maxBatchBytes} is set, a batch holds at most this fraction of the JVM's max heap
     * (1/{@value}). While it is written, a batch takes about 1.3 times its estimate (measured: a 128 MiB batch
     * kept 164 MiB live after GC), and the compactor often runs inside the app it logs for, whose heap is
     * sized for the app.
     */
    public static final int HEAP_SHARE_DIVISOR = 16;
    public static final long DEFAULT_ROW_GROUP_BYTES = 128L * 1024 * 1024;
    public static final long DEFAULT_INTERVAL_MILLIS = 10_000;
    public static final int DEFAULT_MIN_BATCH_ROWS = 100_000;
    public static final long DEFAULT_MAX_BATCH_DELAY_MILLIS = 5 * 60_000;
    public static final Duration DEFAULT_QUEUE_RETENTION = Duration.ofHours(24);
    /** A two-phase call sent this long ago and not completed is stored as incomplete (see {@link Builder#incompleteAfter}). */
    public static final Duration DEFAULT_INCOMPLETE_AFTER = Duration.ofMinutes(15);
    /** A day's calls files are merged this long after the UTC day ended (see {@link Builder#mergeClosedDays}). */
    public static final Duration DEFAULT_MERGE_GRACE = Duration.ofHours(1);
    public static final long DEFAULT_MERGE_FILE_BYTES = 256L * 1024 * 1024;
    public static final long DEFAULT_MERGE_ROW_GROUP_BYTES = 16L * 1024 * 1024;
    /** {@link Builder#queueRetention} value that keeps queue files forever. */
    public static final Duration KEEP_QUEUE_FOREVER = Duration.ofMillis(Long.MAX_VALUE);

    private final Path home;
    private final Path dataDir;
    private final int zstdLevel;
    private final RetentionPolicy retention;
    private final Redactor redactor;
    private final int maxFileRows;
    private final long maxBatchBytes;
    private final long rowGroupBytes;
    private final long intervalMillis;
    private final int minBatchRows;
    private final long maxBatchDelayMillis;
    private final Duration queueRetention;
    private final String hostName;
    private final Duration textRetention;
    private final Duration incompleteAfter;
    private final java.time.Clock clock;
    private final boolean mergeClosedDays;
    private final Duration mergeGrace;
    private final long mergeFileBytes;
    private final long mergeRowGroupBytes;
    private final int mergeZstdLevel;

    private CompactorConfig(Builder b) {
        this.mergeClosedDays = b.mergeClosedDays;
        this.mergeGrace = b.mergeGrace;
        this.mergeFileBytes = b.mergeFileBytes;
        this.mergeRowGroupBytes = b.mergeRowGroupBytes;
        this.mergeZstdLevel = b.mergeZstdLevel;
        this.home = b.home;
        this.dataDir = b.dataDir != null ? b.dataDir : PromptLogHome.dataDir(b.home);
        this.zstdLevel = b.zstdLevel;
        this.retention = b.retention;
        this.redactor = b.redactor;
        this.maxFileRows = b.maxFileRows;
        this.maxBatchBytes = b.maxBatchBytes == 0 ? defaultMaxBatchBytes(Runtime.getRuntime().maxMemory()) : b.maxBatchBytes;
        this.rowGroupBytes = b.rowGroupBytes;
        this.intervalMillis = b.intervalMillis;
        this.minBatchRows = b.minBatchRows;
        this.maxBatchDelayMillis = b.maxBatchDelayMillis;
        this.queueRetention = b.queueRetention;
        this.textRetention = b.textRetention;
        this.incompleteAfter = b.incompleteAfter;
        this.clock = b.clock;
        this.hostName = DatasetLayout.sanitizeHost(b.hostName != null ? b.hostName : localHostName());
    }

    /** A builder for the home directory {@code home} (queue in {@code home/queue}). */
    public static Builder builder(Path home) {
        return new Builder(home);
    }

    /**
     * A builder from the CLI's options: {@code --retain default|all|none}, {@code --redact default|none},
     * {@code --data} (null for {@code home/data}).
     */
    public static Builder fromOptions(Path home, Path dataDir, String retain, String redact) {
        return builder(home).dataDir(dataDir).retention(RetentionPolicy.parse(retain)).redactor(Redactors.parse(redact));
    }

    public static CompactorConfig defaults(Path home) {
        return builder(home).build();
    }

    public Path home() {
        return home;
    }

    public Path dataDir() {
        return dataDir;
    }

    public int zstdLevel() {
        return zstdLevel;
    }

    public RetentionPolicy retention() {
        return retention;
    }

    public Redactor redactor() {
        return redactor;
    }

    public int maxFileRows() {
        return maxFileRows;
    }

    public long maxBatchBytes() {
        return maxBatchBytes;
    }

    public long rowGroupBytes() {
        return rowGroupBytes;
    }

    public long intervalMillis() {
        return intervalMillis;
    }

    public int minBatchRows() {
        return minBatchRows;
    }

    public long maxBatchDelayMillis() {
        return maxBatchDelayMillis;
    }

    public Duration queueRetention() {
        return queueRetention;
    }

    /** See {@link Builder#incompleteAfter}. */
    public Duration incompleteAfter() {
        return incompleteAfter;
    }


    public String hostName() {
        return hostName;
    }

    /** Whether the background passes merge closed days' small calls files (the default). */
    public boolean mergeClosedDays() {
        return mergeClosedDays;
    }

    /** How long after its UTC end a day counts as closed, for merging. */
    public Duration mergeGrace() {
        return mergeGrace;
    }

    /** Size a merged calls file grows to before the next one is started; files under half of it are merged. */
    public long mergeFileBytes() {
        return mergeFileBytes;
    }

    /** Row group size (uncompressed) of merged files. */
    public long mergeRowGroupBytes() {
        return mergeRowGroupBytes;
    }

    /** zstd level of merged files. */
    public int mergeZstdLevel() {
        return mergeZstdLevel;
    }

    /** How long a call's text is kept (whole days), or null to keep it until erased (the default). */
    public Duration textRetention() {
        return textRetention;
    }

    /**
     * The clock text retention, {@link #incompleteAfter()}, batch delays and queue retention are measured by
     * (the system UTC clock unless set: tests set one, so no result depends on the date they run).
     */
    public java.time.Clock clock() {
        return clock;
    }

    @Override
    public String toString() {
        return "CompactorConfig{home=" + home + ", dataDir=" + dataDir + ", zstdLevel=" + zstdLevel + ", retention="
                + retention + ", maxFileRows=" + maxFileRows + ", maxBatchBytes=" + maxBatchBytes + ", rowGroupBytes="
                + rowGroupBytes + ", intervalMillis=" + intervalMillis + ", minBatchRows=" + minBatchRows
                + ", maxBatchDelayMillis=" + maxBatchDelayMillis + ", queueRetention=" + queueRetention
                + ", hostName=" + hostName + '}';
    }

    private static String localHostName() {
        String env = System.getenv("HOSTNAME");
        if (env != null && !env.isBlank()) {
            return env;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            return "localhost";
        }
    }

    /**
     * The default {@link Builder#maxBatchBytes} in a JVM whose max heap is {@code maxHeapBytes}:
     * 1/{@value #HEAP_SHARE_DIVISOR} of it, between 1 MiB and {@value #DEFAULT_MAX_BATCH_BYTES} (reached from a
     * 512 MiB heap up). With a 128 MiB heap, the old fixed 128 MiB batch ran the compactor out of memory on a
     * backlog ({@code CompactorHeapTest}).
     */
    public static long defaultMaxBatchBytes(long maxHeapBytes) {
        return Math.max(MIB, Math.min(DEFAULT_MAX_BATCH_BYTES, maxHeapBytes / HEAP_SHARE_DIVISOR));
    }

    static void checkMaxBatchBytes(long bytes, long maxHeapBytes) {
        if (bytes < MIB) {
            throw new IllegalArgumentException("maxBatchBytes must be >= 1 MiB, was " + bytes);
        }
        if (bytes > maxHeapBytes / 2) {
            throw new IllegalArgumentException("maxBatchBytes " + bytes + " is more than half of this JVM's max heap ("
                    + maxHeapBytes + " bytes, -Xmx): a batch of that size would not fit while it is written; set at most "
                    + maxHeapBytes / 4 + " or leave it unset (default " + defaultMaxBatchBytes(maxHeapBytes) + ")");
        }
    }

    private static final long MIB = 1024 * 1024;

    public static final class Builder {
        private final Path home;
        private Path dataDir;
        private int zstdLevel = DEFAULT_ZSTD_LEVEL;
        private RetentionPolicy retention = RetentionPolicy.defaults();
        private Redactor redactor = Redactors.defaults();
        private int maxFileRows = DEFAULT_MAX_FILE_ROWS;
        /** 0: not set, {@link #defaultMaxBatchBytes} of this JVM's heap. */
        private long maxBatchBytes;
        private long rowGroupBytes = DEFAULT_ROW_GROUP_BYTES;
        private long intervalMillis = DEFAULT_INTERVAL_MILLIS;
        private int minBatchRows = DEFAULT_MIN_BATCH_ROWS;
        private long maxBatchDelayMillis = DEFAULT_MAX_BATCH_DELAY_MILLIS;
        private Duration queueRetention = DEFAULT_QUEUE_RETENTION;
        private String hostName;
        private Duration textRetention;
        private Duration incompleteAfter = DEFAULT_INCOMPLETE_AFTER;
        private java.time.Clock clock = java.time.Clock.systemUTC();
        private boolean mergeClosedDays = true;
        private Duration mergeGrace = DEFAULT_MERGE_GRACE;
        private long mergeFileBytes = DEFAULT_MERGE_FILE_BYTES;
        private long mergeRowGroupBytes = DEFAULT_MERGE_ROW_GROUP_BYTES;
        private int mergeZstdLevel = DEFAULT_MERGE_ZSTD_LEVEL;

        private Builder(Path home) {
            this.home = Objects.requireNonNull(home, "home directory");
        }

        /** The dataset directory; null means {@code home/data}. */
        public Builder dataDir(Path dataDir) {
            this.dataDir = dataDir;
            return this;
        }

        /** zstd level, 1 to 22 (default 3). */
        public Builder zstdLevel(int level) {
            this.zstdLevel = level;
            return this;
        }

        public Builder retention(RetentionPolicy retention) {
            this.retention = retention;
            return this;
        }

        public Builder redactor(Redactor redactor) {
            this.redactor = redactor;
            return this;
        }

        /** Most rows in one calls file (one batch of one shard); at least 1. */
        public Builder maxFileRows(int rows) {
            this.maxFileRows = rows;
            return this;
        }

        /**
         * Estimated heap bytes of the rows one batch may hold before it is written: at least 1 MiB and at most
         * half the JVM's max heap. Default: 1/{@value CompactorConfig#HEAP_SHARE_DIVISOR} of the max heap, at
         * most {@value CompactorConfig#DEFAULT_MAX_BATCH_BYTES} (see {@link CompactorConfig#defaultMaxBatchBytes}).
         * Larger batches make fewer, larger files.
         */
        public Builder maxBatchBytes(long bytes) {
            this.maxBatchBytes = bytes;
            return this;
        }

        /** Parquet row group size in bytes; at least 1 MiB. */
        public Builder rowGroupBytes(long bytes) {
            this.rowGroupBytes = bytes;
            return this;
        }

        /** How often the background / follow mode looks at the queue, in milliseconds; at least 1. */
        public Builder intervalMillis(long millis) {
            this.intervalMillis = millis;
            return this;
        }

        /**
         * Background / follow mode: a shard is compacted when at least this many records wait, or when
         * its oldest waiting record has waited {@link #maxBatchDelayMillis}. At least 1.
         */
        public Builder minBatchRows(int rows) {
            this.minBatchRows = rows;
            return this;
        }

        /** See {@link #minBatchRows}; at least 0. */
        public Builder maxBatchDelayMillis(long millis) {
            this.maxBatchDelayMillis = millis;
            return this;
        }

        /**
         * How long a queue cycle file is kept after its last write once every record in it is
         * committed (default 24 h); {@link #KEEP_QUEUE_FOREVER} keeps them all; zero deletes as soon as
         * it is safe.
         */
        public Builder queueRetention(Duration keep) {
            this.queueRetention = keep;
            return this;
        }

        /** Host name in file names (default: this machine's); characters outside [A-Za-z0-9.-] become '-'. */
        public Builder hostName(String hostName) {
            this.hostName = hostName;
            return this;
        }

        /**
         * Text retention: every pass erases the text of calls older than this many whole days (by UTC date
         * of {@code start_time}: a call's text goes within a day after it turns {@code keep} old), keeping
         * their metadata, with the same rewrite as {@link Compactor#erase}. Null (the default) keeps text.
         */
        public Builder textRetention(Duration keep) {
            this.textRetention = keep;
            return this;
        }


        /**
         * A two-phase call ({@code CallRecorder.send()}) whose response half has not appeared this long after
         * its start is stored with status {@code incomplete} (default 15 minutes); so is one whose writer
         * process is gone (seen on this host). Until then the shard's later calls wait for it. Positive.
         */
        public Builder incompleteAfter(Duration after) {
            this.incompleteAfter = after;
            return this;
        }

        /** The clock of text retention and of {@link #incompleteAfter} (tests set one); default the system UTC clock. */
        public Builder clock(java.time.Clock clock) {
            this.clock = clock;
            return this;
        }

        /**
         * Whether {@code Compactor.runIfDue()} (the background and follow modes) also merges the small calls
         * files of closed days into a few large ones, one day per pass (default true; layout and guarantees in
         * {@code DatasetLayout}). {@code Compactor.mergeClosedDays()} merges every closed day whatever this says.
         */
        public Builder mergeClosedDays(boolean merge) {
            this.mergeClosedDays = merge;
            return this;
        }

        /** A day is closed for merging this long after it ended in UTC (default 1 hour). */
        public Builder mergeGrace(Duration grace) {
            this.mergeGrace = grace;
            return this;
        }

        /** Size of a merged file (default 256 MiB); files under half of it count as small. */
        public Builder mergeFileBytes(long bytes) {
            this.mergeFileBytes = bytes;
            return this;
        }

        /** Row group size of merged files (default 16 MiB, uncompressed): the unit a point lookup reads. */
        public Builder mergeRowGroupBytes(long bytes) {
            this.mergeRowGroupBytes = bytes;
            return this;
        }

        /**
         * zstd level of merged files, 1 to 22 (default {@value CompactorConfig#DEFAULT_MERGE_ZSTD_LEVEL}): the
         * merge runs in the background, so it may spend more CPU than a batch for smaller files.
         */
        public Builder mergeZstdLevel(int level) {
            this.mergeZstdLevel = level;
            return this;
        }

        public CompactorConfig build() {
            if (mergeZstdLevel < 1 || mergeZstdLevel > 22) {
                throw new IllegalArgumentException("mergeZstdLevel must be 1..22, was " + mergeZstdLevel);
            }
            if (mergeGrace == null || mergeGrace.isNegative()) {
                throw new IllegalArgumentException("mergeGrace must be >= 0, was " + mergeGrace);
            }
            if (mergeFileBytes < 64 * 1024) {
                throw new IllegalArgumentException("mergeFileBytes must be >= 64 KiB, was " + mergeFileBytes);
            }
            if (mergeRowGroupBytes < 64 * 1024) {
                throw new IllegalArgumentException("mergeRowGroupBytes must be >= 64 KiB, was " + mergeRowGroupBytes);
            }
            if (incompleteAfter == null || incompleteAfter.isNegative() || incompleteAfter.isZero()) {
                throw new IllegalArgumentException("incompleteAfter must be > 0, was " + incompleteAfter);
            }
            if (zstdLevel < 1 || zstdLevel > 22) {
                throw new IllegalArgumentException("zstdLevel must be 1..22, was " + zstdLevel);
            }
            if (retention == null) {
                throw new IllegalArgumentException("retention must not be null");
            }
            if (redactor == null) {
                throw new IllegalArgumentException("redactor must not be null (use Redactors.none())");
            }
            if (maxFileRows < 1) {
                throw new IllegalArgumentException("maxFileRows must be >= 1, was " + maxFileRows);
            }
            if (maxBatchBytes != 0) {
                checkMaxBatchBytes(maxBatchBytes, Runtime.getRuntime().maxMemory());
            }
            if (rowGroupBytes < 1024 * 1024) {
                throw new IllegalArgumentException("rowGroupBytes must be >= 1 MiB, was " + rowGroupBytes);
            }
            if (intervalMillis < 1) {
                throw new IllegalArgumentException("intervalMillis must be >= 1, was " + intervalMillis);
            }
            if (minBatchRows < 1) {
                throw new IllegalArgumentException("minBatchRows must be >= 1, was " + minBatchRows);
            }
            if (maxBatchDelayMillis < 0) {
                throw new IllegalArgumentException("maxBatchDelayMillis must be >= 0, was " + maxBatchDelayMillis);
            }
            if (queueRetention == null || queueRetention.isNegative()) {
                throw new IllegalArgumentException("queueRetention must be >= 0, was " + queueRetention);
            }
            if (textRetention != null && (textRetention.isNegative() || textRetention.isZero()
                    || !textRetention.equals(Duration.ofDays(textRetention.toDays())))) {
                throw new IllegalArgumentException("textRetention must be a positive whole number of days, was "
                        + textRetention);
            }
            if (clock == null) {
                throw new IllegalArgumentException("clock must not be null");
            }
            if (hostName != null && hostName.isBlank()) {
                throw new IllegalArgumentException("hostName must not be blank");
            }
            return new CompactorConfig(this);
        }
    }
}
