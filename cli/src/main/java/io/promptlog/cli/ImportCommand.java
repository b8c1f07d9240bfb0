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

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "import", mixinStandardHelpOptions = true,
        description = {"Reads canonical JSONL (what `export --format jsonl` writes; optional fields may be missing) "
                + "through the writer into D/queue. Compaction stays `compact`'s job.",
                "Malformed lines are reported with their line number and reason, skipped and counted; the rest is "
                        + "imported. Exit code 1 when any line was skipped."})
final class ImportCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FILE.jsonl")
    Path file;

    @Option(names = "--dir", paramLabel = "D", description = "promptlog home (default: ./" + DatasetOptions.DEFAULT_HOME + ")")
    Path dir;

    @CommandLine.ParentCommand
    PromptLogCli parent;

    @Override
    public Integer call() throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new PromptLogCli.CliFailure("no such file: " + file.toAbsolutePath());
        }
        Path home = dir != null ? dir : Path.of(DatasetOptions.DEFAULT_HOME);
        long imported = 0;
        long malformed = 0;
        long dropped = 0;
        long truncated = 0;
        long lineNo = 0;
        long total = Files.size(file);
        ProgressBar bar = new ProgressBar(parent.err, "import", total);
        long bytes = 0;
        try (PromptLog log = PromptLog.open(PromptLogConfig.builder(home).backgroundCompaction(false).build());
             BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            if (!log.isAvailable()) {
                throw new PromptLogCli.CliFailure("cannot open the queue in " + home + ": " + log.stats().lastError());
            }
            String line;
            while ((line = in.readLine()) != null) {
                lineNo++;
                bytes += line.length() + 1;
                if (line.isBlank()) {
                    continue;
                }
                LlmCall call;
                try {
                    call = CanonicalJson.parse(line);
                } catch (IllegalArgumentException e) {
                    malformed++;
                    parent.err.println(file.getFileName() + ":" + lineNo + ": skipped: " + e.getMessage());
                    continue;
                }
                int status = log.append(call);
                if (AppendStatus.isAppended(status)) {
                    imported++;
                    if (status == AppendStatus.OK_TRUNCATED) {
                        truncated++;
                    }
                } else {
                    dropped++;
                    parent.err.println(file.getFileName() + ":" + lineNo + ": not logged: " + AppendStatus.describe(status));
                }
                bar.update(Math.min(bytes, total));
            }
        }
        bar.finish(total);
        parent.err.printf("imported %,d calls into %s%s%s%s%n", imported, home.resolve("queue"),
                malformed > 0 ? ", skipped " + malformed + " malformed line(s)" : "",
                dropped > 0 ? ", " + dropped + " dropped by the writer" : "",
                truncated > 0 ? ", " + truncated + " truncated to fit the record size limit" : "");
        parent.err.flush();
        return malformed > 0 || dropped > 0 ? PromptLogCli.EXIT_FAILURE : PromptLogCli.EXIT_OK;
    }
}
