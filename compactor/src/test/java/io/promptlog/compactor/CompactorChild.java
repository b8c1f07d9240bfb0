package io.promptlog.compactor;

import java.nio.file.Path;

/**
 * Test-only main run in a child JVM: {@code follow <home>} compacts in small batches until killed;
 * {@code once <home>} compacts everything and prints the result (exit code 0 on success);
 * {@code inflight <home> <calls>} sends that many two-phase calls ({@code call_id} "inflight-i"), completes
 * the odd ones, prints {@code sent}, then waits to be killed with the even ones still in flight.
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
        if (args[0].equals("inflight")) {
            int calls = Integer.parseInt(args[2]);
            io.promptlog.writer.PromptLog log = io.promptlog.writer.PromptLog.open(io.promptlog.writer.PromptLogConfig
                    .builder(home).shardCount(2).backgroundCompaction(false).build());
            for (int i = 0; i < calls; i++) {
                io.promptlog.writer.CallRecorder r = log.begin().callId("inflight-" + i).requestModel("gpt-4o")
                        .systemPrompt("You are a careful assistant.").message("user", "question " + i);
                if (r.send() != io.promptlog.writer.AppendStatus.OK) {
                    System.out.println("send failed " + i);
                    System.exit(2);
                }
                if (i % 2 == 1) {
                    r.response("answer " + i).outputTokens(i).complete();
                }
            }
            System.out.println("sent");
            System.out.flush();
            while (true) {
                java.util.concurrent.locks.LockSupport.park(); // killed with SIGKILL by the test
            }
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
