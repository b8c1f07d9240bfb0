package io.promptlog.benchmarks;

import io.promptlog.synthetic.SyntheticCalls;
import io.promptlog.writer.CallField;
import io.promptlog.writer.LlmCall;
import io.promptlog.writer.Message;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The benchmark workload: pools of calls from {@link SyntheticCalls} (skewed choice among a set of system
 * prompts, multi-turn history, unique user messages and responses, Unicode, ~5% errors), shaped to a size
 * class. The system prompt set of each class is sized for it; a call over its target (drawn uniformly in
 * +-20% of the class size) loses its oldest history turns first, then the tail of its response, then of
 * its last user message. Every peer logs the same pool, in the same order.
 */
public enum Workload {
    K1(1024, 200, 600),
    K4(4096, 1700, 3800),
    K16(16384, 11_500, 17_500);

    /** Calls per pool: enough that caches see realistic variety, small enough to hold in memory. */
    public static final int POOL_SIZE = 1024;
    public static final long SEED = 20261127L;

    private final int targetBytes;
    private final int minPromptChars;
    private final int maxPromptChars;

    Workload(int targetBytes, int minPromptChars, int maxPromptChars) {
        this.targetBytes = targetBytes;
        this.minPromptChars = minPromptChars;
        this.maxPromptChars = maxPromptChars;
    }

    /** Suffix of a size name ("4k-newprompt") whose every call has a system prompt of its own. */
    public static final String NEW_PROMPT = "-newprompt";
    /**
     * Suffix of a size name ("4k-agent") whose calls take {@link #AGENT_STEPS} system prompts in strict
     * rotation: an agent's steps, one after the other on the request's thread, so no prompt comes twice
     * in a row.
     */
    public static final String AGENT = "-agent";
    private static final int AGENT_STEPS = 6;

    /**
     * The pool for a size name: "1k", "4k", "16k", or one of them with {@link #NEW_PROMPT}, where each
     * call's system prompt is made unique (the writer's path for a prompt it has not seen: no reference),
     * or with {@link #AGENT}.
     */
    public static BenchCall[] poolFor(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        if (n.endsWith(NEW_PROMPT)) {
            return of(n.substring(0, n.length() - NEW_PROMPT.length())).pool(POOL_SIZE, Prompts.UNIQUE);
        }
        if (n.endsWith(AGENT)) {
            return of(n.substring(0, n.length() - AGENT.length())).pool(POOL_SIZE, Prompts.AGENT);
        }
        return of(n).pool();
    }

    /** "1k", "4k" or "16k". */
    public static Workload of(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "1k" -> K1;
            case "4k" -> K4;
            case "16k" -> K16;
            default -> throw new IllegalArgumentException("size must be 1k, 4k or 16k, was " + name);
        };
    }

    public String label() {
        return (targetBytes / 1024) + "k";
    }

    public int targetBytes() {
        return targetBytes;
    }

    public BenchCall[] pool() {
        return pool(POOL_SIZE);
    }

    public BenchCall[] pool(int count) {
        return pool(count, Prompts.AS_DRAWN);
    }

    /**
     * Which system prompt each call of a pool gets: the one the generator drew, a unique one
     * ({@link #NEW_PROMPT}), or prompt i % {@link #AGENT_STEPS} of the class's set ({@link #AGENT}).
     */
    private enum Prompts { AS_DRAWN, UNIQUE, AGENT }

    private BenchCall[] pool(int count, Prompts prompts) {
        SyntheticCalls synthetic = new SyntheticCalls(SEED, 24, minPromptChars, maxPromptChars);
        List<String> set = synthetic.systemPrompts();
        SplittableRandom rnd = new SplittableRandom(SEED + ordinal());
        BenchCall[] out = new BenchCall[count];
        for (int i = 0; i < count; i++) {
            int target = (int) (targetBytes * (0.8 + 0.4 * rnd.nextDouble()));
            LlmCall call = synthetic.call(i);
            if (prompts == Prompts.UNIQUE && call.systemPrompt() != null) {
                call = call.toBuilder().systemPrompt("[variant " + i + "] " + call.systemPrompt()).build();
            } else if (prompts == Prompts.AGENT) {
                call = call.toBuilder().systemPrompt(set.get(i % AGENT_STEPS)).build();
            }
            out[i] = shape(call, target);
            out[i].poolIndex = i;
        }
        return out;
    }

    private static BenchCall shape(LlmCall call, int target) {
        BenchCall c = new BenchCall(call);
        if (c.recordBytes <= target) {
            return c;
        }
        List<Message> msgs = new ArrayList<>(call.messages());
        // oldest history turns first (keep the last user message)
        while (msgs.size() > 1 && c.recordBytes > target) {
            msgs.remove(0);
            call = call.toBuilder().messages(msgs).build();
            c = new BenchCall(call);
        }
        int over = c.recordBytes - target;
        String response = call.response();
        if (over > 0 && response != null) {
            call = call.toBuilder().response(cut(response, Math.max(16, response.length() - over))).build();
            c = new BenchCall(call);
            over = c.recordBytes - target;
        }
        if (over > 0 && !msgs.isEmpty()) {
            Message last = msgs.get(msgs.size() - 1);
            String content = last.content() == null ? "" : last.content();
            msgs.set(msgs.size() - 1, new Message(last.role(), cut(content, Math.max(16, content.length() - over)),
                    last.name(), last.toolCallId()));
            call = call.toBuilder().messages(msgs).build();
            c = new BenchCall(call);
        }
        return c;
    }

    /** The first n chars of s, never splitting a surrogate pair. */
    static String cut(String s, int n) {
        if (n >= s.length()) {
            return s;
        }
        if (n > 0 && Character.isHighSurrogate(s.charAt(n - 1))) {
            n--;
        }
        return s.substring(0, n);
    }

    /** Mean, min and max record size of a pool, for the report. */
    public static String describe(BenchCall[] pool) {
        long sum = 0;
        int min = Integer.MAX_VALUE;
        int max = 0;
        int prompts = 0;
        for (BenchCall c : pool) {
            sum += c.recordBytes;
            min = Math.min(min, c.recordBytes);
            max = Math.max(max, c.recordBytes);
            if (c.value.get(CallField.SYSTEM_PROMPT) != null) {
                prompts++;
            }
        }
        return String.format(Locale.ROOT, "%d calls, record bytes mean %d min %d max %d, %d with a system prompt",
                pool.length, sum / pool.length, min, max, prompts);
    }

    public static void main(String[] args) {
        for (Workload w : values()) {
            System.out.println(w.label() + ": " + describe(w.pool()));
        }
    }
}
