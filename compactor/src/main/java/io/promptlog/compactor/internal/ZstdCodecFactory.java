package io.promptlog.compactor.internal;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.compression.CompressionCodecFactory;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * A Parquet codec factory backed by zstd-jni, so Parquet files can be written (and read) without Hadoop
 * on the class path: parquet-java's own factory loads Hadoop codec classes even for ZSTD. Only ZSTD and
 * UNCOMPRESSED are supported; anything else fails with a message naming the codec.
 */
public final class ZstdCodecFactory implements CompressionCodecFactory {
    private final int level;
    /**
     * The one compressor of this factory's writer, handed to every column as parquet-java's own
     * {@code CodecFactory} does (it caches one per codec): a context per column held ~60 native zstd
     * contexts, at the merge's level 16 tens of MB each, and merged slower than a context per page.
     */
    private ZstdCompressor compressor;

    public ZstdCodecFactory(int level) {
        this.level = level;
    }

    @Override
    public BytesInputCompressor getCompressor(CompressionCodecName codec) {
        return getCompressor(codec, level);
    }

    @Override
    public BytesInputCompressor getCompressor(CompressionCodecName codec, int ignoredLevel) {
        if (codec == CompressionCodecName.UNCOMPRESSED) {
            return new BytesInputCompressor() {
                @Override
                public BytesInput compress(BytesInput bytes) {
                    return bytes;
                }

                @Override
                public CompressionCodecName getCodecName() {
                    return CompressionCodecName.UNCOMPRESSED;
                }

                @Override
                public void release() {
                }
            };
        }
        requireZstd(codec);
        synchronized (this) {
            if (compressor == null) {
                compressor = new ZstdCompressor(level);
            }
            return compressor;
        }
    }

    /**
     * Compresses pages with one zstd context and two scratch arrays that grow to the largest page and are
     * kept: {@code Zstd.compress(bytes.toByteArray(), level)} allocated a copy of each page, a
     * compress-bound output and a native context per page (pages are about 1 MiB: G1 humongous objects in
     * a small heap). Only the compressed bytes, which Parquet keeps until the row group is flushed, are a
     * new array. One writer's pages, of all its columns, are compressed by one thread at a time.
     */
    private static final class ZstdCompressor implements BytesInputCompressor {
        private final ZstdCompressCtx ctx;
        private final Scratch src = new Scratch();
        private byte[] dst = new byte[0];
        private boolean released;

        ZstdCompressor(int level) {
            ctx = new ZstdCompressCtx().setLevel(level);
        }

        @Override
        public BytesInput compress(BytesInput bytes) throws IOException {
            src.reset();
            bytes.writeAllTo(src);
            int n = src.size();
            int bound = Math.toIntExact(Zstd.compressBound(n));
            if (dst.length < bound) {
                dst = new byte[bound];
            }
            int compressed = ctx.compressByteArray(dst, 0, bound, src.array(), 0, n);
            return BytesInput.from(Arrays.copyOf(dst, compressed));
        }

        @Override
        public CompressionCodecName getCodecName() {
            return CompressionCodecName.ZSTD;
        }

        @Override
        public synchronized void release() {
            if (!released) {
                released = true;
                ctx.close();
            }
        }
    }

    /** A byte array output stream whose array can be read in place. */
    private static final class Scratch extends ByteArrayOutputStream {
        Scratch() {
            super(64 * 1024);
        }

        byte[] array() {
            return buf;
        }
    }

    @Override
    public BytesInputDecompressor getDecompressor(CompressionCodecName codec) {
        boolean plain = codec == CompressionCodecName.UNCOMPRESSED;
        if (!plain) {
            requireZstd(codec);
        }
        return new BytesInputDecompressor() {
            @Override
            public BytesInput decompress(BytesInput bytes, int uncompressedSize) throws IOException {
                if (plain) {
                    return bytes;
                }
                return BytesInput.from(Zstd.decompress(bytes.toByteArray(), uncompressedSize));
            }

            @Override
            public void decompress(ByteBuffer input, int compressedSize, ByteBuffer output, int uncompressedSize)
                    throws IOException {
                byte[] in = new byte[compressedSize];
                input.get(in);
                byte[] out = plain ? in : Zstd.decompress(in, uncompressedSize);
                output.put(out, 0, uncompressedSize);
            }

            @Override
            public void release() {
            }
        };
    }

    /** Frees the native context of the compressor handed out ({@code ParquetWriter.close} calls it). */
    @Override
    public synchronized void release() {
        if (compressor != null) {
            compressor.release();
            compressor = null;
        }
    }

    private static void requireZstd(CompressionCodecName codec) {
        if (codec != CompressionCodecName.ZSTD) {
            throw new IllegalArgumentException("promptlog writes and reads only ZSTD or UNCOMPRESSED Parquet, not " + codec);
        }
    }
}
