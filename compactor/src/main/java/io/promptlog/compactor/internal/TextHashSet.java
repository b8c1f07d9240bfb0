package io.promptlog.compactor.internal;

import io.promptlog.writer.PrivateFiles;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A set of text hashes (lowercase hex SHA-256, as in {@code system_prompt_hash}) kept in a memory-mapped
 * file, not on the Java heap: a compactor remembers every text it has stored so each is stored once, and a
 * service that templates its system prompt (a user's name or the date spliced in) has a new text on every
 * call, tens of millions a month. Held on the heap (a {@code HashSet} of hex Strings) that was about 150 bytes
 * per text, growing without bound inside the app's JVM when compaction runs in the background; here it is
 * 16 bytes a slot in a file whose pages the kernel may write back and drop under memory pressure, and the
 * heap holds a few fields.
 *
 * <p>Layout: slot {@code i} is bytes {@code [16 i, 16 i + 16)}: the first 128 bits of the hash as two longs
 * (big-endian), both zero for an empty slot (the one hash whose first 128 bits are all zero is kept in a
 * field). Open addressing with linear probing from slot {@code lo & (capacity - 1)} (the bits of a SHA-256
 * are uniform, so no further mixing); the table doubles, into a new file, once it is half full; removal
 * shifts the following run back (no tombstones). 128 bits: two distinct texts among 10^12 share them with
 * probability about 10^-15, and a collision could only make a new text look stored (never attach one text to
 * another call, since calls reference texts by their full hash).
 *
 * <p>The file is the compactor's scratch space, not part of the dataset: created empty (mode 0600) when the
 * set is, rebuilt by the compactor at each start from the text files, deleted by {@link #close()}. Mapped
 * in segments of {@value #SEGMENT_SLOTS} slots (1 GiB), so it may outgrow one mapping. Not thread-safe.
 */
final class TextHashSet implements AutoCloseable {
    static final int SLOT_BYTES = 16;
    static final int SEGMENT_SLOTS = 1 << 26;
    static final long MIN_CAPACITY = 1 << 12;

    private final Path file;
    private FileChannel channel;
    private MappedByteBuffer[] segments;
    private long capacity;
    private long size;
    private boolean zeroHash;
    private int generation;

    private TextHashSet(Path file) {
        this.file = file;
    }

    /** An empty set backed by {@code file}; the file and its grown generations left by an earlier run are deleted. */
    static TextHashSet create(Path file) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        String name = file.getFileName().toString();
        try (java.nio.file.DirectoryStream<Path> old = Files.newDirectoryStream(dir, p -> {
            String n = p.getFileName().toString();
            return n.equals(name) || (n.startsWith(name + ".") && n.substring(name.length() + 1).chars().allMatch(Character::isDigit));
        })) {
            for (Path p : old) {
                Files.deleteIfExists(p);
            }
        }
        TextHashSet s = new TextHashSet(file);
        s.map(MIN_CAPACITY);
        return s;
    }

    long size() {
        return size;
    }

    /** Slots in the table now (a power of two; the file is {@code capacity * 16} bytes). */
    long capacity() {
        return capacity;
    }

    /**
     * Whether {@code hash} is in the set.
     *
     * @throws IllegalArgumentException when {@code hash} does not start with 32 hex digits
     */
    boolean contains(CharSequence hash) {
        long hi = half(hash, 0);
        long lo = half(hash, 16);
        if (hi == 0 && lo == 0) {
            return zeroHash;
        }
        return find(hi, lo) >= 0;
    }

    /** Adds {@code hash}; returns false when it was there already. */
    boolean add(CharSequence hash) throws IOException {
        long hi = half(hash, 0);
        long lo = half(hash, 16);
        if (hi == 0 && lo == 0) {
            boolean added = !zeroHash;
            zeroHash = true;
            size += added ? 1 : 0;
            return added;
        }
        long mask = capacity - 1;
        long i = lo & mask;
        for (long h = hiAt(i), l = loAt(i); h != 0 || l != 0; i = (i + 1) & mask, h = hiAt(i), l = loAt(i)) {
            if (h == hi && l == lo) {
                return false;
            }
        }
        // i: the empty slot that ends its run, where it goes unless the table grows first
        if ((size + 1) * 2 > capacity) {
            grow();
            put(hi, lo);
        } else {
            set(i, hi, lo);
        }
        size++;
        return true;
    }

    /** Removes {@code hash}; returns false when it was not there. */
    boolean remove(CharSequence hash) {
        long hi = half(hash, 0);
        long lo = half(hash, 16);
        if (hi == 0 && lo == 0) {
            boolean had = zeroHash;
            zeroHash = false;
            size -= had ? 1 : 0;
            return had;
        }
        long i = find(hi, lo);
        if (i < 0) {
            return false;
        }
        // backward-shift deletion: move each later entry of the run into the hole if its home allows
        long mask = capacity - 1;
        long hole = i;
        long j = i;
        while (true) {
            j = (j + 1) & mask;
            long h = hiAt(j);
            long l = loAt(j);
            if (h == 0 && l == 0) {
                break;
            }
            long home = l & mask;
            boolean stays = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j);
            if (!stays) {
                set(hole, h, l);
                hole = j;
            }
        }
        set(hole, 0, 0);
        size--;
        return true;
    }

    /** Unmaps and deletes the file. */
    @Override
    public void close() throws IOException {
        MappedByteBuffer[] old = segments;
        segments = new MappedByteBuffer[0];
        capacity = 0;
        size = 0;
        unmap(old);
        if (channel != null) {
            channel.close();
            channel = null;
        }
        Files.deleteIfExists(current());
    }

    private long find(long hi, long lo) {
        long mask = capacity - 1;
        for (long i = lo & mask; ; i = (i + 1) & mask) {
            long h = hiAt(i);
            long l = loAt(i);
            if (h == hi && l == lo) {
                return i;
            }
            if (h == 0 && l == 0) {
                return -1;
            }
        }
    }

    private void put(long hi, long lo) {
        long mask = capacity - 1;
        long i = lo & mask;
        while (hiAt(i) != 0 || loAt(i) != 0) {
            i = (i + 1) & mask;
        }
        set(i, hi, lo);
    }

    private void grow() throws IOException {
        MappedByteBuffer[] old = segments;
        long oldCapacity = capacity;
        FileChannel oldChannel = channel;
        Path oldFile = current();
        generation++;
        map(oldCapacity * 2);
        for (long i = 0; i < oldCapacity; i++) {
            ByteBuffer seg = old[(int) (i / SEGMENT_SLOTS)];
            int at = (int) (i % SEGMENT_SLOTS) * SLOT_BYTES;
            long h = seg.getLong(at);
            long l = seg.getLong(at + 8);
            if (h != 0 || l != 0) {
                put(h, l);
            }
        }
        unmap(old);
        oldChannel.close();
        Files.deleteIfExists(oldFile);
    }

    /** Maps a new, zeroed file of {@code slots} slots as the table. */
    private void map(long slots) throws IOException {
        Path f = current();
        Files.deleteIfExists(f);
        PrivateFiles.createFile(f);
        FileChannel ch = FileChannel.open(f, StandardOpenOption.READ, StandardOpenOption.WRITE);
        try {
            long bytes = slots * SLOT_BYTES;
            // zeros written, not a sparse file: a full disk fails here, as an IOException, rather than as a
            // fault on a later write into an unallocated mapped page
            ByteBuffer zeros = ByteBuffer.allocate((int) Math.min(bytes, 1 << 16));
            for (long at = 0; at < bytes; ) {
                zeros.clear().limit((int) Math.min(zeros.capacity(), bytes - at));
                at += ch.write(zeros, at);
            }
            int n = (int) ((slots + SEGMENT_SLOTS - 1) / SEGMENT_SLOTS);
            MappedByteBuffer[] segs = new MappedByteBuffer[n];
            for (int s = 0; s < n; s++) {
                long from = (long) s * SEGMENT_SLOTS * SLOT_BYTES;
                segs[s] = ch.map(FileChannel.MapMode.READ_WRITE, from, Math.min((long) SEGMENT_SLOTS * SLOT_BYTES, bytes - from));
            }
            channel = ch;
            segments = segs;
            capacity = slots;
        } catch (IOException | RuntimeException e) {
            ch.close();
            Files.deleteIfExists(f);
            throw e;
        }
    }

    /** The file of the current table: {@code file}, then {@code file.1}, {@code file.2}, ... as it grows. */
    private Path current() {
        return generation == 0 ? file : file.resolveSibling(file.getFileName() + "." + generation);
    }

    private long hiAt(long i) {
        return segments[(int) (i / SEGMENT_SLOTS)].getLong((int) (i % SEGMENT_SLOTS) * SLOT_BYTES);
    }

    private long loAt(long i) {
        return segments[(int) (i / SEGMENT_SLOTS)].getLong((int) (i % SEGMENT_SLOTS) * SLOT_BYTES + 8);
    }

    private void set(long i, long hi, long lo) {
        MappedByteBuffer seg = segments[(int) (i / SEGMENT_SLOTS)];
        int at = (int) (i % SEGMENT_SLOTS) * SLOT_BYTES;
        seg.putLong(at, hi);
        seg.putLong(at + 8, lo);
    }

    /** 64 bits from 16 hex digits of {@code hash} at {@code from}. */
    private static long half(CharSequence hash, int from) {
        if (hash.length() < 32) {
            throw new IllegalArgumentException("not a text hash (fewer than 32 hex digits): '" + hash + "'");
        }
        long v = 0;
        for (int i = from; i < from + 16; i++) {
            int d = Character.digit(hash.charAt(i), 16);
            if (d < 0) {
                throw new IllegalArgumentException("not a text hash (not hex at " + i + "): '" + hash + "'");
            }
            v = (v << 4) | d;
        }
        return v;
    }

    /**
     * Releases mappings now rather than at some later GC (the file of a grown-out table is deleted, and its
     * disk space is freed only once unmapped). Uses {@code sun.misc.Unsafe.invokeCleaner} (module
     * jdk.unsupported, no flag needed); when that is unavailable, the GC releases them.
     */
    private static void unmap(MappedByteBuffer[] buffers) {
        Method clean = CLEANER;
        if (clean == null) {
            return;
        }
        for (MappedByteBuffer b : buffers) {
            try {
                clean.invoke(UNSAFE, b);
            } catch (ReflectiveOperationException | RuntimeException e) {
                return;
            }
        }
    }

    private static final Object UNSAFE;
    private static final Method CLEANER;

    static {
        Object unsafe = null;
        Method clean = null;
        try {
            Class<?> c = Class.forName("sun.misc.Unsafe");
            Field f = c.getDeclaredField("theUnsafe");
            f.setAccessible(true);
            unsafe = f.get(null);
            clean = c.getMethod("invokeCleaner", ByteBuffer.class);
        } catch (ReflectiveOperationException | RuntimeException e) {
            unsafe = null;
            clean = null;
        }
        UNSAFE = unsafe;
        CLEANER = clean;
    }
}
