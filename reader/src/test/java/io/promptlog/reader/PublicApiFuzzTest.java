package io.promptlog.reader;

import io.promptlog.writer.AppendStatus;
import io.promptlog.writer.CallField;
import io.promptlog.writer.CallRecorder;
import io.promptlog.writer.LlmCall;
import io.promptlog.writer.Message;
import io.promptlog.writer.PromptLog;
import io.promptlog.writer.PromptLogConfig;
import io.promptlog.writer.PromptLogStats;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Seeded fuzz of the writer's public API, read back end to end: random calls with hostile values (lone
 * surrogates, NULs, control characters, 10 MB strings, NaN and infinities, negative counts and durations,
 * absent fields, huge attribute maps, thousands of messages), logged through {@link PromptLog#append} and
 * through {@link CallRecorder}, mixed with misuse (a null call, a second commit, a commit without begin, a
 * negative in-flight handle). Nothing throws into the caller; every call whose status says appended is read back
 * through the live view and again after the real compactor wrote it to Parquet, equal to what was logged
 * (lone surrogates become U+FFFD, as the record layout documents; an empty list or map reads back absent,
 * -0.0 as 0.0, an absent start time as the time of the append; a truncated call carries the truncated
 * flag and prefixes of its texts); every drop is counted. CI runs {@value #DEFAULT_CALLS} calls;
 * {@code -Dpromptlog.test.fuzzCalls=N} runs more, {@code -Dpromptlog.test.seed=S} replays one run.
 */
@Timeout(600)
class PublicApiFuzzTest {
    private static final int DEFAULT_CALLS = 100;
    private static final int CALLS = Integer.getInteger("promptlog.test.fuzzCalls", DEFAULT_CALLS);
    /** Small enough that the 10 MB strings and the huge maps make some records truncated or too large. */
    private static final int MAX_RECORD_BYTES = 4 * 1024 * 1024;

    @TempDir
    Path home;

    private Random rnd;
    private int bigLeft;
    private int misuseDrops;
    private long fromMicros;
    private long toMicros;

    @Test
    void shouldRecordHostileCallsFaithfullyOrCountTheirDropAndNeverThrow() throws Exception {
        long seed = Long.getLong("promptlog.test.seed", System.nanoTime());
        System.out.println("seed " + seed + " (rerun with -Dpromptlog.test.seed=" + seed + "), " + CALLS
                + " calls (-Dpromptlog.test.fuzzCalls=N for more)");
        rnd = new Random(seed);
        bigLeft = Math.max(1, CALLS / 100); // 10 MB strings: one in CI, they cost time
        Map<String, LlmCall> logged = new LinkedHashMap<>();
        Map<String, Integer> statusOf = new HashMap<>();
        int truncated = 0;
        int dropped = 0;
        PromptLogStats stats;
        fromMicros = System.currentTimeMillis() * 1000;
        try (PromptLog log = PromptLog.open(PromptLogConfig.builder(home).backgroundCompaction(false)
                .maxRecordBytes(MAX_RECORD_BYTES).build())) {
            for (int i = 0; i < CALLS; i++) {
                LlmCall call = randomCall(i);
                int status;
                try {
                    status = rnd.nextBoolean() ? log.append(call) : recordWithRecorder(log, call);
                    misuse(log);
                } catch (RuntimeException | Error e) {
                    throw new AssertionError("seed " + seed + ", call " + i + ": threw into the app: " + e, e);
                }
                if (AppendStatus.isAppended(status)) {
                    logged.put(call.callId(), call);
                    statusOf.put(call.callId(), status);
                    truncated += status == AppendStatus.OK_TRUNCATED ? 1 : 0;
                } else {
                    assertThat(status).as("seed %d, call %d: %s", seed, i, AppendStatus.describe(status))
                            .isEqualTo(AppendStatus.DROPPED_TOO_LARGE);
                    dropped++;
                }
            }
            stats = log.stats();
        }
        toMicros = System.currentTimeMillis() * 1000 + 1000;
        System.out.println(CALLS + " calls: " + logged.size() + " appended (" + truncated + " truncated), " + dropped
                + " dropped as too large, " + misuseDrops + " null calls dropped; " + stats);
        assertThat(stats.appended()).as("seed %d: appended counter", seed).isEqualTo(logged.size());
        assertThat(stats.truncated()).as("seed %d: truncated counter", seed).isEqualTo(truncated);
        assertThat(stats.dropped()).as("seed %d: dropped counters", seed).isEqualTo(dropped + misuseDrops);

        long t0 = System.nanoTime();
        try (PromptLogReader live = PromptLogReader.openHome(home)) {
            compare(seed, "live view", live, logged, statusOf);
        }
        long t1 = System.nanoTime();
        TestHomes.compact(home, "all", "none");
        long t2 = System.nanoTime();
        try (PromptLogReader compacted = PromptLogReader.openHome(home)) {
            assertThat(compacted.liveCallCount()).isZero();
            compare(seed, "Parquet", compacted, logged, statusOf);
        }
        System.out.printf("live view read and compared in %.1f s, compacted in %.1f s, Parquet read and compared in %.1f s%n",
                (t1 - t0) / 1e9, (t2 - t1) / 1e9, (System.nanoTime() - t2) / 1e9);
    }

    private void compare(long seed, String where, PromptLogReader reader, Map<String, LlmCall> logged,
                         Map<String, Integer> statusOf) {
        Map<String, LlmCall> read = new HashMap<>();
        reader.forEachCall(null, s -> assertThat(read.put(s.call().callId(), s.call()))
                .as("seed %d, %s: call %s read twice", seed, where, printable(s.call().callId())).isNull());
        assertThat(read.keySet()).as("seed %d, %s: call ids", seed, where)
                .containsExactlyInAnyOrderElementsOf(logged.keySet().stream().map(PublicApiFuzzTest::asStored).toList());
        for (Map.Entry<String, LlmCall> e : logged.entrySet()) {
            LlmCall back = read.get(asStored(e.getKey()));
            boolean cut = statusOf.get(e.getKey()) == AppendStatus.OK_TRUNCATED;
            String what = "seed " + seed + ", " + where + ", call " + printable(e.getKey());
            assertThat(back.truncated()).as("%s: truncated flag", what).isEqualTo(cut);
            for (CallField f : CallField.values()) {
                Object expected = stored(e.getValue().get(f));
                Object actual = back.get(f);
                if (f == CallField.ATTRIBUTES && cut) {
                    assertThat(fitsTruncated(expected, actual)).as("%s: attributes are not the logged ones or cuts of them: %s",
                            what, mapDifference(expected, actual)).isTrue();
                } else if (f == CallField.START_TIME && expected == null) {
                    // absent: the writer stamps the time of the append
                    assertThat((Long) actual).as("%s: start_time stamped at append", what).isBetween(fromMicros, toMicros);
                } else if (f == CallField.ATTRIBUTES) {
                    // the reader adds nothing of its own to a call that lost no text
                    assertThat(mapDifference(expected, actual)).as("%s: attributes", what).isNull();
                } else if (cut) {
                    assertThat(fitsTruncated(expected, actual)).as("%s: %s is not the logged value or a cut of it:%n"
                            + "logged %s%nread   %s", what, f.column(), brief(expected), brief(actual)).isTrue();
                } else {
                    assertThat(same(expected, actual)).as("%s: %s differs:%nlogged %s%nread   %s", what,
                            f.column(), brief(expected), brief(actual)).isTrue();
                }
            }
        }
    }

    /** Logs the call field by field through the recorder's generic setters, then misuses the recorder. */
    private static int recordWithRecorder(PromptLog log, LlmCall call) {
        CallRecorder r = log.begin();
        for (CallField f : CallField.values()) {
            Object v = call.get(f);
            if (v == null) {
                continue;
            }
            switch (f.type()) {
                case STRING -> r.string(f, (String) v);
                case INT64, TIMESTAMP_MICROS -> r.int64(f, (Long) v);
                case FLOAT64 -> r.float64(f, (Double) v);
                case BOOL -> r.bool(f, (Boolean) v);
                case STRING_LIST -> call.stopSequences().forEach(r::stopSequence);
                case MESSAGES -> call.messages().forEach(m -> r.message(m.role(), m.content(), m.name(), m.toolCallId()));
                case ATTRIBUTES -> call.attributes().forEach(r::attribute);
            }
        }
        int status = r.commit();
        assertThat(r.commit()).as("a second commit").isEqualTo(AppendStatus.NOT_STARTED);
        r.close(); // nothing open: a no-op
        return status;
    }

    /** Calls an application might make by mistake: each returns quietly and logs nothing. */
    private void misuse(PromptLog log) {
        switch (rnd.nextInt(6)) {
            case 0 -> {
                int st = log.append(null);
                assertThat(st).as("append(null)").isNegative();
                misuseDrops += st == AppendStatus.NOT_STARTED ? 0 : 1; // a drop the log counts
            }
            case 1 -> assertThat(log.resume(rnd.nextBoolean() ? Long.MIN_VALUE : -rnd.nextInt(1000)).complete())
                    .isEqualTo(AppendStatus.NOT_STARTED); // not a handle (a forged positive one is not caught)
            case 2 -> assertThat(log.resume(-1).fail("x", null)).isEqualTo(AppendStatus.NOT_STARTED);
            default -> { }
        }
    }

    // ---- the generator ----

    private LlmCall randomCall(int i) {
        LlmCall.Builder b = LlmCall.builder();
        for (CallField f : CallField.values()) {
            if (f == CallField.NO_TEXT || rnd.nextInt(4) == 0) {
                continue; // absent
            }
            b.set(f, switch (f.type()) {
                case STRING -> text(f == CallField.CALL_ID ? 0 : 1);
                case INT64 -> anyLong();
                case TIMESTAMP_MICROS -> startTime();
                case FLOAT64 -> anyDouble();
                case BOOL -> rnd.nextBoolean();
                case STRING_LIST -> stringList();
                case MESSAGES -> messages();
                case ATTRIBUTES -> attributes();
            });
        }
        // a unique id to find the call by, hostile characters included; short, so no truncation cuts it
        String id = "fz-" + i + "-" + shortText().substring(0, 1) + shortText().substring(0, 1) + shortText().substring(0, 1);
        return b.callId(id).build();
    }

    private String text(int bigWeight) {
        int k = rnd.nextInt(20);
        if (k == 0 && bigWeight > 0 && bigLeft > 0) {
            bigLeft--;
            return big();
        }
        if (k < 3) {
            return "";
        }
        return shortText();
    }

    /** 1-200 chars drawn from a mix of ASCII, NUL and control chars, any UTF-16 unit (lone surrogates), and emoji. */
    private String shortText() {
        int n = 1 + rnd.nextInt(rnd.nextInt(10) == 0 ? 2000 : 40);
        StringBuilder s = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            switch (rnd.nextInt(6)) {
                case 0 -> s.append((char) rnd.nextInt(32)); // NUL and control chars
                case 1 -> s.append((char) rnd.nextInt(0x10000)); // any unit: lone surrogates included
                case 2 -> s.appendCodePoint(0x1F600 + rnd.nextInt(80)); // a surrogate pair
                case 3 -> s.append(rnd.nextBoolean() ? '\uD83D' : '\uDE00'); // a lone half, on purpose
                default -> s.append((char) (32 + rnd.nextInt(95)));
            }
        }
        return s.toString();
    }

    /** A 10 MB string (UTF-8), mostly ASCII with multi-byte chars and a lone surrogate inside. */
    private String big() {
        StringBuilder s = new StringBuilder(10_000_000);
        while (s.length() < 9_000_000) {
            s.append("The quick brown fox é 日本 😀 \u0000 ");
        }
        s.insert(rnd.nextInt(s.length()), '\uD800');
        return s.toString();
    }

    private long anyLong() {
        return switch (rnd.nextInt(6)) {
            case 0 -> -1 - rnd.nextInt(1_000_000); // negative counts and durations
            case 1 -> rnd.nextBoolean() ? Long.MIN_VALUE : Long.MAX_VALUE;
            case 2 -> 0;
            case 3 -> rnd.nextLong();
            default -> rnd.nextInt(100_000);
        };
    }

    private long startTime() {
        long day = 86_400_000_000L;
        return switch (rnd.nextInt(5)) {
            case 0 -> -rnd.nextInt(20_000) * day - rnd.nextInt(1_000_000); // before 1970
            case 1 -> 0;
            default -> 1_700_000_000_000_000L + (long) (rnd.nextDouble() * 3_000 * day); // 2023-2031
        };
    }

    private double anyDouble() {
        return switch (rnd.nextInt(8)) {
            case 0 -> Double.NaN;
            case 1 -> rnd.nextBoolean() ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
            case 2 -> -0.0;
            case 3 -> rnd.nextBoolean() ? Double.MIN_VALUE : -Double.MAX_VALUE;
            case 4 -> -rnd.nextDouble() * 1e6;
            default -> rnd.nextDouble() * 2;
        };
    }

    private List<String> stringList() {
        int n = rnd.nextInt(6);
        List<String> l = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            l.add(text(0));
        }
        return l;
    }

    private List<Message> messages() {
        int n = rnd.nextInt(50) == 0 ? 2000 + rnd.nextInt(3000) : rnd.nextInt(8);
        List<Message> l = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            l.add(new Message(Objects.requireNonNullElse(nullable(), ""), n > 100 ? shortText() : nullableText(),
                    nullable(), nullable()));
        }
        return l;
    }

    private String nullable() {
        return rnd.nextInt(3) == 0 ? null : shortText();
    }

    private String nullableText() {
        return rnd.nextInt(5) == 0 ? null : text(1);
    }

    private Map<String, String> attributes() {
        int n = rnd.nextInt(50) == 0 ? 5000 + rnd.nextInt(5000) : rnd.nextInt(6);
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            m.put("k" + i + shortText(), text(0));
        }
        return m;
    }

    // ---- the model of what is stored ----

    /** The call id as stored: lone surrogates replaced. */
    private static String asStored(String s) {
        return (String) stored(s);
    }

    /** A value as the record layout stores it: every lone surrogate of a text becomes U+FFFD. */
    private static Object stored(Object v) {
        if (v instanceof String s) {
            StringBuilder b = null;
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                boolean pair = Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
                if (pair) {
                    if (b != null) {
                        b.append(c).append(s.charAt(i + 1));
                    }
                    i++;
                    continue;
                }
                if (Character.isSurrogate(c)) {
                    if (b == null) {
                        b = new StringBuilder(s.length()).append(s, 0, i);
                    }
                    b.append('\uFFFD');
                } else if (b != null) {
                    b.append(c);
                }
            }
            return b == null ? s : b.toString();
        }
        if (v instanceof List<?> l) {
            if (l.isEmpty()) {
                return null; // an empty list is stored as an absent one
            }
            List<Object> out = new ArrayList<>(l.size());
            for (Object o : l) {
                out.add(o instanceof Message m ? new Message((String) stored(m.role()), (String) stored(m.content()),
                        (String) stored(m.name()), (String) stored(m.toolCallId())) : stored(o));
            }
            return out;
        }
        if (v instanceof Map<?, ?> m) {
            if (m.isEmpty()) {
                return null; // an empty map is stored as an absent one
            }
            Map<Object, Object> out = new LinkedHashMap<>();
            m.forEach((k, val) -> out.put(stored(k), stored(val)));
            return out;
        }
        return v;
    }

    /** Whether a truncated record's value is the logged one, or a text cut to a prefix (possibly empty or absent). */
    private static boolean fitsTruncated(Object expected, Object actual) {
        if (same(expected, actual)) {
            return true;
        }
        if (expected instanceof String e) {
            return actual == null || actual instanceof String a && e.startsWith(a);
        }
        if (expected instanceof Map<?, ?> e && actual instanceof Map<?, ?> a) {
            // every string is cut to one cap, keys included: compare entry by entry, in order
            return fitsTruncated(new ArrayList<>(e.keySet()), new ArrayList<>(a.keySet()))
                    && fitsTruncated(new ArrayList<>(e.values()), new ArrayList<>(a.values()));
        }
        if (expected instanceof List<?> e && actual instanceof List<?> a) {
            if (a.size() != e.size()) {
                return false;
            }
            for (int i = 0; i < e.size(); i++) {
                Object x = e.get(i);
                Object y = a.get(i);
                boolean ok = x instanceof Message mx && y instanceof Message my
                        ? fitsTruncated(mx.role(), my.role()) && fitsTruncated(mx.content(), my.content())
                        && fitsTruncated(mx.name(), my.name()) && fitsTruncated(mx.toolCallId(), my.toolCallId())
                        : fitsTruncated(x, y);
                if (!ok) {
                    return false;
                }
            }
            return true;
        }
        return false;
    }

    /** Equal, where a double compares as a number (-0.0 read back as 0.0 is the same value; NaN is NaN). */
    private static boolean same(Object expected, Object actual) {
        if (expected instanceof Double x && actual instanceof Double y) {
            return x.equals(y) || x.doubleValue() == y.doubleValue();
        }
        return Objects.equals(expected, actual);
    }

    /** The first difference between two attribute maps, or null when they are equal. */
    private static String mapDifference(Object expected, Object actual) {
        if (Objects.equals(expected, actual)) {
            return null;
        }
        if (!(expected instanceof Map<?, ?> e) || !(actual instanceof Map<?, ?> a)) {
            return "logged " + brief(expected) + ", read " + brief(actual);
        }
        for (Map.Entry<?, ?> x : e.entrySet()) {
            if (!a.containsKey(x.getKey())) {
                String key = String.valueOf(x.getKey());
                String twin = a.keySet().stream().map(String::valueOf).filter(k -> !e.containsKey(k)
                        && k.regionMatches(0, key, 0, Math.min(4, key.length()))).findFirst().orElse(null);
                int at = 0;
                while (twin != null && at < Math.min(key.length(), twin.length()) && key.charAt(at) == twin.charAt(at)) {
                    at++;
                }
                return e.size() + " logged, " + a.size() + " read; key missing: " + brief(key) + (twin == null ? ""
                        : "; read instead " + brief(twin) + ", first differing at char " + at + " (lengths " + key.length() + ", " + twin.length() + "): logged "
                        + printable(key.substring(at, Math.min(at + 3, key.length()))) + ", read "
                        + printable(twin.substring(at, Math.min(at + 3, twin.length()))));
            }
            if (!Objects.equals(x.getValue(), a.get(x.getKey()))) {
                return "key " + brief(x.getKey()) + ": logged " + brief(x.getValue()) + ", read " + brief(a.get(x.getKey()));
            }
        }
        for (Object k : a.keySet()) {
            if (!e.containsKey(k)) {
                return e.size() + " logged, " + a.size() + " read; key not logged: " + brief(k);
            }
        }
        return "same entries, different order";
    }

    private static String brief(Object v) {
        String s = String.valueOf(v);
        return printable(s.length() > 300 ? s.substring(0, 300) + "... (" + s.length() + " chars)" : s);
    }

    /** Control characters and surrogates as backslash-u escapes, so a failure message prints whole. */
    private static String printable(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            if (c < 32 || c == 127 || Character.isSurrogate(c)) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }
}
