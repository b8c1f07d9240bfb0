package io.promptlog.compactor.internal;

import com.github.luben.zstd.Zstd;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.compression.CompressionCodecFactory;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A Parquet codec factory backed by zstd-jni, so Parquet files can be written (and read) without Hadoop
 * on the class path: parquet-java's own factory loads Hadoop codec classes even for ZSTD. Only ZSTD and
 * UNCOMPRESSED are supported; anything else fails with a message naming the codec.
 */
public final class ZstdCodecFactory implements CompressionCodecFactory {
    private final int level;

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
        return new BytesInputCompressor() {
            @Override
            public BytesInput compress(BytesInput bytes) throws IOException {
                return BytesInput.from(Zstd.compress(bytes.toByteArray(), level));
            }

            @Override
            public CompressionCodecName getCodecName() {
                return CompressionCodecName.ZSTD;
            }

            @Override
            public void release() {
            }
        };
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

    @Override
    public void release() {
    }

    private static void requireZstd(CompressionCodecName codec) {
        if (codec != CompressionCodecName.ZSTD) {
            throw new IllegalArgumentException("promptlog writes and reads only ZSTD or UNCOMPRESSED Parquet, not " + codec);
        }
    }
}
