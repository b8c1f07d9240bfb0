package io.promptlog.cli;

import io.promptlog.compactor.CompactionProgress;
import io.promptlog.reader.PromptLogReader;
import io.promptlog.reader.Timestamps;
import io.promptlog.writer.CallField;
import io.promptlog.writer.LlmCall;
import io.promptlog.writer.Message;
import io.promptlog.writer.PromptLogHome;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "tail", mixinStandardHelpOptions = true,
        description = "Prints the newest calls, one line each; with --follow, keeps printing calls as they are logged "
                + "(until interrupted). A two-phase call (send, then complete) is printed once, when complete; among "
                + "the newest calls, one sent and not completed yet shows the status in-flight. Reads the queue from "
                + "near its end only.")
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
        PrintWriter err = spec.commandLine().getErr();
        if (dataset.data != null) {
            // a bare dataset: no queue
            try (PromptLogReader r = dataset.open(err, true)) {
                r.forEachCall(NEWEST, s -> out.println(line(s.call())), lines);
            }
            out.flush();
            return 0;
        }
        Path home = dataset.existingHome();
        Map<Path, ShardTail> tails = new LinkedHashMap<>();
        try {
            // The end of each queue shard first (nothing logged meanwhile is missed when following), read from
            // near its end only: the newest calls are in the last records, and the whole queue may be a backlog
            // of millions of calls not compacted yet. The compacted newest come from the Parquet files alone.
            // Queue records the compactor committed are shown from the dataset only (read first: a batch
            // committed meanwhile is in both, and the map below keeps one copy of each call).
            Map<String, LlmCall> newest = new HashMap<>();
            Path dataDir = PromptLogHome.dataDir(home);
            Map<Integer, Long> committed = CompactionProgress.committed(home, dataDir);
            int window = lines == 0 ? 0 : (int) Math.min(Integer.MAX_VALUE, Math.max(4L * lines, 64));
            for (Path shard : PromptLogHome.shardDirs(home)) {
                ShardTail t = new ShardTail(shard, window, committedIn(committed, shard), err);
                tails.put(shard, t);
                t.drain(c -> newest.put(c.callId(), c));
                for (LlmCall c : t.inFlight()) {
                    newest.putIfAbsent(c.callId(), c.toBuilder().set(CallField.STATUS, IN_FLIGHT).build());
                }
            }
            if (lines > 0 && Files.isDirectory(dataDir)) {
                try (PromptLogReader r = PromptLogReader.open(dataDir, null, dataset.access())) {
                    r.warningListener(w -> {
                        err.println("warning: " + w);
                        err.flush();
                    });
                    r.forEachCall(NEWEST, s -> newest.put(s.call().callId(), s.call()), lines); // compacted: as stored
                }
            }
            List<LlmCall> shown = new ArrayList<>(newest.values());
            shown.sort(Comparator.comparing((LlmCall c) -> c.startTimeMicros() == null ? Long.MIN_VALUE : c.startTimeMicros())
                    .thenComparing(LlmCall::callId, Comparator.nullsFirst(Comparator.naturalOrder())));
            for (LlmCall c : shown.subList(Math.max(0, shown.size() - lines), shown.size())) {
                out.println(line(c));
            }
            out.flush();
            if (!follow) {
                if (shown.isEmpty() && lines > 0) {
                    throw dataset.emptyError();
                }
                return 0;
            }
            // on stderr, so stdout stays one line per call; from here on every new call is printed once complete
            err.println("following " + PromptLogHome.queueDir(home) + " (Ctrl-C to stop)");
            err.flush();
            while (!Thread.currentThread().isInterrupted()) {
                int printed = 0;
                for (Path shard : PromptLogHome.shardDirs(home)) {
                    ShardTail t = tails.get(shard);
                    if (t == null) {
                        // a shard created after the start: all of it is new
                        t = new ShardTail(shard, -1, committedIn(committed, shard), err);
                        tails.put(shard, t);
                    }
                    printed += t.drain(c -> out.println(line(c)));
                }
                if (printed > 0) {
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
            tails.values().forEach(ShardTail::close);
        }
        return 0;
    }

    private static long committedIn(Map<Integer, Long> committed, Path shard) {
        return committed.getOrDefault(PromptLogHome.shardNumber(shard), -1L);
    }

    /** Status shown for a call sent ({@code send()}) and not completed yet. */
    static final String IN_FLIGHT = "in-flight";

    private static final String NEWEST = "call_id IN (SELECT call_id FROM calls ORDER BY start_time DESC, call_id DESC LIMIT ?)";

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
