package io.promptlog.writer.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Reads one Chronicle Queue cycle file ({@code *.cq4}) with plain positional reads, never through a
 * memory mapping: a damaged length can then only give a short read, never the SIGBUS ("a fault occurred
 * in a recent unsafe memory access operation") that reading a mapping past the end of its file raises.
 * Used by {@code ShardCursor} to walk past a damaged stretch that Chronicle's own tailer cannot cross.
 *
 * <p>The file is a chain of documents, each a 4-byte little-endian header then its bytes, every header
 * 4-byte aligned: header bits 0-29 the length, bit 30 {@link #META_DATA} (Chronicle's own documents:
 * the file header, index arrays), bit 31 {@link #NOT_COMPLETE} (being written). A zero header is
 * where nothing has been written yet; {@link #END_OF_FILE} closes a cycle the writer rolled away from.
 */
public final class CycleFile implements AutoCloseable {
    public static final int NOT_COMPLETE = 0x8000_0000;
    public static final int META_DATA = 0x4000_0000;
    public static final int LENGTH_MASK = 0x3FFF_FFFF;
    public static final int END_OF_FILE = NOT_COMPLETE | META_DATA;

    private final Path path;
    private final FileChannel channel;
    /** A window of the file, so a walk over headers reads blocks, not four bytes at a time. */
    private final ByteBuffer window = ByteBuffer.allocate(64 * 1024).order(ByteOrder.LITTLE_ENDIAN);
    private long windowStart = -1;
    private int windowLength;

    public CycleFile(Path path) throws IOException {
        this.path = path;
        this.channel = FileChannel.open(path, StandardOpenOption.READ);
    }

    public Path path() {
        return path;
    }

    public long size() throws IOException {
        return channel.size();
    }

    /**
     * The 4-byte header at {@code pos}; 0 past the end of the file. Served from a cached window until
     * {@link #refresh()}.
     */
    public int header(long pos) throws IOException {
        if (windowStart < 0 || pos < windowStart || pos + 4 > windowStart + windowLength) {
            window.clear();
            int n = 0;
            while (window.hasRemaining()) {
                int r = channel.read(window, pos + window.position());
                if (r <= 0) {
                    break;
                }
                n += r;
            }
            windowStart = pos;
            windowLength = n;
            if (n < 4) {
                windowStart = -1;
                return 0;
            }
        }
        return window.getInt((int) (pos - windowStart));
    }

    /** Forgets the cached window: the next read sees what was written since (call before each walk step). */
    public void refresh() {
        windowStart = -1;
    }

    /** Reads {@code length} bytes at {@code pos} into {@code out}; false when the file is shorter. */
    public boolean read(long pos, byte[] out, int length) throws IOException {
        return readFully(ByteBuffer.wrap(out, 0, length), pos);
    }

    private boolean readFully(ByteBuffer b, long pos) throws IOException {
        while (b.hasRemaining()) {
            int n = channel.read(b, pos + b.position());
            if (n < 0) {
                return false;
            }
        }
        return true;
    }

    /** Sees each document of a chain walk. */
    public interface DocumentVisitor {
        void document(long position, int length, boolean metadata);
    }

    /**
     * Walks the document chain from the start of the file, trusting every header, to the first position
     * with nothing written (or the end-of-file marker); returns that position. For tools and tests on
     * undamaged files: it does not check what it walks.
     */
    public long walk(DocumentVisitor visitor) throws IOException {
        long pos = 0;
        while (true) {
            int h = header(pos);
            if (h == 0 || h == END_OF_FILE || (h & NOT_COMPLETE) != 0) {
                return pos;
            }
            int len = h & LENGTH_MASK;
            visitor.document(pos, len, (h & META_DATA) != 0);
            pos = next(pos, len);
        }
    }

    /** Position of the document after the one whose header at {@code pos} says {@code length}. */
    public static long next(long pos, int length) {
        return (pos + 4 + length + 3) & ~3L;
    }

    /**
     * The writer's own note of its last document, from the file header: {@code {position, sequence}}, or
     * null when the header cannot be read. Chronicle keeps it as the two-long array {@code writePosition}
     * (binary wire: the field name, then an array marker, capacity, used count, values).
     */
    public long[] lastWritten() throws IOException {
        byte[] head = new byte[512];
        int n = (int) Math.min(head.length, size());
        if (n <= 0 || !read(0, head, n)) {
            return null;
        }
        byte[] name = "writePosition".getBytes(StandardCharsets.US_ASCII);
        outer:
        for (int i = 0; i + name.length < n; i++) {
            for (int j = 0; j < name.length; j++) {
                if (head[i + j] != name[j]) {
                    continue outer;
                }
            }
            ByteBuffer b = ByteBuffer.wrap(head, 0, n).order(ByteOrder.LITTLE_ENDIAN);
            for (int k = i + name.length; k + 33 <= n; k++) {
                if ((head[k] & 0xFF) == 0x8D) {
                    long capacity = b.getLong(k + 1);
                    long used = b.getLong(k + 9);
                    if (capacity == 2 && used == 2) {
                        return new long[] {b.getLong(k + 17), b.getLong(k + 25)};
                    }
                    return null;
                }
            }
            return null;
        }
        return null;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
