package io.promptlog.cli;

import io.promptlog.reader.CanonicalJson;
import io.promptlog.writer.AppendStatus;
import io.promptlog.writer.LlmCall;
import io.promptlog.writer.PromptLog;
import io.promptlog.writer.PromptLogConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Callable;

@Command(name = "import", mixinStandardHelpOptions = true,
        description = {"Reads canonical JSONL (what `export --format jsonl` writes; optional fields may be missing) "
                + "through the writer into D/queue. Compaction stays `compact`'s job.",
                "Lines that are not UTF-8, not JSON or hold a bad field are reported as FILE:LINE with the reason, "
                        + "skipped and counted; the rest is imported. Exit code 1 when any line was skipped.",
                "A call whose call_id the home already holds (compacted or waiting in the queue), or that an earlier "
                        + "line of the file had, is skipped and counted: importing a file twice adds nothing."})
final class ImportCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FILE.jsonl")
    Path file;

    @Option(names = "--dir", paramLabel = "D", description = "promptlog home (default: ./" + DatasetOptions.DEFAULT_HOME + ")")
    Path dir;

    @CommandLine.ParentCommand
    PromptLogCli parent;

    /** Calls checked against the home in one query. */
    private static final int BATCH = 2000;
    /** Per-line messages printed for each kind of skip before only counting. */
    private static final int MAX_MESSAGES = 20;

    private long imported;
    private long malformed;
    private long duplicates;
    private long dropped;
    private long truncated;
    private long messages;

    private record Pending(long lineNo, LlmCall call) {
    }

    @Override
    public Integer call() throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new PromptLogCli.CliFailure("no such file: " + file.toAbsolutePath());
        }
        Path home = dir != null ? dir : Path.of(DatasetOptions.DEFAULT_HOME);
        long total = Files.size(file);
        ProgressBar bar = new ProgressBar(parent.err, "import", total);
        List<Pending> pending = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        try (KnownCallIds known = KnownCallIds.of(home);
             PromptLog log = PromptLog.open(PromptLogConfig.builder(home).backgroundCompaction(false).build());
             JsonLines in = new JsonLines(Files.newInputStream(file))) {
            if (!log.isAvailable()) {
                throw new PromptLogCli.CliFailure("cannot open the queue in " + home + ": " + log.stats().lastError());
            }
            for (JsonLines.Line line; (line = in.next()) != null; ) {
                if (line.error() != null) {
                    skip(line.number(), line.error());
                } else if (!line.text().isBlank()) {
                    try {
                        pending.add(new Pending(line.number(), CanonicalJson.parse(line.text())));
                    } catch (IllegalArgumentException e) {
                        skip(line.number(), e.getMessage());
                    }
                }
                if (pending.size() >= BATCH) {
                    append(log, known, seen, pending);
                }
                bar.update(Math.min(in.bytesRead(), total));
            }
            append(log, known, seen, pending);
        }
        bar.finish(total);
        parent.err.printf("imported %,d calls into %s%s%s%s%s%n", imported, home.resolve("queue"),
                malformed > 0 ? ", skipped " + malformed + " malformed line(s)" : "",
                duplicates > 0 ? ", skipped " + duplicates + " call(s) whose call_id the home already holds" : "",
                dropped > 0 ? ", " + dropped + " dropped by the writer" : "",
                truncated > 0 ? ", " + truncated + " truncated to fit the record size limit" : "");
        parent.err.flush();
        return malformed > 0 || dropped > 0 ? PromptLogCli.EXIT_FAILURE : PromptLogCli.EXIT_OK;
    }

    private void skip(long lineNo, String why) {
        malformed++;
        message(lineNo, "skipped: " + why);
    }

    private void message(long lineNo, String text) {
        if (messages++ < MAX_MESSAGES) {
            parent.err.println(file.getFileName() + ":" + lineNo + ": " + text);
        } else if (messages == MAX_MESSAGES + 1) {
            parent.err.println(file.getFileName() + ": more problems: only counted from here on");
        }
    }

    /** Appends the pending calls whose call_id is neither in the home nor earlier in this file. */
    private void append(PromptLog log, KnownCallIds known, Set<String> seen, List<Pending> pending) {
        Set<String> there = known.existing(pending.stream().map(p -> p.call().callId()).filter(Objects::nonNull).toList());
        for (Pending p : pending) {
            String id = p.call().callId();
            if (id != null && (there.contains(id) || !seen.add(id))) {
                duplicates++;
                continue;
            }
            int status = log.append(p.call());
            if (AppendStatus.isAppended(status)) {
                imported++;
                if (status == AppendStatus.OK_TRUNCATED) {
                    truncated++;
                }
            } else {
                dropped++;
                message(p.lineNo(), "not logged: " + AppendStatus.describe(status));
            }
        }
        pending.clear();
    }
}
