import io.promptlog.compactor.*;
import java.nio.file.*;
public class Batch {
    public static void main(String[] a) throws Exception {
        Path home = Path.of(a[0]);
        long mb = Long.parseLong(a[1]);
        CompactorConfig.Builder b = CompactorConfig.builder(home).retention(RetentionPolicy.all());
        if (mb > 0) b.maxBatchBytes(mb << 20);
        long t0 = System.nanoTime();
        try (Compactor c = Compactor.open(b.build())) {
            CompactionResult r = c.runOnce();
            System.out.printf("batch %d MiB: %d calls %d files %d bytes %.1f s%n", c.config().maxBatchBytes() >> 20, r.callsWritten(), r.filesWritten(), r.bytesWritten(), (System.nanoTime() - t0) / 1e9);
        }
    }
}
