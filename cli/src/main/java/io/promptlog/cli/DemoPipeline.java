package io.promptlog.cli;

import io.promptlog.compactor.Compactor;
import io.promptlog.compactor.CompactorConfig;
import io.promptlog.compactor.CompactorStats;
import io.promptlog.synthetic.Generate;
import io.promptlog.synthetic.GenerateOptions;
import io.promptlog.writer.PromptLog;
import io.promptlog.writer.PromptLogConfig;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;

/**
 * The demo's production-like pipeline: the generator logs through the writer while a background
 * compactor (default retention and redaction) compacts behind it; when logging ends, the compactor's
 * close compacts the rest. One progress line shows both.
 */
final class DemoPipeline {
    record Outcome(Generate.Result generated, CompactorStats compacted, long compactDoneNanos) {
    }

    private DemoPipeline() {
    }

    static Outcome run(Path home, GenerateOptions go, long count, PrintStream err) throws Exception {
        long t0 = System.nanoTime();
        CompactorConfig cc = CompactorConfig.builder(home).intervalMillis(200).minBatchRows(20_000)
                .maxBatchDelayMillis(2_000).build();
        Generate.Result[] result = new Generate.Result[1];
        Throwable[] failure = new Throwable[1];
        CompactorStats stats;
        try (PromptLog log = PromptLog.open(PromptLogConfig.builder(home).backgroundCompaction(false).build());
             Compactor compactor = Compactor.open(cc)) {
            if (!log.isAvailable()) {
                throw new IllegalStateException(log.stats().lastError());
            }
            compactor.startBackground();
            PrintStream quiet = new PrintStream(new ByteArrayOutputStream());
            Thread gen = new Thread(() -> {
                try {
                    result[0] = Generate.run(log, go, quiet, quiet);
                } catch (Throwable t) {
                    failure[0] = t;
                }
            }, "promptlog-demo-generate");
            gen.start();
            ProgressBar logged = new ProgressBar(err, "log", count).unit("calls");
            while (gen.isAlive()) {
                logged.update(log.stats().appended(), "compacted " + String.format("%,d", compactor.stats().callsWritten()));
                gen.join(100);
            }
            if (failure[0] != null) {
                throw new IllegalStateException("generating calls failed: " + failure[0], failure[0]);
            }
            logged.finish(log.stats().appended(), "compacted " + String.format("%,d", compactor.stats().callsWritten()));
            // the compactor's close compacts what is left; show its progress meanwhile
            ProgressBar rest = new ProgressBar(err, "compact", count).unit("calls");
            Thread closer = new Thread(compactor::close, "promptlog-demo-compact-rest");
            closer.start();
            while (closer.isAlive()) {
                rest.update(compactor.stats().callsWritten(), null);
                closer.join(100);
            }
            stats = compactor.stats();
            rest.finish(stats.callsWritten(), null);
        }
        if (stats.errors() > 0) {
            throw new IllegalStateException("compaction reported " + stats.errors() + " error(s); last: " + stats.lastError());
        }
        return new Outcome(result[0], stats, System.nanoTime() - t0);
    }
}
