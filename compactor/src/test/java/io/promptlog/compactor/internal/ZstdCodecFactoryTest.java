package io.promptlog.compactor.internal;

import com.github.luben.zstd.Zstd;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.compression.CompressionCodecFactory;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

@Timeout(60)
class ZstdCodecFactoryTest {
    @Test
    void shouldCompressPagesOfAnySizeInTurnAsTheOneShotCallDoes() throws Exception {
        long seed = System.nanoTime();
        Random rnd = new Random(seed);
        ZstdCodecFactory f = new ZstdCodecFactory(3);
        CompressionCodecFactory.BytesInputCompressor c = f.getCompressor(CompressionCodecName.ZSTD);
        // growing, shrinking, empty and incompressible pages through the one context and its scratch arrays
        for (int size : new int[] {100, 1 << 20, 0, 10_000, 3 << 20, 1, 200_000}) {
            byte[] page = new byte[size];
            for (int i = 0; i < size; i++) {
                page[i] = (byte) (i % 7 == 0 ? rnd.nextInt() : 'a' + i % 13);
            }
            byte[] out = c.compress(BytesInput.from(page)).toByteArray();
            assertArrayEquals(Zstd.compress(page, 3), out, "page of " + size + " bytes, seed " + seed);
            assertArrayEquals(page, Zstd.decompress(out, size), "page of " + size + " bytes, seed " + seed);
            byte[] back = f.getDecompressor(CompressionCodecName.ZSTD).decompress(BytesInput.from(out), size).toByteArray();
            assertArrayEquals(page, back, "page of " + size + " bytes, seed " + seed);
        }
        assertEquals(CompressionCodecName.ZSTD, c.getCodecName());
    }

    @Test
    void shouldHandEveryColumnTheOneCompressorAndFreeItOnRelease() throws Exception {
        ZstdCodecFactory f = new ZstdCodecFactory(3);
        CompressionCodecFactory.BytesInputCompressor a = f.getCompressor(CompressionCodecName.ZSTD);
        assertSame(a, f.getCompressor(CompressionCodecName.ZSTD));
        a.release(); // released by a user, then by the factory: freed once
        f.release();
        f.release();
        // a freed context refuses work instead of touching freed native memory
        assertThrows(IllegalStateException.class, () -> a.compress(BytesInput.from(new byte[10])));
        // after a release the factory makes a new one
        CompressionCodecFactory.BytesInputCompressor b = f.getCompressor(CompressionCodecName.ZSTD);
        assertNotSame(a, b);
        assertArrayEquals(Zstd.compress(new byte[10], 3), b.compress(BytesInput.from(new byte[10])).toByteArray());
        f.release();
    }

    @Test
    void shouldNameAnUnsupportedCodec() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ZstdCodecFactory(3).getCompressor(CompressionCodecName.SNAPPY));
        assertEquals("promptlog writes and reads only ZSTD or UNCOMPRESSED Parquet, not SNAPPY", e.getMessage());
    }
}
