package io.promptlog.cli;

import io.promptlog.reader.CanonicalJson;
import io.promptlog.reader.PromptLogReader;
import io.promptlog.reader.StoredCall;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.concurrent.Callable;

@Command(name = "show", mixinStandardHelpOptions = true,
        description = "Shows one call in full: every field, the system prompt, history and response.")
final class ShowCommand implements Callable<Integer> {
    @Mixin
    DatasetOptions dataset;

    @Parameters(index = "0", paramLabel = "CALL_ID")
    String callId;

    @Option(names = "--json", description = "print the canonical JSON object (as export --format jsonl writes it)")
    boolean json;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        // the lookup first: a call found in its day's files needs neither the live queue nor the other files
        try (PromptLogReader r = dataset.open(spec.commandLine().getErr(), false)) {
            StoredCall s = r.call(callId).orElse(null);
            if (s == null) {
                if (r.isEmpty()) {
                    throw dataset.emptyError();
                }
                s = r.requireCall(callId);
            }
            if (json) {
                spec.commandLine().getOut().println(CanonicalJson.writePretty(s.call()));
                spec.commandLine().getOut().flush();
            } else {
                CallText.print(s, spec.commandLine().getOut(), 0);
            }
        }
        return 0;
    }
}
