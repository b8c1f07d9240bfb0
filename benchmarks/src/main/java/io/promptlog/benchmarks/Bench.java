package io.promptlog.benchmarks;

import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;

/**
 * Entry point of {@code benchmarks.jar}. With no sub-command, it is JMH's own command line (same
 * options), except that the promptlog JVM flags from the parent pom are appended to every fork.
 * The sub-commands are listed once, in {@link #USAGE} ({@code benchmarks.jar help} prints it).
 */
public final class Bench {
    private Bench() {
    }

    static final String USAGE = """
            usage: java $(java -jar benchmarks.jar flags) -jar benchmarks.jar <command> [options]
              (no command)   JMH, same options as JMH's own command line (-h: JMH's help), e.g.
                             AppendBenchmark -p sink=promptlog,chronicle-floor -p size=4k -f 2 -t 1
              storage        compaction speed and bytes per call against DuckDB (alias: compaction)
              query          point lookup, group-by and `show` over a generated dataset, against DuckDB
              paced          open-loop latency at fixed rates
              probe          where one append's time goes
              commit-parts   where one commit's time goes
              encode-parts   the recorder's fill against copying the strings' own bytes
              verify         every sink writes every call, same content
              report DIR     summary table of a results directory
              workload       describe the benchmark pools
              flags          print the JVM flags the benchmarks need
            benchmarks/run.sh --quick | --full runs them all (benchmarks/README.md)""";

    /**
     * Runs a sub-command. A bad option or value (an {@link IllegalArgumentException} from a sub-command's option
     * parsing, a number that does not parse) is reported in one line on stderr, exit status 2, no stack trace.
     */
    public static void main(String[] args) throws Exception {
        String cmd = args.length > 0 ? args[0] : "";
        String[] rest = args.length > 0 ? Arrays.copyOfRange(args, 1, args.length) : args;
        try {
            run(cmd, rest, args);
        } catch (IllegalArgumentException e) {
            System.err.println("benchmarks.jar " + cmd + ": " + (e instanceof NumberFormatException
                    ? "an option's value is not a number (" + e.getMessage() + ")"
                    : e.getMessage()));
            System.exit(2);
        }
    }

    private static void run(String cmd, String[] rest, String[] args) throws Exception {
        switch (cmd) {
            case "flags" -> System.out.println(String.join(" ", JvmFlags.list()));
            case "workload" -> Workload.main(rest);
            case "paced" -> PacedLatency.main(rest);
            case "verify" -> Verify.main(rest);
            case "storage", "compaction" -> StorageCompaction.main(rest);
            case "report" -> Report.main(rest);
            case "query" -> QueryBench.main(rest);
            case "probe" -> Probe.main(rest);
            case "commit-parts" -> CommitParts.main(rest);
            case "encode-parts" -> EncodeParts.main(rest);
            case "help", "--help" -> System.out.println(USAGE);
            default -> {
                int code = jmh(args);
                if (code != 0) {
                    System.exit(code);
                }
            }
        }
    }

    /**
     * Runs JMH; 0 only when every benchmark ran and produced a result. Fail-on-error is on unless the
     * command line says otherwise, so a benchmark that throws (a bad {@code -p sink=...}, a sink that
     * fails) makes the run, and CI's smoke step, fail.
     */
    static int jmh(String[] args) throws Exception {
        CommandLineOptions cli = new CommandLineOptions(args);
        if (cli.shouldHelp() || cli.shouldList() || cli.shouldListProfilers() || cli.shouldListResultFormats()) {
            org.openjdk.jmh.Main.main(args);
            return 0;
        }
        List<String> jvm = new ArrayList<>(JvmFlags.list());
        if (cli.getJvmArgsAppend().hasValue()) {
            jvm.addAll(cli.getJvmArgsAppend().get());
        }
        OptionsBuilder b = new OptionsBuilder();
        b.parent(cli).jvmArgsAppend(jvm.toArray(new String[0]));
        if (!cli.shouldFailOnError().hasValue()) {
            b.shouldFailOnError(true);
        }
        Options opts = b.build();
        Collection<RunResult> results;
        try {
            results = new Runner(opts).run();
        } catch (RunnerException e) {
            String why = e.getMessage() != null ? e.getMessage()
                    : e.getCause() != null && e.getCause().getMessage() != null ? e.getCause().getMessage()
                    : "no benchmark matches " + String.join(" ", args) + " (JMH's list: -l)";
            System.err.println("benchmark failed: " + why);
            System.err.println(USAGE);
            return 1;
        }
        if (results.isEmpty()) {
            System.err.println("no benchmark ran (check the benchmark name and -p values)");
            return 1;
        }
        return 0;
    }
}
