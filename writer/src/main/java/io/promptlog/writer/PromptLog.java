package io.promptlog.writer;

import io.promptlog.writer.internal.Counters;
import io.promptlog.writer.internal.QueueShards;
import io.promptlog.writer.internal.SharedTexts;
import io.promptlog.writer.internal.TextSlot;
import io.promptlog.writer.internal.JvmAccess;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The writer: records every LLM call a service makes to a memory-mapped queue under a home directory,
 * on the calling thread, in about a microsecond, without allocating and without ever throwing into the
 * caller. Once an append returns an {@link AppendStatus#isAppended appended} status, the record
 * survives a kill -9 of the process (it is in a mapped file in the OS page cache).
 *
 * <pre>{@code
 * PromptLog log = PromptLog.open(PromptLogConfig.defaults(Path.of("promptlog-home")));
 * try (CallRecorder r = log.begin()) {
 *     r.requestModel("gpt-4o").systemPrompt(system).message("user", question).response(answer);
 * }
 * ...
 * log.close();
 * }</pre>
 *
 * <p>Failures never reach the caller: a queue that cannot be opened (unwritable directory), a write that
 * fails (disk full) or a closed log make appends return a negative status and count in {@link #stats()}.
 * {@link #close()} is idempotent; appends after it are counted no-ops.
 */
public final class PromptLog implements AutoCloseable {
    private final PromptLogConfig config;
    private final QueueShards shards;
    private final String openError;
    /** Every thread's counters; those of finished threads are folded into {@code retired} (see {@link #newRecorder}). */
    private final java.util.ArrayList<Counters> allCounters = new java.util.ArrayList<>();
    private final long[] retired = new long[Counters.COUNT];
    private int liveAfterLastFold;
    private final AtomicInteger nextHomeShard = new AtomicInteger();
    /** system_prompt and tools texts defined in some shard, shared by every thread's recorder. */
    private final SharedTexts sharedPrompts = new SharedTexts();
    private final SharedTexts sharedTools = new SharedTexts();
    private final ThreadLocal<CallRecorder> recorders = ThreadLocal.withInitial(this::newRecorder);
    /**
     * A second recorder per thread, made only on threads that {@link #append} or {@link #resume} while their
     * own recorder holds a record begun and not yet committed (e.g. a client hook logging on the thread of an
     * app that has a {@link #begin()} open): using the thread's recorder there would discard the app's record.
     */
    private final ThreadLocal<CallRecorder> spareRecorders = ThreadLocal.withInitial(this::newRecorder);
    private volatile boolean closed;
    private final java.util.concurrent.atomic.AtomicLong unavailableDrops = new java.util.concurrent.atomic.AtomicLong();
    /** {@link #append} calls given null. */
    private final java.util.concurrent.atomic.AtomicLong nullDrops = new java.util.concurrent.atomic.AtomicLong();
    private volatile AutoCloseable compaction;
    private volatile String compactionError;

    private PromptLog(PromptLogConfig config, QueueShards shards, String openError) {
        this.config = config;
        this.shards = shards;
        this.openError = openError;
    }

    /** Starts the first {@link BackgroundCompaction} provider on the class path, if any; never throws. */
    private PromptLog startCompaction() {
        if (shards == null || !config.backgroundCompaction()) {
            return this;
        }
        try {
            java.util.Optional<BackgroundCompaction> provider =
                    java.util.ServiceLoader.load(BackgroundCompaction.class, PromptLog.class.getClassLoader()).findFirst();
            if (provider.isPresent()) {
                compaction = provider.get().start(config);
            }
        } catch (Exception | java.util.ServiceConfigurationError | LinkageError e) {
            compactionError = "cannot start background compaction: " + e;
        }
        return this;
    }

    /**
     * Opens (creating if needed) the log in {@code config.home()}. Does not throw on I/O problems: if the
     * queue cannot be opened, the returned log drops every append with
     * {@link AppendStatus#DROPPED_UNAVAILABLE} and {@link #stats()} says why. So does a JVM started
     * without the flags Chronicle needs ({@link JvmAccess#REQUIRED_FLAGS}): one line on stderr names the
     * missing ones, and no Chronicle class is touched.
     */
    public static PromptLog open(PromptLogConfig config) {
        java.util.List<String> missing = JvmAccess.missingFlags();
        if (!missing.isEmpty()) {
            String why = "promptlog is not logging: the JVM was started without " + String.join(" ", missing)
                    + " (Chronicle Queue needs them to map its files; see the README, \"JVM flags\")";
            System.err.println(why);
            return new PromptLog(config, null, why);
        }
        try {
            return new PromptLog(config, QueueShards.open(config), null).startCompaction();
        } catch (Exception | LinkageError | AssertionError | InternalError e) {
            return new PromptLog(config, null, "cannot open promptlog queue in " + config.queueDir() + ": " + e);
        }
    }

    /** Opens with every default in {@code home}. */
    public static PromptLog open(java.nio.file.Path home) {
        return open(PromptLogConfig.defaults(home));
    }

    public PromptLogConfig config() {
        return config;
    }

    /** False when the queue could not be opened: every record is dropped and counted, nothing is encoded. */
    boolean hasQueue() {
        return shards != null;
    }

    /** True when the queue is open and appends can succeed. */
    public boolean isAvailable() {
        return shards != null && !closed;
    }

    /** This thread's recorder, with a new record begun. */
    public CallRecorder begin() {
        return recorders.get().begin();
    }

    /**
     * Logs a call given as a value (allocates; see {@link CallRecorder} for the zero-allocation path). A record
     * this thread has {@linkplain #begin() begun} and not committed is left as it is. A null call logs nothing
     * and returns {@link AppendStatus#DROPPED_ERROR}, counted in {@link PromptLogStats#droppedError()}.
     */
    public int append(LlmCall call) {
        if (call == null) {
            nullDrops.incrementAndGet(); // an application bug, but never an exception into its code
            return AppendStatus.DROPPED_ERROR;
        }
        if (shards == null) {
            // no queue (e.g. the JVM flags are missing): count without touching the encoder, so nothing of
            // Chronicle is initialised and nothing more is printed
            unavailableDrops.incrementAndGet();
            return AppendStatus.DROPPED_UNAVAILABLE;
        }
        CallRecorder r = idleRecorder().begin();
        r.write(call);
        return r.commit();
    }

    /**
     * The calling thread's recorder, taking up a call {@linkplain CallRecorder#send() sent} on any thread
     * (its {@link CallRecorder#inFlight()} handle): set the response fields, then
     * {@link CallRecorder#complete()} or {@link CallRecorder#fail}. An invalid handle (e.g. -1) gives a
     * recorder whose completion returns {@link AppendStatus#NOT_STARTED}; a well-formed handle that names no
     * request half in the queue (forged, or from another log) is checked when the call completes, which then
     * writes nothing and returns {@link AppendStatus#REJECTED_HANDLE}. A record this thread has
     * {@linkplain #begin() begun} and not committed is left as it is.
     */
    public CallRecorder resume(long inFlight) {
        CallRecorder r = idleRecorder();
        int shard = InFlight.shard(inFlight);
        if (shard < 0 || shards == null || shard >= shards.count()) {
            r.begin();
            r.abandonQuietly();
            return r;
        }
        return r.resume(shard, InFlight.index(inFlight));
    }

    /** The thread's recorder when it holds no record, else its spare (at most two records open per thread). */
    private CallRecorder idleRecorder() {
        CallRecorder r = recorders.get();
        return r.isIdle() ? r : spareRecorders.get();
    }

    /** Appends to exactly {@code shard} when {@code exact}, else to the first free shard from it. */
    int publish(int shard, boolean exact, byte[] record, int length, TextSlot[] slots, Counters counters, long[] written) {
        return publish(shard, exact, -1, record, length, slots, counters, written);
    }

    /**
     * As {@link #publish(int, boolean, byte[], int, TextSlot[], Counters, long[])}; when {@code requestAt >= 0}
     * the record is written only if {@code shard} holds a request half at that index.
     */
    int publish(int shard, boolean exact, long requestAt, byte[] record, int length, TextSlot[] slots, Counters counters,
                long[] written) {
        if (shards == null) {
            counters.increment(Counters.DROPPED_UNAVAILABLE);
            return AppendStatus.DROPPED_UNAVAILABLE;
        }
        if (closed) {
            counters.increment(Counters.DROPPED_CLOSED);
            return AppendStatus.DROPPED_CLOSED;
        }
        return exact ? shards.appendTo(shard, requestAt, record, length, slots, counters, written)
                : shards.append(shard, record, length, slots, counters, written);
    }

    /**
     * A thread's recorder, made the first time it logs. Per-thread state stays bounded however many
     * threads come and go (pools that churn threads, virtual threads): the recorder itself dies with its
     * thread (it lives in a ThreadLocal), and the counters registered here are folded into one retired
     * total once their thread has ended, whenever registrations double since the last fold.
     */
    private CallRecorder newRecorder() {
        Counters c = new Counters(Thread.currentThread());
        synchronized (allCounters) {
            allCounters.add(c);
            if (allCounters.size() >= Math.max(64, 2 * liveAfterLastFold)) {
                foldFinishedThreads();
                liveAfterLastFold = allCounters.size();
            }
        }
        return new CallRecorder(this, c, nextHomeShard.getAndIncrement(), config.maxRecordBytes(), sharedPrompts, sharedTools);
    }

    /** Moves the counts of threads that have ended into {@link #retired}; holds the allCounters lock. */
    private void foldFinishedThreads() {
        int kept = 0;
        for (int i = 0; i < allCounters.size(); i++) {
            Counters c = allCounters.get(i);
            if (c.ownerEnded()) {
                // the owner's writes happen-before it is seen ended (JLS 17.4.4), so these are final
                for (int k = 0; k < Counters.COUNT; k++) {
                    retired[k] += c.get(k);
                }
            } else {
                allCounters.set(kept++, c);
            }
        }
        allCounters.subList(kept, allCounters.size()).clear();
    }

    /** Counters registered and not yet folded: bounded by about twice the threads alive. For tests. */
    int registeredCounters() {
        synchronized (allCounters) {
            return allCounters.size();
        }
    }

    /** The counters, summed over every thread that has logged. */
    public PromptLogStats stats() {
        long[] sum = new long[Counters.COUNT];
        synchronized (allCounters) {
            System.arraycopy(retired, 0, sum, 0, Counters.COUNT);
            for (Counters c : allCounters) {
                for (int i = 0; i < Counters.COUNT; i++) {
                    sum[i] += c.get(i);
                }
            }
        }
        sum[Counters.DROPPED_UNAVAILABLE] += unavailableDrops.get();
        sum[Counters.DROPPED_ERROR] += nullDrops.get();
        String last = shards == null ? openError : shards.lastError();
        if (last == null) {
            last = compactionError;
        }
        return new PromptLogStats(sum[Counters.APPENDED], sum[Counters.APPENDED_BYTES], sum[Counters.TRUNCATED],
                sum[Counters.DROPPED_CLOSED], sum[Counters.DROPPED_UNAVAILABLE], sum[Counters.DROPPED_IO_ERROR],
                sum[Counters.DROPPED_TOO_LARGE], sum[Counters.DROPPED_ERROR], sum[Counters.REJECTED_FIELDS],
                sum[Counters.ABANDONED], sum[Counters.REJECTED_HANDLES], shards == null ? 0 : shards.headerlessCycleFiles(),
                shards == null ? 0 : shards.count(), last);
    }

    /**
     * Waits for appends in flight, then closes the queue; then stops background compaction, which first
     * compacts what is left. Idempotent; later appends are counted no-ops.
     */
    @Override
    public void close() {
        closed = true;
        if (shards != null) {
            shards.close();
        }
        AutoCloseable c = compaction;
        compaction = null;
        if (c != null) {
            try {
                c.close();
            } catch (Exception e) {
                compactionError = "background compaction failed to stop: " + e;
            }
        }
    }
}
