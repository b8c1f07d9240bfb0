package io.promptlog.compactor.internal;

import io.promptlog.format.DatasetSchema;
import io.promptlog.format.DatasetLayout;
import io.promptlog.format.DerivedValues;
import io.promptlog.format.TextHashKey;
import io.promptlog.format.Checkpoint;
import io.promptlog.writer.PrivateFiles;
import io.promptlog.compactor.CompactionResult;
import io.promptlog.compactor.CompactorConfig;
import io.promptlog.writer.PromptLogHome;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
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
    private final KnownTexts knownPrompts;
    private final KnownTexts knownTools;
    private final QueueSweep queueSweep;
    private final CallProcessor processor;
    private final ShardReader reader;
    private final BatchCommitter committer;
    private final DayMerger merger;
    private final DayMerges merges;
    private final LateCompletions late;

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
        this.reader = new ShardReader(config, stats, processor,
                new HalfJoiner(config.clock(), config.incompleteAfter(), stats, late));
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
        ShardReader.Shard st = reader.shard(p.shard(), PromptLogHome.shardDir(config.home(), p.shard()));
        if (st == null) {
            stats.error("cannot complete batch " + p + ": shard " + p.shard() + " cannot be read");
            return;
        }
        st.moveAfter(p.first() - 1);
        Batch b = new Batch(p.shard());
        while (st.next()) {
            long idx = st.index();
            if (idx < p.first()) {
                continue;
            }
            if (idx > p.last()) {
                break;
            }
            reader.read(st, b);
            if (idx == p.last()) {
                break;
            }
        }
        reader.settle(st, b);
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
        reader.ownedBy(Thread.currentThread()); // the caller serialises passes
        long t0 = System.nanoTime();
        long calls0 = stats.callsWritten.get();
        long files0 = stats.filesWritten.get();
        long bytes0 = stats.bytesWritten.get();
        long read0 = stats.recordsRead.get();
        long corrupt0 = stats.corruptRecords.get();
        knownPrompts.refresh();
        knownTools.refresh();
        for (Path dir : PromptLogHome.shardDirs(config.home())) {
            ShardReader.Shard st = reader.shard(PromptLogHome.shardNumber(dir), dir);
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

    private void compactShard(ShardReader.Shard st, boolean force) throws IOException {
        long from = committed.getOrDefault(st.number, -1L);
        if (!force && !reader.due(st, from)) {
            return;
        }
        st.moveAfter(from);
        while (true) {
            Batch b = new Batch(st.number);
            boolean full = false;
            while (st.next()) {
                reader.read(st, b);
                if (b.rows.size() >= config.maxFileRows() || b.estimatedBytes >= config.maxBatchBytes()) {
                    full = true;
                    break;
                }
            }
            long readUpTo = b.last;
            reader.settle(st, b);
            boolean cut = b.last != readUpTo;
            reader.reportSkipped(st);
            if (!b.hasRange()) {
                break;
            }
            long bytes = committer.commit(b, null);
            stats.bytesWritten.addAndGet(bytes);
            committed.put(st.number, b.last);
            Durable.writeAtomically(DatasetLayout.checkpointFile(data, queueId), Checkpoint.render(committed, config.hostName()),
                    CrashPoints.CHECKPOINT_TEMP);
            CrashPoints.reached(CrashPoints.CHECKPOINTED);
            if (!full || cut) {
                break; // cut: a call in flight holds the rest of the shard until a later pass
            }
        }
        st.drained();
    }

    private void sweepQueue() {
        queueSweep.sweep(reader.dirs(), committed, config.queueRetention().toMillis(), config.clock().millis());
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
        for (Path dir : reader.dirs().values()) {
            try (java.util.stream.Stream<Path> s = Files.list(dir)) {
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
        reader.close();
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
