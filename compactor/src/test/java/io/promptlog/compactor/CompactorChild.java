package io.promptlog.compactor;

import java.nio.file.Path;

/**
 * Test-only main run in a child JVM: {@code follow <home>} compacts in small batches until killed;
 * {@code once <home> [all]} compacts everything (keeping every text with {@code all}) and prints the result
 * (exit code 0 on success);
 * {@code erase <home> <user> [step]} erases a user's calls, stopping (until killed) at a step;
 * {@code merge <home> <step|-> <fileBytes>} merges closed days, stopping (until killed) at a step;
 * {@code inflight <home> <calls>} sends that many two-phase calls ({@code call_id} "inflight-i"), completes
 * the odd ones, prints {@code sent}, then waits to be killed with the even ones still in flight.
 * {@code app <home> <seqStart>} is the default deployment, an app logging numbered calls from two threads
 * with the background compactor running in the same JVM, printing {@code acked <n>} once seqs
 * {@code [seqStart, n)} have all been appended, until killed. {@code writer <home> <seqStart>} is the same app
 * without background compaction (a separate compactor process compacts its queue).
 */
public final class CompactorChild {
    private CompactorChild() {
    }

    public static void main(String[] args) throws Exception {
        Path home = Path.of(args[1]);
        if (args[0].equals("erase")) {
            // erase <home> <user> [stop prefix]: prints each step as it happens (the parent kills it mid-way); at
            // the first step starting with the prefix it prints "stopped" and waits to be killed with SIGKILL
            String stopAt = args.length > 3 ? args[3] : null;
            try (Compactor c = Compactor.open(CompactorConfig.builder(home).retention(RetentionPolicy.all()).maxFileRows(15)
                    .hostName("erase-host").build())) {
                ErasureResult r = c.erase(ErasureRequest.builder().user(args[2]).build(), line -> {
                    System.out.println(line);
                    if (stopAt != null && line.startsWith(stopAt)) {
                        System.out.println("stopped");
                        System.out.flush();
                        while (true) {
                            java.util.concurrent.locks.LockSupport.park();
                        }
                    }
                    System.out.flush();
                });
                System.out.println("done " + r.describe());
            }
            return;
        }
        if (args[0].equals("merge")) {
            // merge <home> <step prefix or ->: merges every closed day, printing each step; at the first step
            // starting with the prefix it prints "stopped" and waits to be killed with SIGKILL
            String stopAt = args[2];
            try (Compactor c = Compactor.open(MergeFixture.config(home).mergeFileBytes(Long.parseLong(args[3])).build())) {
                System.out.println("ready");
                System.out.flush();
                MergeResult r = c.mergeClosedDays(line -> {
                    System.out.println(line);
                    if (!stopAt.equals("-") && line.startsWith(stopAt)) {
                        System.out.println("stopped");
                        System.out.flush();
                        while (true) {
                            java.util.concurrent.locks.LockSupport.park();
                        }
                    }
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
        if (args[0].equals("app") || args[0].equals("writer")) {
            app(home, Long.parseLong(args[2]), args[0].equals("app"));
            return;
        }
        if (args[0].equals("follow")) {
            CompactorConfig cfg = CompactorConfig.builder(home).maxFileRows(150).minBatchRows(1)
                    .intervalMillis(20).hostName("crash-host").build();
            try (Compactor c = Compactor.open(cfg)) {
                c.follow();
            }
        } else {
            CompactorConfig.Builder cfg = CompactorConfig.builder(home);
            if (args.length > 2 && args[2].equals("all")) {
                cfg.retention(RetentionPolicy.all());
            }
            try (Compactor c = Compactor.open(cfg.build())) {
                CompactionResult r = c.runOnce();
                System.out.println("compacted " + r.callsWritten());
                if (c.stats().errors() > 0) {
                    System.out.println("errors: " + c.stats().lastError());
                    System.exit(2);
                }
            }
        }
    }

    /** Calls numbered by seq, the same for a given seq in every process. */
    static io.promptlog.writer.LlmCall call(long seq) {
        return new io.promptlog.synthetic.SyntheticCalls(9, 6, 100, 400).call(seq);
    }

    private static void app(Path home, long seqStart, boolean backgroundCompaction) throws Exception {
        io.promptlog.writer.PromptLog log = io.promptlog.writer.PromptLog.open(io.promptlog.writer.PromptLogConfig
                .builder(home).shardCount(2).compactionIntervalMillis(20).backgroundCompaction(backgroundCompaction).build());
        java.util.concurrent.atomic.AtomicLong next = new java.util.concurrent.atomic.AtomicLong(seqStart);
        java.util.concurrent.ConcurrentSkipListSet<Long> done = new java.util.concurrent.ConcurrentSkipListSet<>();
        for (int t = 0; t < 2; t++) {
            Thread w = new Thread(() -> {
                while (true) {
                    long seq = next.getAndIncrement();
                    int s = log.append(call(seq));
                    if (!io.promptlog.writer.AppendStatus.isAppended(s)) {
                        System.out.println("append failed: " + io.promptlog.writer.AppendStatus.describe(s));
                        return;
                    }
                    done.add(seq);
                }
            });
            w.setDaemon(true);
            w.start();
        }
        long acked = seqStart;
        while (true) {
            while (done.remove(acked)) {
                acked++;
            }
            System.out.println("acked " + acked);
            System.out.flush();
            Thread.sleep(5); // pacing the acknowledgements, not synchronisation
        }
    }
}
