package io.promptlog.cli;

import io.promptlog.synthetic.Generate;
import io.promptlog.synthetic.GenerateOptions;
import io.promptlog.writer.PromptLog;
import io.promptlog.writer.PromptLogConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "generate", mixinStandardHelpOptions = true,
        description = {"Logs synthetic, realistic LLM calls through the writer into D/queue (no compaction).",
                "With --ack-every K, prints `acked <n>` each time the first n calls have all been appended "
                        + "(they survive a kill -9 from then on)."})
final class GenerateCommand implements Callable<Integer> {
    @CommandLine.ParentCommand
    PromptLogCli parent;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--count", required = true, paramLabel = "N", description = "calls to log")
    long count;

    @Option(names = "--rate", paramLabel = "R", defaultValue = "0", description = "calls per second over all threads, open loop; 0 = as fast as possible (default)")
    double rate;

    @Option(names = "--threads", paramLabel = "T", defaultValue = "1", description = "logging threads (default: ${DEFAULT-VALUE})")
    int threads;

    @Option(names = "--dir", paramLabel = "D", description = "promptlog home (default: ./" + DatasetOptions.DEFAULT_HOME + ")")
    Path dir;

    @Option(names = "--ack-every", paramLabel = "K", defaultValue = "0", description = "print `acked <n>` every K calls; 0 = never (default)")
    long ackEvery;

    @Option(names = "--seq-start", paramLabel = "S", defaultValue = "0", description = "first sequence number (attributes.seq) (default: ${DEFAULT-VALUE})")
    long seqStart;

    @Option(names = "--seed", paramLabel = "X", defaultValue = "42", description = "generator seed: same seed, same calls (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--no-progress", description = "no progress bar on stderr")
    boolean noProgress;

    @Option(names = "--chat-turns", paramLabel = "T", defaultValue = "0",
            description = "multi-turn chat: conversations of T calls, each re-sending the conversation so far; 0 = independent calls (default)")
    int chatTurns;

    @Override
    public Integer call() throws Exception {
        GenerateOptions o;
        try {
            o = GenerateOptions.builder().home(dir != null ? dir : Path.of(DatasetOptions.DEFAULT_HOME)).count(count)
                    .ratePerSecond(rate).threads(threads).ackEvery(ackEvery).seqStart(seqStart).seed(seed)
                    .progress(!noProgress).chatTurns(chatTurns).build();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        Generate.Result r;
        // the queue only: compaction is `compact`'s job (no background compaction from this writer)
        try (PromptLog log = PromptLog.open(PromptLogConfig.builder(o.home()).backgroundCompaction(false).build())) {
            if (!log.isAvailable()) {
                throw new PromptLogCli.CliFailure("cannot open the queue in " + o.home() + ": " + log.stats().lastError());
            }
            r = Generate.run(log, o, parent.out, parent.err);
        }
        double secs = r.elapsedNanos() / 1e9;
        parent.err.printf("logged %,d calls to %s in %.1f s (%,.0f calls/s), dropped %,d%n", r.appended(),
                o.home().resolve("queue"), secs, secs > 0 ? r.appended() / secs : 0.0, r.dropped());
        parent.err.flush();
        if (r.dropped() > 0) {
            throw new PromptLogCli.CliFailure(r.dropped() + " calls were dropped: " + r.stats().lastError());
        }
        return 0;
    }
}
