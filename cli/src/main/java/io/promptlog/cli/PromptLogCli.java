package io.promptlog.cli;

import io.promptlog.reader.PromptLogReaderException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

/**
 * The {@code promptlog} command line. Exit codes: 0 ok, 1 failure (message on stderr), 2 bad usage.
 */
@Command(name = "promptlog", mixinStandardHelpOptions = true, version = "promptlog 0.1.0-SNAPSHOT",
        description = "Records every LLM call a service makes; compacts them to Parquet; finds, replays and compares them.",
        subcommands = {DemoCommand.class, GenerateCommand.class, CompactCommand.class, QueryCommand.class,
                ShowCommand.class, ReplayCommand.class, ExportCommand.class, ImportCommand.class, StatsCommand.class,
                TailCommand.class, EraseCommand.class, CommandLine.HelpCommand.class})
public final class PromptLogCli implements Runnable {
    public static final int EXIT_OK = 0;
    public static final int EXIT_FAILURE = 1;
    public static final int EXIT_USAGE = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** The raw streams behind the command line's writers (for code that wants a PrintStream). */
    PrintStream out = System.out;
    PrintStream err = System.err;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command");
    }

    private static final String SLF4J_VERBOSITY = "slf4j.internal.verbosity";

    public static void main(String[] args) {
        // SLF4J 2 prints three lines of warning on stderr when no logging backend is bound, and the CLI binds
        // none (it logs nothing): the launcher passes -Dslf4j.internal.verbosity=ERROR, `java -jar` alone too now
        if (System.getProperty(SLF4J_VERBOSITY) == null) {
            System.setProperty(SLF4J_VERBOSITY, "ERROR");
        }
        int code = run(args, System.out, System.err);
        System.exit(code);
    }

    /** Runs one command line with these streams; returns the exit code. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        CommandLine cl = commandLine(out, err);
        return cl.execute(args);
    }

    static CommandLine commandLine(PrintStream out, PrintStream err) {
        PromptLogCli top = new PromptLogCli();
        top.out = out;
        top.err = err;
        CommandLine cl = new CommandLine(top);
        cl.setOut(new PrintWriter(new java.io.OutputStreamWriter(out, StandardCharsets.UTF_8), true));
        cl.setErr(new PrintWriter(new java.io.OutputStreamWriter(err, StandardCharsets.UTF_8), true));
        // picocli lets `promptlog bogus --help` print help and exit 0; an argument nobody understood is a usage
        // error whatever else is on the line
        cl.setExecutionStrategy(parseResult -> {
            CommandLine.ParseResult last = parseResult;
            while (last.hasSubcommand()) {
                last = last.subcommand();
            }
            if (!last.unmatched().isEmpty()) {
                throw new CommandLine.UnmatchedArgumentException(last.commandSpec().commandLine(), last.unmatched());
            }
            return new CommandLine.RunLast().execute(parseResult);
        });
        cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            PrintWriter w = commandLine.getErr();
            if (e instanceof CommandLine.ParameterException pe) {
                w.println("error: " + pe.getMessage());
                w.println("see: promptlog " + commandLine.getCommandName() + " --help");
                w.flush();
                return EXIT_USAGE;
            }
            if (e instanceof PromptLogReaderException || e instanceof IllegalArgumentException
                    || e instanceof IllegalStateException || e instanceof java.io.IOException
                    || e instanceof java.io.UncheckedIOException || e instanceof CliFailure) {
                w.println("error: " + e.getMessage());
            } else {
                w.println("error: " + e);
                e.printStackTrace(w);
            }
            w.flush();
            return EXIT_FAILURE;
        });
        return cl;
    }

    /** A command failed in a way already explained by its message. */
    static final class CliFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        CliFailure(String message) {
            super(message);
        }
    }
}
