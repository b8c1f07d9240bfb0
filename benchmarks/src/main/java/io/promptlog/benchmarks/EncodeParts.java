package io.promptlog.benchmarks;

import io.promptlog.writer.CallField;
import io.promptlog.writer.CallRecorder;
import io.promptlog.writer.Message;
import io.promptlog.writer.PromptLog;
import io.promptlog.writer.PromptLogConfig;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * What encoding a call's text (its messages and response) to UTF-8, as the queue layout has it, costs the
 * calling thread, against copying the bytes Java already keeps for the same strings (JEP 254: one byte a char
 * for a Latin-1 string, two for a UTF-16 one): the part of issue #10's p50 that a layout carrying strings in
 * Java's own form would remove, and the queue bytes it would add. Parts: the recorder's fill of the whole
 * call (not committed; every call was committed once first, so its system prompt is a reference, as in an app);
 * the same fill without the text; a copy of the text's own bytes. Per batch, each part over the whole pool
 * in rotating order (so, as in the JMH runs, the pool's data is wherever cycling through it leaves it: mostly the
 * shared cache), caller CPU ns per call, medians. With {@code --evict} each part starts with a 32 MB sweep (not
 * timed), so the calls' strings come from memory: an upper bound.
 *
 * <pre>encode-parts [--size 4k] [--batches 31] [--evict]</pre>
 */
public final class EncodeParts {
    private static VarHandle value;

    private EncodeParts() {
    }

    public static void main(String[] args) throws Exception {
        String size = "4k";
        int batches = 31;
        boolean evictFirst = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--size" -> size = args[++i];
                case "--batches" -> batches = Integer.parseInt(args[++i]);
                case "--evict" -> evictFirst = true;
                default -> throw new IllegalArgumentException("usage: encode-parts [--size 4k] [--batches 31] [--evict]");
            }
        }
        try {
            value = MethodHandles.privateLookupIn(String.class, MethodHandles.lookup())
                    .findVarHandle(String.class, "value", byte[].class);
        } catch (ReflectiveOperationException | RuntimeException e) {
            // a usage error: the command line lacks the flags (exit 2, one line)
            throw new IllegalArgumentException("reads String.value: run java with the flags `java -jar benchmarks.jar flags`"
                    + " prints (--add-opens java.base/java.lang=ALL-UNNAMED); " + e.getMessage());
        }
        if (batches < 1) {
            throw new IllegalArgumentException("--batches must be at least 1, was " + batches);
        }
        BenchCall[] pool = Workload.poolFor(size);
        String[][] texts = new String[pool.length][];
        long utf8 = 0;
        long own = 0;
        for (int c = 0; c < pool.length; c++) {
            texts[c] = texts(pool[c]);
            for (String s : texts[c]) {
                utf8 += s.getBytes(StandardCharsets.UTF_8).length;
                own += ((byte[]) value.get(s)).length;
            }
        }
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        byte[] evict = new byte[evictFirst ? 32 << 20 : 64];
        byte[] sink = new byte[1 << 20];
        long[][] ns = new long[3][batches];
        long keep = 0;
        Path dir = Files.createTempDirectory("promptlog-encode-parts-");
        try (PromptLog log = PromptLog.open(PromptLogConfig.builder(dir).backgroundCompaction(false).build())) {
            // committed once, each call's system prompt is defined in the queue: a later fill takes it as a
            // reference from the log's shared texts, as in an app (a fill never committed would encode it again)
            for (BenchCall c : pool) {
                CallRecorder r = log.begin();
                RecordBytes.fill(r, c);
                r.commit();
            }
            for (int b = -5; b < batches; b++) { // 5 warm-up batches
                for (int k = 0; k < 3; k++) {
                    int part = (k + Math.floorMod(b, 3)) % 3;
                    for (int i = 0; evictFirst && i < evict.length; i += 64) {
                        evict[i]++;
                    }
                    long t0 = threads.getCurrentThreadCpuTime();
                    if (part < 2) {
                        for (BenchCall c : pool) {
                            CallRecorder r = log.begin();
                            if (part == 0) {
                                RecordBytes.fill(r, c);
                            } else {
                                RecordBytes.fillWithoutText(r, c);
                            }
                            keep++;
                        }
                    } else {
                        for (String[] call : texts) {
                            int p = 0;
                            for (String s : call) {
                                byte[] v = (byte[]) value.get(s);
                                System.arraycopy(v, 0, sink, p, v.length);
                                p += v.length;
                            }
                            keep += sink[p >> 1];
                        }
                    }
                    if (b >= 0) {
                        ns[part][b] = (threads.getCurrentThreadCpuTime() - t0) / pool.length;
                    }
                }
            }
        } finally {
            BenchFiles.delete(dir);
        }
        String[] parts = {"recorder fill, whole call", "recorder fill without the text", "copy of the text's own bytes"};
        System.out.printf(Locale.ROOT, "%s pool, %d calls%s: text (messages and response) %d B/call as UTF-8, %d B/call as"
                + " Java keeps it (%+d)%n", size, pool.length, evictFirst ? ", caches evicted before each part" : "",
                utf8 / pool.length, own / pool.length, (own - utf8) / pool.length);
        for (int p = 0; p < 3; p++) {
            long[] s = ns[p].clone();
            Arrays.sort(s);
            System.out.printf(Locale.ROOT, "%-40s caller CPU ns per call: median %d (p25 %d, p75 %d)%n", parts[p],
                    s[batches / 2], s[batches / 4], s[3 * batches / 4]);
        }
        System.out.printf(Locale.ROOT, "encoding the text: %d ns per call (fill minus fill without it); copying its bytes: %d%n",
                median(ns[0]) - median(ns[1]), median(ns[2]));
        System.out.println("# " + (keep & 1) + (evict[evict.length - 1] & 1));
    }

    private static long median(long[] v) {
        long[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    /** The call's text: its message contents and its response. */
    private static String[] texts(BenchCall c) {
        List<String> out = new ArrayList<>();
        for (Message m : c.messages) {
            if (m.content() != null) {
                out.add(m.content());
            }
        }
        for (int i = 0; i < c.fields.length; i++) {
            if (c.fields[i] == CallField.RESPONSE && c.values[i] instanceof String s) {
                out.add(s);
            }
        }
        return out.toArray(new String[0]);
    }
}
