package io.promptlog.cli;

import io.promptlog.compactor.CompactionResult;
import io.promptlog.compactor.Compactor;
import io.promptlog.compactor.CompactorConfig;
import io.promptlog.compactor.CompactorStats;
import io.promptlog.compactor.MergeResult;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "compact", mixinStandardHelpOptions = true,
        description = {"Compacts the queue D/queue into the zstd Parquet dataset (D/data, or --data OUT), exactly once.",
                "--retain decides whose text is kept (default: errors, flagged, prompt-injection rule and a 10%% sample; "
                        + "all; none = metadata only); --redact default masks secrets and personal data, none keeps text as logged.",
                "--merge then merges the small calls files of every closed day (a UTC day that ended --merge-grace-minutes ago) "
                        + "into a few large ones, exactly once and safe to interrupt; --follow does it in the background, one day per pass."})
final class CompactCommand implements Callable<Integer> {
    @Option(names = "--dir", paramLabel = "D", description = "promptlog home (default: ./" + DatasetOptions.DEFAULT_HOME + ")")
    Path dir;

    @Option(names = "--data", paramLabel = "OUT", description = "dataset directory to write (default: D/data)")
    Path data;

    @Option(names = "--retain", defaultValue = "default", paramLabel = "POLICY", description = "default, all or none (default: ${DEFAULT-VALUE})")
    String retain;

    @Option(names = "--redact", defaultValue = "default", paramLabel = "REDACTOR", description = "default or none (default: ${DEFAULT-VALUE})")
    String redact;

    @Option(names = "--text-days", paramLabel = "N", description = "text retention: erase the text (not the metadata) "
            + "of calls older than N days, every pass (default: keep text until erased)")
    Integer textDays;

    @Option(names = "--follow", description = "keep compacting as calls arrive, until interrupted")
    boolean follow;

    @Option(names = "--interval-millis", paramLabel = "MS", description = "with --follow: how often to look at the queue (default: "
            + CompactorConfig.DEFAULT_INTERVAL_MILLIS + ")")
    Long intervalMillis;

    @Option(names = "--merge", description = "after compacting, merge each closed day's small calls files into a few large ones now")
    boolean merge;

    @Option(names = "--no-merge", description = "with --follow: do not merge closed days in the background")
    boolean noMerge;

    @Option(names = "--merge-grace-minutes", paramLabel = "N", description = "a UTC day is closed for merging N minutes after it ended (default: "
            + "60)")
    Long mergeGraceMinutes;

    @CommandLine.ParentCommand
    PromptLogCli parent;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Path home = dir != null ? dir : Path.of(DatasetOptions.DEFAULT_HOME);
        CompactorConfig.Builder b;
        try {
            b = CompactorConfig.fromOptions(home, data, retain, redact);
            if (intervalMillis != null) {
                b.intervalMillis(intervalMillis);
            }
            if (textDays != null) {
                if (textDays < 1) {
                    throw new IllegalArgumentException("--text-days must be >= 1, was " + textDays);
                }
                b.textRetention(java.time.Duration.ofDays(textDays));
            }
            if (follow) {
                b.minBatchRows(1).maxBatchDelayMillis(0);
            }
            if (merge && follow) {
                throw new IllegalArgumentException("--merge merges once and exits; --follow merges closed days in the background already");
            }
            if (noMerge && !follow) {
                throw new IllegalArgumentException("--no-merge applies to --follow only (without --follow nothing is merged unless --merge)");
            }
            b.mergeClosedDays(!noMerge);
            if (mergeGraceMinutes != null) {
                if (mergeGraceMinutes < 0) {
                    throw new IllegalArgumentException("--merge-grace-minutes must be >= 0, was " + mergeGraceMinutes);
                }
                try {
                    b.mergeGrace(java.time.Duration.ofMinutes(mergeGraceMinutes));
                } catch (ArithmeticException e) {
                    throw new IllegalArgumentException("--merge-grace-minutes is too large, was " + mergeGraceMinutes);
                }
            }
            b.build();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        if (!Files.isDirectory(home.resolve("queue"))) {
            throw new PromptLogCli.CliFailure("no queue at " + home.resolve("queue").toAbsolutePath()
                    + " (nothing logged there yet; use --dir D)");
        }
        CompactorStats stats = run(b.build(), follow, 0, parent.err);
        if (stats.errors() > 0) {
            throw new PromptLogCli.CliFailure(stats.errors() + " compaction error(s); last: " + stats.lastError());
        }
        if (merge) {
            try (Compactor c = Compactor.open(b.build())) {
                MergeResult r = c.mergeClosedDays(line -> {
                    parent.err.println(line);
                    parent.err.flush();
                });
                parent.err.println(r.describe());
            }
        }
        return 0;
    }

    /**
     * Compacts with a progress line on {@code err} (a bar when {@code expectedCalls > 0}); returns the
     * compactor's final stats.
     */
    static CompactorStats run(CompactorConfig config, boolean follow, long expectedCalls, java.io.PrintStream err)
            throws Exception {
        CountDownLatch finished = new CountDownLatch(1);
        try {
            return run(config, follow, expectedCalls, err, finished);
        } finally {
            finished.countDown();
        }
    }

    /** The progress line's note: calls are read, then written a batch at a time. */
    private static String written(CompactorStats s) {
        return String.format(java.util.Locale.ROOT, "written %,d", s.callsWritten());
    }

    /** How long a SIGTERM/SIGINT waits for the final pass before the JVM exits anyway. */
    private static final long FINAL_PASS_WAIT_SECONDS = 600;

    private static CompactorStats run(CompactorConfig config, boolean follow, long expectedCalls, java.io.PrintStream err,
                                      CountDownLatch finished) throws Exception {
        long t0 = System.nanoTime();
        CompactorStats stats;
        try (Compactor c = Compactor.open(config)) {
            ProgressBar bar = new ProgressBar(err, "compact", expectedCalls).unit("calls");
            Thread watcher = new Thread(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    // calls are read, then written a batch at a time: while a batch is written the read count
                    // stands still, and the written count says why
                    CompactorStats s = c.stats();
                    bar.update(s.recordsRead(), written(s));
                    try {
                        Thread.sleep(100);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "promptlog-compact-progress");
            watcher.setDaemon(true);
            watcher.start();
            Thread onCtrlC = null;
            boolean interrupted;
            if (follow) {
                // SIGINT/SIGTERM: stop following; this thread (whose queue cursors they are) then runs the
                // final pass in close() and reports, while the hook holds the JVM open until it is done
                onCtrlC = new Thread(() -> {
                    c.stopFollowing();
                    try {
                        finished.await(FINAL_PASS_WAIT_SECONDS, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }, "promptlog-compact-shutdown");
                Runtime.getRuntime().addShutdownHook(onCtrlC);
            }
            try {
                if (follow) {
                    try {
                        c.follow();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt(); // asked to stop: close() below compacts the rest
                    }
                } else {
                    CompactionResult r = c.runOnce();
                    if (r == null) {
                        throw new IllegalStateException("compactor returned no result");
                    }
                }
            } finally {
                interrupted = Thread.interrupted(); // asked to stop: still wait for the watcher and the last pass
                watcher.interrupt();
                watcher.join(1000);
                if (onCtrlC != null) {
                    try {
                        Runtime.getRuntime().removeShutdownHook(onCtrlC);
                    } catch (IllegalStateException shuttingDown) {
                        // the hook is running: it waits for the final pass below
                    }
                }
            }
            c.close();
            stats = c.stats();
            bar.finish(stats.recordsRead(), written(stats));
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        err.printf("compacted %,d calls into %,d files (%,d bytes) in %s in %.1f s%s%s%n", stats.callsWritten(),
                stats.filesWritten(), stats.bytesWritten(), config.dataDir(), secs,
                stats.corruptRecords() > 0 ? "; skipped " + stats.corruptRecords() + " damaged queue stretch(es)" : "",
                stats.duplicatesDropped() > 0 ? "; left out " + stats.duplicatesDropped() + " copies of calls already stored" : "");
        for (String s : stats.skippedStretches()) {
            err.println("warning: skipped a damaged queue stretch: " + s);
        }
        err.flush();
        return stats;
    }
}
