package io.promptlog.compactor;

import java.nio.file.Path;

/**
 * Test-only main run in a child JVM: {@code follow <home>} compacts in small batches until killed;
 * {@code once <home>} compacts everything and prints the result (exit code 0 on success).
 */
public final class CompactorChild {
    private CompactorChild() {
    }

    public static void main(String[] args) throws Exception {
        Path home = Path.of(args[1]);
        if (args[0].equals("erase")) {
            // erase <home> <user>: prints each step as it happens (the parent kills it mid-way)
            try (Compactor c = Compactor.open(CompactorConfig.builder(home).retention(RetentionPolicy.all()).maxFileRows(15)
                    .hostName("erase-host").build())) {
                ErasureResult r = c.erase(ErasureRequest.builder().user(args[2]).build(), line -> {
                    System.out.println(line);
                    System.out.flush();
                });
                System.out.println("done " + r.describe());
            }
            return;
        }
        if (args[0].equals("follow")) {
            CompactorConfig cfg = CompactorConfig.builder(home).maxFileRows(150).minBatchRows(1)
                    .intervalMillis(20).hostName("crash-host").build();
            try (Compactor c = Compactor.open(cfg)) {
                c.follow();
            }
        } else {
            try (Compactor c = Compactor.open(CompactorConfig.builder(home).build())) {
                CompactionResult r = c.runOnce();
                System.out.println("compacted " + r.callsWritten());
                if (c.stats().errors() > 0) {
                    System.out.println("errors: " + c.stats().lastError());
                    System.exit(2);
                }
            }
        }
    }
}
