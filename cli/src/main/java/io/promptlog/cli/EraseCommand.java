package io.promptlog.cli;

import io.promptlog.compactor.Compactor;
import io.promptlog.compactor.CompactorConfig;
import io.promptlog.compactor.ErasureRequest;
import io.promptlog.compactor.ErasureResult;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "erase", mixinStandardHelpOptions = true,
        description = {"Erases calls from the dataset: their text (messages, response, tool calls, error message, "
                + "text hashes, and a system prompt or tools text no other call uses), keeping their metadata; "
                + "with --all-fields, the whole rows.",
                "Calls still in the queue are compacted first (with --retain/--redact, as `compact` would), so they are "
                        + "covered too; the queue files that held them are deleted as soon as the queue rolls past them.",
                "Each Parquet file is replaced atomically: readers see it before or after, never half. Interrupted or "
                        + "killed, run the same command again to finish. Needs the compactor's lock: stop `compact --follow` "
                        + "or the app's background compactor first (or call Compactor.erase in the app)."})
final class EraseCommand implements Callable<Integer> {
    @Option(names = "--dir", paramLabel = "D", description = "promptlog home (default: ./" + DatasetOptions.DEFAULT_HOME + ")")
    Path dir;

    @Option(names = "--data", paramLabel = "OUT", description = "the home's dataset directory, when not D/data")
    Path data;

    @Option(names = "--user", paramLabel = "ID", description = "erase the calls of this user_id (repeatable)")
    List<String> users = List.of();

    @Option(names = "--call", paramLabel = "ID", description = "erase this call_id (repeatable)")
    List<String> calls = List.of();

    @Option(names = "--before", paramLabel = "DATE", description = "erase calls that started before this UTC date "
            + "(YYYY-MM-DD) or instant (2026-11-20T10:00:00Z)")
    String before;

    @Option(names = "--all-fields", description = "drop the selected calls' rows entirely, not only their text")
    boolean allFields;

    @Option(names = "--retain", defaultValue = "default", paramLabel = "POLICY",
            description = "retention for the calls compacted first (default, all or none; default: ${DEFAULT-VALUE})")
    String retain;

    @Option(names = "--redact", defaultValue = "default", paramLabel = "REDACTOR",
            description = "redaction for the calls compacted first (default or none; default: ${DEFAULT-VALUE})")
    String redact;

    @CommandLine.ParentCommand
    PromptLogCli parent;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        Path home = dir != null ? dir : Path.of(DatasetOptions.DEFAULT_HOME);
        ErasureRequest request;
        CompactorConfig config;
        try {
            ErasureRequest.Builder b = ErasureRequest.builder();
            users.forEach(b::user);
            calls.forEach(b::call);
            if (before != null) {
                b.before(instant(before));
            }
            if (allFields) {
                b.allFields();
            }
            request = b.build();
            config = CompactorConfig.fromOptions(home, data, retain, redact).build();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        if (!Files.isDirectory(home)) {
            throw new PromptLogCli.CliFailure("no promptlog home at " + home.toAbsolutePath() + " (use --dir D)");
        }
        ErasureResult r;
        try (Compactor c = Compactor.open(config)) {
            r = c.erase(request, line -> {
                parent.err.println("  " + line);
                parent.err.flush();
            });
            if (c.stats().errors() > 0) {
                parent.err.println("warning: " + c.stats().errors() + " compaction error(s); last: " + c.stats().lastError());
            }
        }
        parent.err.println("erase " + request + ": " + r.describe());
        parent.err.flush();
        return 0;
    }

    private static Instant instant(String s) {
        try {
            return s.length() == 10 ? LocalDate.parse(s).atStartOfDay(ZoneOffset.UTC).toInstant() : Instant.parse(s);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("--before must be a date YYYY-MM-DD or an instant like "
                    + "2026-11-20T10:00:00Z, was '" + s + "'");
        }
    }
}
