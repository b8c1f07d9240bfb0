package io.promptlog.benchmarks;

import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Entry point of {@code benchmarks.jar}. With no sub-command, it is JMH's own command line (same
 * options), except that the promptlog JVM flags from the parent pom are appended to every fork.
 * Sub-commands: {@code paced} ({@link PacedLatency}), {@code storage} / {@code compaction} ({@link StorageCompaction}), {@code query} ({@link QueryBench}), {@code report},
 * {@code verify} ({@link Verify}), {@code workload} (describe the pools), {@code flags} (print the JVM flags).
 */
public final class Bench {
    private Bench() {
    }

    public static void main(String[] args) throws Exception {
        String cmd = args.length > 0 ? args[0] : "";
        String[] rest = args.length > 0 ? Arrays.copyOfRange(args, 1, args.length) : args;
        switch (cmd) {
            case "flags" -> System.out.println(String.join(" ", JvmFlags.list()));
            case "workload" -> Workload.main(rest);
            case "paced" -> PacedLatency.main(rest);
            case "verify" -> Verify.main(rest);
            case "storage", "compaction" -> StorageCompaction.main(rest);
            case "report" -> Report.main(rest);
            case "query" -> QueryBench.main(rest);
            case "probe" -> Probe.main(rest);
            default -> jmh(args);
        }
    }

    private static void jmh(String[] args) throws Exception {
        CommandLineOptions cli = new CommandLineOptions(args);
        if (cli.shouldHelp() || cli.shouldList() || cli.shouldListProfilers() || cli.shouldListResultFormats()) {
            org.openjdk.jmh.Main.main(args);
            return;
        }
        List<String> jvm = new ArrayList<>(JvmFlags.list());
        if (cli.getJvmArgsAppend().hasValue()) {
            jvm.addAll(cli.getJvmArgsAppend().get());
        }
        Options opts = new OptionsBuilder().parent(cli).jvmArgsAppend(jvm.toArray(new String[0])).build();
        new Runner(opts).run();
    }
}
