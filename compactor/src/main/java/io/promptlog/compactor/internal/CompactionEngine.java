package io.promptlog.compactor.internal;

import io.promptlog.format.DatasetSchema;
import io.promptlog.format.DatasetLayout;
import io.promptlog.format.DerivedValues;
import io.promptlog.format.TextHashKey;
import io.promptlog.format.Checkpoint;
import io.promptlog.writer.PrivateFiles;
import io.promptlog.compactor.CompactionResult;
import io.promptlog.compactor.CompactorConfig;
import io.promptlog.writer.CorruptRecordException;
import io.promptlog.writer.LlmCall;
import io.promptlog.writer.PromptLogHome;
import io.promptlog.writer.RecordDecoder;
import io.promptlog.writer.ShardCursor;
import io.promptlog.writer.TextInterner;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The compaction loop over the shards of one queue into one dataset; {@code Compactor} is its public
 * face. Holds the dataset's lock for the queue for its whole life, so one queue is compacted into one
 * dataset by one compactor at a time (another process, or another compactor in this JVM, gets a clear
 * error). Not thread-safe: the caller serialises calls.
 */
public final class CompactionEngine implements AutoCloseable {
    private final CompactorConfig config;
    private final Path data;
    private final String queueId;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final StatsCounters stats = new StatsCounters();
    private final Map<Integer, Long> committed = new ConcurrentHashMap<>();
    private final Map<Integer, ShardState> shards = new TreeMap<>();
    private final KnownTexts knownPrompts;
    private final KnownTexts knownTools;
    private final QueueSweep queueSweep;
    private final CallProcessor processor;
    private final BatchCommitter committer;
    private final DayMerger merger;
    private final DayMerges merges;
    /** Repeated system prompts decode to one shared String, so the processor's caches hit in O(1). */
    private final TextInterner interner = TextInterner.cache(256);
    private final HalfJoiner joiner;
    private final LateCompletions late;
    private final long[] joinedAt = new long[1];
    /** The thread that ran the last pass (queue cursors belong to one thread at a time). */
    private Thread passThread;
    /** file@byte of every damaged stretch already counted. */
    private final java.util.Set<String> reportedStretches = new java.util.HashSet<>();

    private static final class ShardState {
        final int shard;
        final Path dir;
        ShardCursor cursor;
        /** A second cursor, for looking ahead for the response halves of a batch's pending requests. */
        ShardCursor lookahead;
        int skippedSeen;
        long pendingSinceMillis = -1;

        ShardState(int shard, Path dir) {
            this.shard = shard;
            this.dir = dir;
        }
    }

    private CompactionEngine(CompactorConfig config, String queueId, byte[] textHashKey, FileChannel lockChannel,
                             FileLock lock) {
        this.config = config;
        this.data = config.dataDir();
        this.queueId = queueId;
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.knownPrompts = new KnownTexts(data, DatasetSchema.SYSTEM_PROMPTS,
                DatasetLayout.knownTextsFile(data, queueId, DatasetSchema.SYSTEM_PROMPTS), stats);
        this.knownTools = new KnownTexts(data, DatasetSchema.TOOL_DEFINITIONS,
                DatasetLayout.knownTextsFile(data, queueId, DatasetSchema.TOOL_DEFINITIONS), stats);
        this.processor = new CallProcessor(config.retention(), config.redactor(), new DerivedValues(textHashKey),
                stats, knownPrompts, knownTools);
        this.queueSweep = new QueueSweep(DatasetLayout.metaDir(data).resolve(queueId + ".sweep"), stats,
                processor.noTextUpTo());
        LateCompletions late = new LateCompletions(data, config.zstdLevel(), config.rowGroupBytes());
        this.late = late;
        this.joiner = new HalfJoiner(config.clock(), config.incompleteAfter(), stats, late);
        this.committer = new BatchCommitter(data, config.hostName(), queueId, config.zstdLevel(),
                config.rowGroupBytes(), knownPrompts, knownTools, stats, late);
        this.merger = new DayMerger(data, config.mergeZstdLevel(), config.mergeFileBytes(), config.mergeRowGroupBytes(),
                config.mergeGrace(), config.clock());
        this.merges = new DayMerges(data, merger, stats, config.clock());
    }

    /** Checks the dataset is writable, takes the lock, and recovers from any earlier crash. */
    public static CompactionEngine open(CompactorConfig config) throws IOException {
        Path data = config.dataDir();
        Path meta = DatasetLayout.metaDir(data);
        try {
            PrivateFiles.createDirectories(meta);
            Path probe = Files.createTempFile(meta, ".probe", ".tmp");
            Files.delete(probe);
        } catch (IOException | SecurityException e) {
            throw new IOException("dataset directory " + data.toAbsolutePath() + " is not writable: " + e, e);
        }
        String queueId = QueueIdentity.readOrCreate(config.home());
        byte[] textHashKey = TextHashKey.readOrCreate(PromptLogHome.queueDir(config.home()));
        Path lockFile = DatasetLayout.lockFile(data, queueId);
        if (!Files.exists(lockFile)) {
            try {
                PrivateFiles.createFile(lockFile);
            } catch (java.nio.file.FileAlreadyExistsException e) {
                // another compactor created it: the lock below decides
            }
        }
        FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = ch.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            ch.close();
            throw new IOException("another compactor is already compacting queue " + queueId + " of "
                    + config.home() + " into " + data + " (it holds " + lockFile + ")");
        }
        CompactionEngine engine = new CompactionEngine(config, queueId, textHashKey, ch, lock);
        try {
            engine.recover();
        } catch (IOException | RuntimeException e) {
            engine.close();
            throw e;
        }
        return engine;
    }

    private void recover() throws IOException {
        Path cp = DatasetLayout.checkpointFile(data, queueId);
        Map<Integer, Long> checkpoint = Checkpoint.read(cp);
        Recovery r = Recovery.scan(data, queueId, checkpoint);
        queueSweep.load();
        knownPrompts.refresh();
        knownTools.refresh();
        committed.putAll(r.committed);
        for (Recovery.PartialBatch p : r.partial) {
            completePartialBatch(p);
        }
        late.dropIncomplete(r.superseded);
        if (!r.committed.equals(checkpoint)) {
            Durable.writeAtomically(cp, Checkpoint.render(committed, config.hostName()));
        }
        try (DatasetLock l = DatasetLock.tryMerge(data)) {
            if (l != null) { // else another process is merging: it finishes its own merges
                merger.recover(line -> { });
            }
        }
    }

    /**
     * Merges closed days' small calls files (see {@link DayMerges#merge(boolean, java.util.function.Consumer,
     * java.util.function.BooleanSupplier)}).
     */
    public io.promptlog.compactor.MergeResult merge(boolean allDays, java.util.function.Consumer<String> progress)
            throws IOException {
        return merges.merge(allDays, progress, () -> false);
    }

    /** As {@link #merge(boolean, java.util.function.Consumer)}, giving a merge in progress up when {@code cancelled} says so. */
    public io.promptlog.compactor.MergeResult merge(boolean allDays, java.util.function.Consumer<String> progress,
                                                    java.util.function.BooleanSupplier cancelled) throws IOException {
        return merges.merge(allDays, progress, cancelled);
    }

    private void completePartialBatch(Recovery.PartialBatch p) throws IOException {
        ShardState st = shard(p.shard(), PromptLogHome.shardDir(config.home(), p.shard()));
        if (st == null) {
            stats.error("cannot complete batch " + p + ": shard " + p.shard() + " cannot be read");
            return;
        }
        st.cursor.moveAfter(p.first() - 1);
        Batch b = new Batch(p.shard());
        while (st.cursor.next()) {
            long idx = st.cursor.index();
            if (idx < p.first()) {
                continue;
            }
            if (idx > p.last()) {
                break;
            }
            read(st, b);
            if (idx == p.last()) {
                break;
            }
        }
        settle(st, b);
        if (b.first != p.first() || b.last != p.last()) {
            stats.error("cannot complete batch " + p + ": its queue records are no longer all in the queue");
            return;
        }
        committer.commit(b, p.missingDates());
    }

    /**
     * One pass over every shard. {@code force}: compact everything there; otherwise only shards with
     * at least {@code minBatchRows} waiting or whose oldest waiting record waited {@code maxBatchDelayMillis}.
     */
    public CompactionResult pass(boolean force) throws IOException {
        if (passThread != Thread.currentThread()) {
            // the caller serialises passes: the thread of the last one is done with the cursors
            for (ShardState st : shards.values()) {
                if (st.cursor != null) {
                    st.cursor.handOver();
                }
                if (st.lookahead != null) {
                    st.lookahead.handOver();
                }
            }
            passThread = Thread.currentThread();
        }
        long t0 = System.nanoTime();
        long calls0 = stats.callsWritten.get();
        long files0 = stats.filesWritten.get();
        long bytes0 = stats.bytesWritten.get();
        long read0 = stats.recordsRead.get();
        long corrupt0 = stats.corruptRecords.get();
        knownPrompts.refresh();
        knownTools.refresh();
        for (Path dir : PromptLogHome.shardDirs(config.home())) {
            ShardState st = shard(PromptLogHome.shardNumber(dir), dir);
            if (st != null) {
                compactShard(st, force);
            }
        }
        sweepQueue();
        if (config.textRetention() != null) {
            java.time.LocalDate cutoff = java.time.LocalDate.ofInstant(config.clock().instant(), java.time.ZoneOffset.UTC)
                    .minusDays(config.textRetention().toDays());
            try (DatasetLock l = DatasetLock.tryMerge(data)) {
                if (l != null) { // else a merge or an erasure runs elsewhere: expire at a later pass
                    merger.recover(line -> { });
                    stats.textFilesExpired.addAndGet(Erasure.dropTextBefore(data, cutoff, config.zstdLevel(), config.rowGroupBytes()));
                }
            } catch (IOException | RuntimeException e) {
                stats.error("text retention: cannot erase text older than " + cutoff + ": " + e);
            }
        }
        stats.runs.incrementAndGet();
        return new CompactionResult(stats.callsWritten.get() - calls0, stats.filesWritten.get() - files0,
                stats.bytesWritten.get() - bytes0, stats.recordsRead.get() - read0,
                stats.corruptRecords.get() - corrupt0, System.nanoTime() - t0);
    }

    private ShardState shard(int shard, Path dir) {
        ShardState st = shards.get(shard);
        if (st == null) {
            st = new ShardState(shard, dir);
            shards.put(shard, st);
        }
        if (st.cursor == null) {
            if (!Files.isDirectory(dir)) {
                return null;
            }
            try {
                st.cursor = ShardCursor.open(dir);
                st.skippedSeen = 0;
            } catch (RuntimeException e) {
                stats.note("cannot open queue shard " + dir + " for reading (skipped this pass): " + e);
                return null;
            }
        }
        return st;
    }

    private void compactShard(ShardState st, boolean force) throws IOException {
        long from = committed.getOrDefault(st.shard, -1L);
        if (!force && !due(st, from)) {
            return;
        }
        st.cursor.moveAfter(from);
        while (true) {
            Batch b = new Batch(st.shard);
            boolean full = false;
            while (st.cursor.next()) {
                read(st, b);
                if (b.rows.size() >= config.maxFileRows() || b.estimatedBytes >= config.maxBatchBytes()) {
                    full = true;
                    break;
                }
            }
            long readUpTo = b.last;
            settle(st, b);
            boolean cut = b.last != readUpTo;
            reportSkipped(st);
            if (!b.hasRange()) {
                break;
            }
            long bytes = committer.commit(b, null);
            stats.bytesWritten.addAndGet(bytes);
            committed.put(st.shard, b.last);
            Durable.writeAtomically(DatasetLayout.checkpointFile(data, queueId), Checkpoint.render(committed, config.hostName()),
                    CrashPoints.CHECKPOINT_TEMP);
            CrashPoints.reached(CrashPoints.CHECKPOINTED);
            if (!full || cut) {
                break; // cut: a call in flight holds the rest of the shard until a later pass
            }
        }
        st.pendingSinceMillis = -1;
    }

    /** Reads the record under the cursor into the batch. */
    private void read(ShardState st, Batch b) {
        long idx = st.cursor.index();
        b.include(idx);
        stats.recordsRead.incrementAndGet();
        LlmCall call;
        long at = idx;
        try {
            call = decode(st, idx);
            int kind = st.cursor.kind();
            if (kind == RecordDecoder.KIND_REQUEST) {
                b.pending.put(idx, new HalfJoiner.Pending(idx, call, st.cursor.writerProcess()));
                return;
            }
            if (kind == RecordDecoder.KIND_RESPONSE) {
                long req = RecordDecoder.requestIndex(st.cursor.buffer(), 0, st.cursor.length());
                call = joiner.response(b, idx, req, call, joinedAt, () -> lookahead(st), interner);
                if (call == null) {
                    return;
                }
                at = joinedAt[0];
            }
        } catch (CorruptRecordException e) {
            b.corrupt++;
            stats.corruptRecords.incrementAndGet();
            stats.note("skipped corrupt queue record in shard " + st.shard + " at index " + idx + " (0x"
                    + Long.toHexString(idx) + "): " + e.getMessage());
            return;
        }
        store(st, b, call, at);
    }

    /**
     * Decodes the record under the cursor. A record whose system prompt or tools text was defined in a record
     * lost to queue damage is still stored (metadata, messages, response), without that text and with the
     * attribute {@value ShardCursor#LOST_TEXT_ATTRIBUTE} naming the missing fields; it is counted and named as a note.
     */
    private LlmCall decode(ShardState st, long idx) throws CorruptRecordException {
        try {
            return st.cursor.decode(interner);
        } catch (CorruptRecordException e) {
            if (e.reason() != RecordDecoder.UNRESOLVED_REFERENCE) {
                throw e;
            }
            List<String> lost = new ArrayList<>(2);
            LlmCall call = st.cursor.decodeKeepingMetadata(interner, lost);
            if (lost.isEmpty()) {
                return call;
            }
            stats.textsLost.incrementAndGet();
            stats.note("stored the call in shard " + st.shard + " at index " + idx + " without its " + String.join(" and ", lost)
                    + ": " + e.getMessage());
            return call;
        }
    }

    /** Ends a batch: decides its two-phase calls still waiting for a response (see {@link HalfJoiner}). */
    private void settle(ShardState st, Batch b) {
        joiner.settle(b, () -> lookahead(st), interner, (call, index) -> store(st, b, call, index));
    }

    private ShardCursor lookahead(ShardState st) {
        if (st.lookahead == null) {
            try {
                st.lookahead = ShardCursor.open(st.dir);
            } catch (RuntimeException e) {
                stats.note("cannot open queue shard " + st.dir + " to look ahead for responses: " + e);
            }
        }
        return st.lookahead;
    }

    private void store(ShardState st, Batch b, LlmCall call, long idx) {
        try {
            processor.process(call, b, idx);
        } catch (RuntimeException e) {
            b.corrupt++;
            stats.corruptRecords.incrementAndGet();
            stats.error("skipped queue record in shard " + st.shard + " at index " + idx
                    + " that could not be processed: " + e);
        }
    }

    /**
     * Counts and names the damaged queue stretches the cursor skipped that were not reported before (a
     * cursor re-reads from the committed index each pass, so it meets an uncommitted stretch again).
     */
    private void reportSkipped(ShardState st) {
        java.util.List<io.promptlog.writer.CorruptStretch> all = st.cursor.skipped();
        for (int i = st.skippedSeen; i < all.size(); i++) {
            io.promptlog.writer.CorruptStretch s = all.get(i);
            if (reportedStretches.add(s.file() + "@" + s.fromByte())) {
                stats.skipped(s.toString());
            }
        }
        st.skippedSeen = all.size();
    }

    private boolean due(ShardState st, long from) {
        st.cursor.moveAfter(from);
        int n = 0;
        while (n < config.minBatchRows() && st.cursor.next()) {
            n++;
        }
        if (n == 0) {
            st.pendingSinceMillis = -1;
            return false;
        }
        long now = config.clock().millis();
        if (st.pendingSinceMillis < 0) {
            st.pendingSinceMillis = now;
        }
        return n >= config.minBatchRows() || now - st.pendingSinceMillis >= config.maxBatchDelayMillis();
    }

    private void sweepQueue() {
        Map<Integer, Path> dirs = new TreeMap<>();
        shards.forEach((n, st) -> dirs.put(n, st.dir));
        queueSweep.sweep(dirs, committed, config.queueRetention().toMillis(), config.clock().millis());
    }

    public StatsCounters stats() {
        return stats;
    }

    /** Committed index per shard (a live view). */
    public Map<Integer, Long> committed() {
        return committed;
    }

    /**
     * Erases calls from the dataset (see {@link Erasure}), after compacting everything waiting in the queue
     * so that calls not compacted yet are covered; then drops the queue cycle files that held them as soon
     * as it is safe (no grace period, remembered across restarts).
     */
    public io.promptlog.compactor.ErasureResult erase(io.promptlog.compactor.ErasureRequest req,
                                                      java.util.function.Consumer<String> progress) throws IOException {
        pass(true);
        Erasure.Outcome o;
        try (DatasetLock l = DatasetLock.merge(data)) {
            merger.recover(progress);
            o = new Erasure(data, config.zstdLevel(), config.rowGroupBytes()).run(req, progress);
        }
        knownPrompts.forget(o.promptsRemoved(), o.epochBefore(), o.epochAfter());
        knownTools.forget(o.toolsRemoved(), o.epochBefore(), o.epochAfter());
        long deleted0 = stats.queueFilesDeleted.get();
        committed.forEach((shard, index) -> processor.noTextUpTo().merge(shard, index, Math::max));
        sweepQueue();
        int left = 0;
        for (ShardState st : shards.values()) {
            try (java.util.stream.Stream<Path> s = Files.list(st.dir)) {
                left += (int) s.filter(p -> p.getFileName().toString().endsWith(".cq4")).count();
            }
        }
        return new io.promptlog.compactor.ErasureResult(o.callsFiles(), o.textFiles(), o.erased(), o.dropped(),
                o.promptsRemoved().size(), o.toolsRemoved().size(), stats.queueFilesDeleted.get() - deleted0, left);
    }

    public String queueId() {
        return queueId;
    }

    @Override
    public void close() {
        for (ShardState st : shards.values()) {
            if (st.cursor != null) {
                st.cursor.close();
                st.cursor = null;
            }
            if (st.lookahead != null) {
                st.lookahead.close();
                st.lookahead = null;
            }
        }
        for (KnownTexts k : List.of(knownPrompts, knownTools)) {
            try {
                k.close();
            } catch (IOException e) {
                stats.note("cannot delete the compactor's scratch file of stored text hashes: " + e);
            }
        }
        try {
            lock.release();
        } catch (IOException e) {
            stats.note("cannot release the compactor lock: " + e);
        }
        try {
            lockChannel.close();
        } catch (IOException e) {
            stats.note("cannot close the compactor lock file: " + e);
        }
    }
}
