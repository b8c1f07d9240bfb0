package io.promptlog.cli;

import io.promptlog.reader.PromptLogReader;
import io.promptlog.reader.StoredCall;
import io.promptlog.reader.Timestamps;
import io.promptlog.writer.CallField;
import io.promptlog.writer.LlmCall;
import io.promptlog.writer.Message;
import io.promptlog.writer.PromptLogHome;
import io.promptlog.writer.ShardCursor;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "tail", mixinStandardHelpOptions = true,
        description = "Prints the newest calls, one line each; with --follow, keeps printing calls as they are logged "
                + "(until interrupted).")
final class TailCommand implements Callable<Integer> {
    @Mixin
    DatasetOptions dataset;

    @Option(names = {"-n", "--lines"}, defaultValue = "10", description = "how many of the newest calls to print first (default: ${DEFAULT-VALUE})")
    int lines;

    @Option(names = {"-f", "--follow"}, description = "keep printing new calls as they are logged")
    boolean follow;

    @Option(names = "--poll-millis", defaultValue = "200", hidden = true)
    long pollMillis;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        if (lines < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--lines must be >= 0, was " + lines);
        }
        if (follow && dataset.data != null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--follow reads the live queue: use --dir, not --data");
        }
        PrintWriter out = spec.commandLine().getOut();
        Path queueDir = PromptLogHome.queueDir(dataset.home());
        // when following, position the queue cursors first so nothing logged meanwhile is missed
        Map<Path, ShardCursor> cursors = new HashMap<>();
        try {
            if (follow) {
                for (Path shard : PromptLogHome.shardDirs(dataset.home())) {
                    ShardCursor c = ShardCursor.open(shard);
                    while (c.next()) {
                        // skip what is already there
                    }
                    warnSkipped(c, 0);
                    cursors.put(shard, c);
                }
            }
            try (PromptLogReader r = dataset.open(spec.commandLine().getErr(), !follow)) {
                List<StoredCall> newest = new ArrayList<>();
                r.forEachCall("call_id IN (SELECT call_id FROM calls ORDER BY start_time DESC, call_id DESC LIMIT ?)",
                        newest::add, lines);
                for (StoredCall s : newest) {
                    out.println(line(s.call()));
                }
                out.flush();
            }
            if (follow) {
                // on stderr, so stdout stays one line per call; from here on every new call is printed
                spec.commandLine().getErr().println("following " + queueDir + " (Ctrl-C to stop)");
                spec.commandLine().getErr().flush();
            }
            while (follow && !Thread.currentThread().isInterrupted()) {
                boolean any = false;
                for (Path shard : PromptLogHome.shardDirs(dataset.home())) {
                    ShardCursor c = cursors.get(shard);
                    if (c == null) {
                        c = ShardCursor.open(shard);
                        cursors.put(shard, c);
                    }
                    long skipped = c.skippedCount();
                    while (c.next()) {
                        any = true;
                        try {
                            out.println(line(c.decode()));
                        } catch (io.promptlog.writer.CorruptRecordException e) {
                            // a valid record whose text reference cannot be resolved (its target lies in damage)
                            spec.commandLine().getErr().println("warning: " + shard.getFileName() + ": " + e.getMessage());
                        }
                    }
                    warnSkipped(c, skipped);
                }
                if (any) {
                    out.flush();
                } else {
                    try {
                        Thread.sleep(pollMillis);
                    } catch (InterruptedException e) {
                        break;
                    }
                }
            }
        } finally {
            cursors.values().forEach(ShardCursor::close);
        }
        return 0;
    }

    /** Names, on stderr, the damaged stretches {@code c} skipped since it had skipped {@code before}. */
    private void warnSkipped(ShardCursor c, long before) {
        List<io.promptlog.writer.CorruptStretch> s = c.skipped();
        for (long i = before; i < c.skippedCount(); i++) {
            spec.commandLine().getErr().println("warning: skipped a damaged queue stretch: "
                    + (i < s.size() ? s.get((int) i) : c.dir().getFileName() + " (more than " + s.size() + ")"));
        }
    }

    static String line(LlmCall c) {
        StringBuilder sb = new StringBuilder();
        sb.append(c.startTimeMicros() == null ? "-" : Timestamps.format(c.startTimeMicros())).append("  ")
                .append(c.callId()).append("  ")
                .append(c.requestModel() == null ? "-" : c.requestModel()).append("  ")
                .append(c.status() == null ? "-" : c.status()).append("  ");
        Long d = c.int64(CallField.DURATION_US);
        sb.append(d == null ? "-" : String.format("%.0f ms", d / 1000.0)).append("  ");
        Long in = c.int64(CallField.INPUT_TOKENS);
        Long outTok = c.int64(CallField.OUTPUT_TOKENS);
        sb.append(in == null ? "-" : in).append("→").append(outTok == null ? "-" : outTok).append(" tok  ");
        String user = null;
        for (Message m : c.messages()) {
            if ("user".equals(m.role()) && m.content() != null) {
                user = m.content();
            }
        }
        sb.append(quote(user, 50));
        String resp = c.response() != null ? c.response() : c.string(CallField.ERROR_MESSAGE);
        if (resp != null) {
            sb.append(" → ").append(quote(resp, 50));
        }
        if (c.get(CallField.REPLAY_OF) != null) {
            sb.append("  (replay of ").append(c.string(CallField.REPLAY_OF)).append(')');
        }
        return sb.toString();
    }

    private static String quote(String s, int max) {
        if (s == null) {
            return "-";
        }
        String t = ResultFormat.oneLine(s);
        return "\"" + (t.length() > max ? t.substring(0, max - 1) + "…" : t) + "\"";
    }
}
