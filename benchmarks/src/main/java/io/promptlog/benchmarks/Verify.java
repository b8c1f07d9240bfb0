package io.promptlog.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.promptlog.benchmarks.sink.CallSink;
import io.promptlog.writer.LlmCall;
import io.promptlog.writer.PromptLogHome;
import io.promptlog.writer.ShardCursor;

import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Checks that every sink really writes every call, with the same content: logs a slice of each
 * workload pool from two threads, closes the sink, reads what it wrote back (the queue through
 * {@link ShardCursor}, JSON files with Jackson) and compares it with the source calls. Exits nonzero on
 * any difference. Run by the quick mode before any timing, so a peer that silently writes nothing
 * cannot look fast.
 */
public final class Verify {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private Verify() {
    }

    public static void main(String[] args) throws Exception {
        int perThread = 150;
        List<Workload> sizes = List.of(Workload.values());
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--sizes") && i + 1 < args.length) {
                sizes = new ArrayList<>();
                for (String sz : args[++i].split(",")) {
                    sizes.add(Workload.of(sz.trim()));
                }
            } else {
                throw new IllegalArgumentException("unknown option " + args[i] + "; usage: verify [--sizes 1k,4k,16k]");
            }
        }
        List<String> failures = new ArrayList<>();
        for (String name : CallSink.NAMES) {
            if (name.equals("noop")) {
                continue;
            }
            for (Workload w : sizes) {
                BenchCall[] pool = w.pool(2 * perThread);
                String problem = check(name, pool, perThread);
                System.out.println((problem == null ? "ok   " : "FAIL ") + name + " " + w.label()
                        + (problem == null ? "" : ": " + problem));
                if (problem != null) {
                    failures.add(name + " " + w.label() + ": " + problem);
                }
            }
        }
        if (!failures.isEmpty()) {
            System.err.println(failures.size() + " sink checks failed: " + failures);
            System.exit(1);
        }
        System.out.println("all sinks wrote every call with the same content");
    }

    private static String check(String name, BenchCall[] pool, int perThread) throws Exception {
        Path dir = Files.createTempDirectory("promptlog-verify-");
        try {
            CallSink sink = CallSink.open(name, dir);
            Thread[] threads = new Thread[2];
            int[] failedAppends = new int[2];
            for (int t = 0; t < 2; t++) {
                int id = t;
                threads[t] = new Thread(() -> {
                    CallSink.Appender a = sink.appender();
                    for (int i = id * perThread; i < (id + 1) * perThread; i++) {
                        if (a.append(pool[i]) < 0) {
                            failedAppends[id]++;
                        }
                    }
                });
                threads[t].start();
            }
            for (Thread th : threads) {
                th.join();
            }
            sink.close();
            if (failedAppends[0] + failedAppends[1] > 0 || sink.dropped() > 0) {
                return "dropped " + (failedAppends[0] + failedAppends[1] + sink.dropped()) + " calls";
            }
            Map<String, BenchCall> expected = new HashMap<>();
            for (BenchCall c : pool) {
                expected.put(c.value.callId(), c);
            }
            List<String> seen = new ArrayList<>();
            String problem = switch (name) {
                case "promptlog", "promptlog-value", "promptlog-1shard", "chronicle-floor" ->
                        checkQueue(dir, expected, seen);
                default -> checkJson(name, dir, expected, seen);
            };
            if (problem != null) {
                return problem;
            }
            if (seen.size() != pool.length || !expected.keySet().containsAll(seen)
                    || seen.stream().distinct().count() != pool.length) {
                return "wrote " + seen.size() + " calls (" + seen.stream().distinct().count() + " distinct), expected "
                        + pool.length;
            }
            return null;
        } finally {
            try (Stream<Path> w = Files.walk(dir)) {
                w.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static String checkQueue(Path dir, Map<String, BenchCall> expected, List<String> seen) throws Exception {
        for (Path shard : PromptLogHome.shardDirs(dir)) {
            try (ShardCursor cur = ShardCursor.open(shard)) {
                while (cur.next()) {
                    LlmCall got = cur.decode();
                    BenchCall want = expected.get(got.callId());
                    if (want == null || !want.value.equals(got)) {
                        return "queue record differs from the logged call: " + got;
                    }
                    seen.add(got.callId());
                }
            }
        }
        return null;
    }

    private static String checkJson(String name, Path dir, Map<String, BenchCall> expected, List<String> seen)
            throws Exception {
        String file = switch (name) {
            case "log4j2-async" -> "log4j2.jsonl";
            case "logback-async" -> "logback.jsonl";
            case "jsonl-sync" -> "calls.jsonl";
            case "otel" -> "spans.jsonl";
            default -> throw new IllegalArgumentException(name);
        };
        for (String line : Files.readAllLines(dir.resolve(file))) {
            if (line.isBlank()) {
                continue;
            }
            JsonNode event = MAPPER.readTree(line);
            JsonNode call = switch (name) {
                case "log4j2-async" -> event.get("call");
                case "logback-async" -> MAPPER.readTree(event.get("message").asText());
                case "jsonl-sync" -> event;
                default -> event.get("attributes");
            };
            String id = name.equals("otel") ? call.path("promptlog.call_id").asText() : call.path("call_id").asText();
            BenchCall want = expected.get(id);
            if (want == null) {
                return "unknown call_id " + id + " in " + file;
            }
            if (name.equals("otel")) {
                JsonNode msgs = MAPPER.readTree(call.path("gen_ai.input.messages").asText());
                if (!msgs.equals(canonical(want).get("messages"))
                        || !call.path("gen_ai.system_instructions").asText().equals(want.value.systemPrompt())) {
                    return "span attributes differ from the logged call " + id;
                }
            } else if (!call.equals(canonical(want))) {
                return "JSON differs from the logged call " + id + ": " + call;
            }
            seen.add(id);
        }
        return null;
    }

    private static JsonNode canonical(BenchCall c) throws Exception {
        StringWriter w = new StringWriter();
        try (var g = CanonicalJson.FACTORY.createGenerator(w)) {
            CanonicalJson.write(c, g);
        }
        return MAPPER.readTree(w.toString());
    }
}
