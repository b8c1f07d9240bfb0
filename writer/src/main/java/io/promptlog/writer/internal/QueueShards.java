package io.promptlog.writer.internal;

import io.promptlog.writer.AppendStatus;
import io.promptlog.writer.PromptLogConfig;
import io.promptlog.writer.PromptLogHome;
import io.promptlog.writer.PrivateFiles;
import net.openhft.chronicle.core.io.IORuntimeException;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.locks.LockSupport;

/**
 * The queue shards one {@code PromptLog} appends to, and the append itself.
 *
 * <p>Why shards: Chronicle serialises appenders of one queue on a spin lock in the mapped file. With
 * more logging threads than cores, a thread descheduled while holding it stalls every other logging
 * thread for a scheduler quantum, which is what a p99.9 shows. Here each shard has one appender, guarded
 * by an in-process flag taken with a CAS. A thread tries its home shard, then every other shard, and
 * takes the first free one; it only waits (spinning, yielding, then parking; see {@link #backOff}) when every shard is busy at once. The
 * Chronicle lock underneath is then uncontended: within the process by the flag, and across processes
 * because each shard directory is claimed by one log at a time ({@link ShardClaims}; another process on
 * the same home appends to shard directories of its own). Every shard is an ordinary queue, so kill -9 durability is
 * Chronicle's: a record is in the page cache, in a mapped file, when {@code writeBytes} returns.
 *
 * <p>The same flag orders {@link #close()}: close takes every flag (waiting for appends in flight),
 * marks the shard closed and releases it, so a late append sees "closed" instead of a closed appender.
 */
public final class QueueShards implements AutoCloseable {
    private static final int FREE = 0;
    private static final int BUSY = 1;
    private static final int CLOSED = 2;
    private static final int PAD = 16; // ints: flags 64 bytes apart
    /** How long a waiter parks once spinning and yielding did not free a shard: 50 microseconds. */
    private static final long PARK_NANOS = 50_000;

    private final SingleChronicleQueue[] queues;
    private final ExcerptAppender[] appenders;
    /** The shard directories this log holds (see {@link ShardClaims}); released after the queues close. */
    private final ShardClaims claims;
    private final AtomicIntegerArray flags;
    private final int count;
    private final Pretoucher pretoucher;
    private final DiskReservation[] reservations;
    private final RecordWriter[] writers;
    /** Per shard, made on first use, used under the shard's flag: reads a resumed call's request half. */
    private final ExcerptTailer[] requestReaders;
    private volatile String lastError;
    private final int headerlessCycleFiles;

    private QueueShards(SingleChronicleQueue[] queues, ExcerptAppender[] appenders, ShardClaims claims, boolean pretouch,
                        java.util.List<java.nio.file.Path> movedAside, String notMoved) {
        this.headerlessCycleFiles = movedAside.size();
        this.lastError = notMoved;
        if (notMoved == null && !movedAside.isEmpty()) {
            this.lastError = "moved aside " + movedAside.size() + " cycle file(s) without a header, left by a writer killed"
                    + " while creating them (Chronicle appends nothing before the header; the bytes are kept): " + movedAside;
        }
        this.queues = queues;
        this.appenders = appenders;
        this.claims = claims;
        this.count = queues.length;
        this.flags = new AtomicIntegerArray(count * PAD);
        this.reservations = new DiskReservation[count];
        this.writers = new RecordWriter[count];
        this.requestReaders = new ExcerptTailer[count];
        for (int i = 0; i < count; i++) {
            reservations[i] = new DiskReservation(queues[i]);
            writers[i] = new RecordWriter();
        }
        this.pretoucher = pretouch ? new Pretoucher(queues, reservations) : null;
        if (pretoucher != null) {
            pretoucher.start();
        }
    }

    /** Opens (creating as needed) every shard of the config's home. */
    public static QueueShards open(PromptLogConfig config) throws IOException {
        PrivateFiles.createDirectories(config.home());
        PrivateFiles.createDirectories(config.queueDir());
        int n = config.shardCount();
        SingleChronicleQueue[] queues = new SingleChronicleQueue[n];
        ExcerptAppender[] appenders = new ExcerptAppender[n];
        java.util.List<java.nio.file.Path> movedAside = new java.util.ArrayList<>();
        String notMoved = null;
        ShardClaims claims = ShardClaims.claim(config.home(), n);
        try {
            for (int i = 0; i < n; i++) {
                var dir = PromptLogHome.shardDir(config.home(), claims.number(i));
                PrivateFiles.createDirectories(dir);
                queues[i] = PromptLogHome.openShard(dir, config.rollPeriod(), config.maxRecordBytes(), false, config.rollClock());
                // before the appender, which would wait 10 s on each such file (see HeaderlessCycles); a failure here
                // (a file that cannot be renamed) costs that wait, not the log
                try {
                    movedAside.addAll(HeaderlessCycles.moveAside(queues[i], dir));
                } catch (IOException | RuntimeException e) {
                    notMoved = "cannot move aside a cycle file without a header in " + dir + " (opening waits for it): " + e;
                }
                appenders[i] = queues[i].createAppender();
                // one appender per shard, used by whichever thread holds the shard's flag
                appenders[i].singleThreadedCheckDisabled(true);
            }
        } catch (RuntimeException | Error e) {
            for (int i = 0; i < n; i++) {
                closeQuietly(appenders[i], queues[i]);
            }
            claims.close();
            if (e instanceof IORuntimeException || e.getCause() instanceof IOException) {
                throw new IOException("cannot open queue in " + config.queueDir() + ": " + e.getMessage(), e);
            }
            throw e;
        }
        return new QueueShards(queues, appenders, claims, config.pretouch(), movedAside, notMoved);
    }

    /** Cycle files without a header that {@link #open} moved aside (see {@link HeaderlessCycles}). */
    public int headerlessCycleFiles() {
        return headerlessCycleFiles;
    }

    SingleChronicleQueue queue(int shard) {
        return queues[shard];
    }

    Pretoucher pretoucher() {
        return pretoucher;
    }

    public int count() {
        return count;
    }

    public String lastError() {
        String e = lastError;
        return e != null || pretoucher == null ? e : pretoucher.lastError();
    }

    /**
     * Appends one record, staged in {@code buf[0, length)} (header and every field but the {@code slots}'
     * texts), to the first free shard, starting at {@code homeShard}: the slots' texts are written in full
     * or as references (see {@link RecordWriter}). On success {@code written} (may be null) receives the
     * shard, the record's Chronicle index and its size in bytes as written. Never throws (except VM errors such as OutOfMemoryError):
     * failures are counted.
     */
    public int append(int homeShard, byte[] buf, int length, TextSlot[] slots, Counters counters, long[] written) {
        int shard = acquire(homeShard, false);
        if (shard < 0) {
            counters.increment(Counters.DROPPED_CLOSED);
            return AppendStatus.DROPPED_CLOSED;
        }
        return appendHeld(shard, buf, length, slots, counters, written);
    }

    /**
     * As {@link #append}, but into exactly {@code shard} (waiting for it while another thread appends
     * there): the response half of a two-phase call goes where its request half is. When
     * {@code requestAt >= 0} (a call taken up through a handle), the record is written only if the shard
     * holds a request half at that index; else nothing is written, {@link Counters#REJECTED_HANDLES} goes up
     * and the result is {@link AppendStatus#REJECTED_HANDLE}.
     */
    public int appendTo(int shard, long requestAt, byte[] buf, int length, TextSlot[] slots, Counters counters, long[] written) {
        if (shard < 0 || shard >= count || acquire(shard, true) < 0) {
            counters.increment(Counters.DROPPED_CLOSED);
            return AppendStatus.DROPPED_CLOSED;
        }
        if (requestAt >= 0 && !holdsRequest(shard, requestAt)) {
            flags.set(shard * PAD, FREE);
            counters.increment(Counters.REJECTED_HANDLES);
            return AppendStatus.REJECTED_HANDLE;
        }
        return appendHeld(shard, buf, length, slots, counters, written);
    }

    /**
     * Whether the shard (whose flag the caller holds) has a request half at {@code index}: a document there
     * whose promptlog header says {@link RecordDescriptor#KIND_REQUEST}. Header only: the checksum is the
     * reader's business, and the response half refers to the index, not to the bytes. False on any error.
     */
    private boolean holdsRequest(int shard, long index) {
        try {
            ExcerptTailer t = requestReaders[shard];
            if (t == null) {
                t = queues[shard].createTailer();
                t.singleThreadedCheckDisabled(true);
                requestReaders[shard] = t;
            }
            if (!t.moveToIndex(index)) {
                return false;
            }
            try (DocumentContext dc = t.readingDocument()) {
                if (!dc.isPresent() || dc.isMetaData() || dc.index() != index) {
                    return false;
                }
                Bytes<?> b = dc.wire().bytes();
                long at = b.readPosition();
                if (b.readRemaining() < HEADER_LENGTH_CHECKED
                        || b.readShort(at + RecordDescriptor.MAGIC_OFFSET) != RecordDescriptor.MAGIC
                        || b.readUnsignedByte(at + RecordDescriptor.VERSION_OFFSET) < RecordDescriptor.LAYOUT_VERSION) {
                    return false;
                }
                int flagsByte = b.readUnsignedByte(at + RecordDescriptor.FLAGS_OFFSET);
                return (flagsByte & RecordDescriptor.KIND_MASK) >>> RecordDescriptor.KIND_SHIFT == RecordDescriptor.KIND_REQUEST;
            }
        } catch (RuntimeException | InternalError e) {
            lastError = "cannot check a resumed call's request half at index " + index + " of shard " + shard + ": " + e;
            return false;
        }
    }

    /** A request half has the version-2 header at least (version 1 had no kinds). */
    private static final int HEADER_LENGTH_CHECKED = RecordDescriptor.HEADER_LENGTH;

    private int appendHeld(int shard, byte[] buf, int length, TextSlot[] slots, Counters counters, long[] written) {
        try {
            long most = length;
            for (int i = 0; slots != null && i < slots.length; i++) {
                most += slots[i].inlineBytes();
            }
            // disk blocks first, so a full disk fails here and not as a SIGBUS inside the write (see DiskReservation)
            if (!reservations[shard].ensure(appenders[shard], most)) {
                counters.increment(Counters.DROPPED_IO_ERROR);
                lastError = AppendStatus.describe(AppendStatus.DROPPED_IO_ERROR) + ": " + reservations[shard].lastError();
                return AppendStatus.DROPPED_IO_ERROR;
            }
            long index = writers[shard].write(appenders[shard], buf, length, slots);
            if (written != null) {
                written[0] = shard;
                written[1] = index;
                written[2] = writers[shard].lastRecordBytes();
            }
            return AppendStatus.OK;
        } catch (VirtualMachineError e) {
            if (!(e instanceof InternalError)) {
                throw e;
            }
            // a fault touching mapped memory (e.g. SIGBUS when the disk is full) arrives as InternalError
            renewAppender(shard);
            return failed(e, counters, AppendStatus.DROPPED_IO_ERROR);
        } catch (Throwable t) {
            renewAppender(shard);
            return failed(t, counters, isIo(t) ? AppendStatus.DROPPED_IO_ERROR : AppendStatus.DROPPED_ERROR);
        } finally {
            flags.set(shard * PAD, FREE);
        }
    }

    /** Records written with a text reference instead of the text, over all shards (racy read; for stats). */
    public long textReferences() {
        long n = 0;
        for (RecordWriter w : writers) {
            n += w.referencesWritten();
        }
        return n;
    }

    /**
     * Replaces a shard's appender after a failed write: Chronicle may have left it inside a half-written
     * document ("you cant put a header inside a header" on every later append). Called holding the flag.
     */
    private void renewAppender(int shard) {
        ExcerptAppender old = appenders[shard];
        try {
            ExcerptAppender fresh = queues[shard].createAppender();
            fresh.singleThreadedCheckDisabled(true);
            appenders[shard] = fresh;
        } catch (Throwable t) {
            if (t instanceof VirtualMachineError && !(t instanceof InternalError)) {
                throw (VirtualMachineError) t;
            }
            return; // keep the old one; the next append reports its own error
        }
        try {
            old.singleThreadedCheckReset();
            old.close();
        } catch (RuntimeException e) {
            // it was broken already; the fresh appender is in place
        }
    }

    private int failed(Throwable t, Counters counters, int status) {
        counters.increment(status == AppendStatus.DROPPED_IO_ERROR ? Counters.DROPPED_IO_ERROR : Counters.DROPPED_ERROR);
        lastError = AppendStatus.describe(status) + ": " + t;
        return status;
    }

    private static boolean isIo(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof IOException || c instanceof UncheckedIOException || c instanceof IORuntimeException) {
                return true;
            }
            if (c.getCause() == c) {
                break;
            }
        }
        return false;
    }

    /**
     * Takes a free shard's flag, home first (only home when {@code exact}: waiting while it is busy); -1
     * when the shards are closed.
     */
    private int acquire(int homeShard, boolean exact) {
        int start = homeShard % count;
        int candidates = exact ? 1 : count;
        for (int spins = 0; ; spins++) {
            for (int k = 0; k < candidates; k++) {
                int s = start + k;
                if (s >= count) {
                    s -= count;
                }
                int f = flags.get(s * PAD);
                if (f == FREE && flags.compareAndSet(s * PAD, FREE, BUSY)) {
                    return s;
                }
                if (f == CLOSED) {
                    return -1;
                }
            }
            // every shard busy at this instant: more logging threads than shards
            backOff(spins);
        }
    }

    /**
     * One step of waiting for a busy shard: spin, then yield, then park {@value #PARK_NANOS} ns at a time.
     * Parking matters for virtual threads: a virtual thread that yields goes back to its carrier's queue
     * and can be picked again at once, so waiters that only yield can occupy every carrier while the
     * thread holding the shard (unmounted, e.g. blocked on a monitor inside Chronicle) never runs again
     * (seen on Java 25: 100,000 virtual threads on 2 carriers spun for good). A parked thread leaves the
     * carriers to the others.
     */
    private static void backOff(int spins) {
        if (spins < 100) {
            Thread.onSpinWait();
        } else if (spins < 200) {
            Thread.yield();
        } else {
            LockSupport.parkNanos(PARK_NANOS);
        }
    }

    /** Waits for appends in flight, then closes every appender and queue. Idempotent. */
    @Override
    public void close() {
        if (pretoucher != null) {
            pretoucher.stop();
        }
        for (int s = 0; s < count; s++) {
            for (int spins = 0; ; ) {
                int f = flags.get(s * PAD);
                if (f == CLOSED) {
                    break;
                }
                if (f == FREE && flags.compareAndSet(s * PAD, FREE, CLOSED)) {
                    reservations[s].close();
                    if (requestReaders[s] != null) {
                        requestReaders[s].singleThreadedCheckReset();
                        requestReaders[s].close();
                    }
                    closeQuietly(appenders[s], queues[s]);
                    break;
                }
                backOff(spins++);
            }
        }
        claims.close();
    }

    private static void closeQuietly(ExcerptAppender appender, SingleChronicleQueue queue) {
        if (appender != null) {
            appender.singleThreadedCheckReset();
            appender.close();
        }
        if (queue != null) {
            queue.close();
        }
    }
}
