package io.promptlog.cli;

import io.promptlog.reader.PromptLogReader;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.concurrent.Callable;

@Command(name = "query", mixinStandardHelpOptions = true,
        description = {"Runs SQL over the views calls, calls_live, calls_compacted, system_prompts, tool_definitions "
                + "and calls_full (calls with their system_prompt and tools texts).",
                "Example: promptlog query \"SELECT request_model, count(*) FROM calls GROUP BY ALL\""})
final class QueryCommand implements Callable<Integer> {
    @Mixin
    DatasetOptions dataset;

    @Parameters(index = "0", paramLabel = "SQL", description = "the query")
    String sql;

    @Option(names = "--format", defaultValue = "table", description = "table, csv or json (default: ${DEFAULT-VALUE})")
    ResultFormat format;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        try (PromptLogReader r = dataset.open(spec.commandLine().getErr(), true)) {
            format.print(r.sql(sql), spec.commandLine().getOut());
        }
        return 0;
    }
}
