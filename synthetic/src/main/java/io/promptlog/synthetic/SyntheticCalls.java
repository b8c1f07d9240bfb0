package io.promptlog.synthetic;

import io.promptlog.writer.CallField;
import io.promptlog.writer.CallRecorder;
import io.promptlog.writer.LlmCall;
import io.promptlog.writer.Message;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Realistic synthetic LLM calls for the demo, load generation, tests and benchmarks. Deterministic: call
 * number {@code seq} of a given seed is always the same call, whatever order calls are made in.
 *
 * <p>The mix: system prompts drawn from a small set with a skewed (Zipf, s = 1.2) distribution, so a few
 * prompts carry most traffic; 0-6 earlier turns of history; unique user messages and responses with some
 * Unicode (accents, CJK, RTL, emoji); six models of two providers with their token prices; about 5%
 * errors (no response), 1% flagged, 0.5% prompt-injection attempts; streaming calls with time to first
 * token. Every call carries {@code attributes.seq = seq}.
 *
 * <p>Not thread-safe (it reuses text buffers so that {@link #record} allocates little): use one instance
 * per thread; instances with the same seed produce the same calls.
 */
public final class SyntheticCalls {
    /** 2026-11-20T00:00:00Z: default time of call 0. */
    public static final long DEFAULT_BASE_MICROS = 1_795_132_800_000_000L;
    /** Default spacing of start times: 2 s per call, so 200k calls cover ~4.6 days. */
    public static final long DEFAULT_SPACING_MICROS = 2_000_000L;

    private static final String[] HOSTS = {"app-1", "app-2", "app-3"};

    private final long seed;
    private final List<String> systemPrompts;
    private final double[] promptCdf;
    private final int[] modelCdf;
    private final long baseMicros;
    private final long spacingMicros;
    /** 0: independent calls; else turns per conversation (see {@link #chat}). */
    private final int chatTurns;
    private final StringBuilder text = new StringBuilder(8192);
    private final StringBuilder text2 = new StringBuilder(8192);
    private final StringBuilder id = new StringBuilder(64);

    public SyntheticCalls(long seed) {
        this(seed, 24, 1024, 16 * 1024);
    }

    public SyntheticCalls(long seed, int systemPromptCount, int minPromptChars, int maxPromptChars) {
        this(seed, systemPromptCount, minPromptChars, maxPromptChars, DEFAULT_BASE_MICROS, DEFAULT_SPACING_MICROS);
    }

    /**
     * @param baseMicros    start time of call 0, microseconds since the epoch
     * @param spacingMicros start time step between consecutive calls
     */
    public SyntheticCalls(long seed, int systemPromptCount, int minPromptChars, int maxPromptChars,
                          long baseMicros, long spacingMicros) {
        this(seed, systemPromptCount, minPromptChars, maxPromptChars, baseMicros, spacingMicros, 0);
    }

    /**
     * A multi-turn chat workload, as chat apps and agents call models: calls come in conversations of
     * {@code turns} consecutive seqs (conversation {@code seq / turns}, turn {@code seq % turns}), and every
     * call re-sends the whole conversation so far: the user messages and the assistant's earlier responses
     * (each the exact response of the earlier turn's call; for a turn that failed, the response a retry
     * got), then the new user message. One model, system prompt and session per conversation.
     */
    public static SyntheticCalls chat(long seed, int systemPromptCount, int minPromptChars, int maxPromptChars,
                                      int turns) {
        if (turns < 1) {
            throw new IllegalArgumentException("turns per conversation must be >= 1, was " + turns);
        }
        return new SyntheticCalls(seed, systemPromptCount, minPromptChars, maxPromptChars, DEFAULT_BASE_MICROS,
                DEFAULT_SPACING_MICROS, turns);
    }

    private SyntheticCalls(long seed, int systemPromptCount, int minPromptChars, int maxPromptChars,
                           long baseMicros, long spacingMicros, int chatTurns) {
        if (systemPromptCount < 1) {
            throw new IllegalArgumentException("systemPromptCount must be >= 1, was " + systemPromptCount);
        }
        if (minPromptChars < 1 || maxPromptChars < minPromptChars) {
            throw new IllegalArgumentException("prompt chars must satisfy 1 <= min <= max, were " + minPromptChars
                    + ".." + maxPromptChars);
        }
        if (spacingMicros < 0) {
            throw new IllegalArgumentException("spacingMicros must be >= 0, was " + spacingMicros);
        }
        this.seed = seed;
        this.chatTurns = chatTurns;
        this.baseMicros = baseMicros;
        this.spacingMicros = spacingMicros;
        SplittableRandom rnd = new SplittableRandom(seed ^ 0x5DEECE66DL);
        List<String> prompts = new ArrayList<>(systemPromptCount);
        for (int i = 0; i < systemPromptCount; i++) {
            int chars = minPromptChars + (int) ((long) (maxPromptChars - minPromptChars) * i / Math.max(1, systemPromptCount - 1));
            prompts.add(systemPrompt(rnd, i, chars));
        }
        // shuffle lengths against popularity so the popular prompt is not always the shortest
        Collections.shuffle(prompts, new java.util.Random(seed));
        this.systemPrompts = Collections.unmodifiableList(prompts);
        this.promptCdf = zipfCdf(systemPromptCount, 1.2);
        int[] cdf = new int[Vocabulary.MODEL_WEIGHT.length];
        int sum = 0;
        for (int i = 0; i < cdf.length; i++) {
            sum += Vocabulary.MODEL_WEIGHT[i];
            cdf[i] = sum;
        }
        this.modelCdf = cdf;
    }

    public List<String> systemPrompts() {
        return systemPrompts;
    }

    public long seed() {
        return seed;
    }

    /** Start time of call {@code seq}. */
    public long startTimeMicros(long seq) {
        return baseMicros + seq * spacingMicros;
    }

    /** Call number {@code seq} as a value. */
    public LlmCall call(long seq) {
        LlmCall.Builder b = LlmCall.builder();
        generate(seq, new Sink() {
            final List<Message> messages = new ArrayList<>();
            final List<String> stops = new ArrayList<>();
            final java.util.Map<String, String> attrs = new java.util.LinkedHashMap<>();

            @Override
            public void string(CallField f, CharSequence v) {
                b.set(f, v.toString());
            }

            @Override
            public void int64(CallField f, long v) {
                b.set(f, v);
            }

            @Override
            public void float64(CallField f, double v) {
                b.set(f, v);
            }

            @Override
            public void bool(CallField f, boolean v) {
                b.set(f, v);
            }

            @Override
            public void message(CharSequence role, CharSequence content) {
                messages.add(Message.of(role.toString(), content.toString()));
                b.set(CallField.MESSAGES, messages);
            }

            @Override
            public void stop(CharSequence s) {
                stops.add(s.toString());
                b.set(CallField.STOP_SEQUENCES, stops);
            }

            @Override
            public void attribute(CharSequence k, CharSequence v) {
                attrs.put(k.toString(), v.toString());
                b.set(CallField.ATTRIBUTES, attrs);
            }
        });
        return b.build();
    }

    /** Fills a begun recorder with call {@code seq} (the caller commits). */
    public void record(CallRecorder r, long seq) {
        generate(seq, new RecorderSink(r));
    }

    /** Where generated fields go: a recorder or a value builder. */
    private interface Sink {
        void string(CallField f, CharSequence v);

        void int64(CallField f, long v);

        void float64(CallField f, double v);

        void bool(CallField f, boolean v);

        void message(CharSequence role, CharSequence content);

        void stop(CharSequence s);

        void attribute(CharSequence k, CharSequence v);
    }

    private static final class RecorderSink implements Sink {
        private final CallRecorder r;

        RecorderSink(CallRecorder r) {
            this.r = r;
        }

        @Override
        public void string(CallField f, CharSequence v) {
            r.string(f, v);
        }

        @Override
        public void int64(CallField f, long v) {
            r.int64(f, v);
        }

        @Override
        public void float64(CallField f, double v) {
            r.float64(f, v);
        }

        @Override
        public void bool(CallField f, boolean v) {
            r.bool(f, v);
        }

        @Override
        public void message(CharSequence role, CharSequence content) {
            r.message(role, content);
        }

        @Override
        public void stop(CharSequence s) {
            r.stopSequence(s);
        }

        @Override
        public void attribute(CharSequence k, CharSequence v) {
            r.attribute(k, v);
        }
    }

    private static final long CHAT_SALT = 0x6368_6174_7475_726EL;

    /** Whether a turn's user message is a prompt-injection attempt (0.5%), the same wherever the turn is re-sent. */
    private boolean chatInjection(long conversation, int turn) {
        return new SplittableRandom(mix(seed ^ ~CHAT_SALT, conversation * 1024 + turn)).nextInt(200) == 0;
    }

    /** The user message ({@code user}) or the assistant's response of one turn of a conversation, into {@code out}. */
    private void chatTurn(long conversation, int turn, boolean user, StringBuilder out) {
        SplittableRandom r = new SplittableRandom(mix(seed ^ CHAT_SALT, conversation * 1024 + turn * 2 + (user ? 0 : 1)));
        if (user && chatInjection(conversation, turn)) {
            out.setLength(0);
            out.append(Vocabulary.INJECTIONS[r.nextInt(Vocabulary.INJECTIONS.length)]).append(' ');
            appendSentence(r, 6, out);
        } else if (user) {
            sentence(r, 8 + r.nextInt(50), out);
        } else {
            sentence(r, 30 + r.nextInt(200), out);
        }
    }

    private void generate(long seq, Sink s) {
        SplittableRandom rnd = new SplittableRandom(mix(seed, seq));
        long start = startTimeMicros(seq) + rnd.nextInt(1_000_000);
        int model = pickModel(rnd);
        int prompt = pickPrompt(rnd);
        long conversation = chatTurns == 0 ? seq / 4 : seq / chatTurns;
        if (chatTurns > 0) {
            // one model and system prompt per conversation
            SplittableRandom c = new SplittableRandom(mix(seed ^ CHAT_SALT, conversation));
            model = pickModel(c);
            prompt = pickPrompt(c);
        }
        boolean error = rnd.nextInt(100) < 5;
        boolean stream = rnd.nextInt(3) == 0;
        boolean injection = rnd.nextInt(200) == 0;
        if (chatTurns > 0) {
            injection = chatInjection(seq / chatTurns, (int) (seq % chatTurns));
        }

        uuid(start, rnd, id);
        s.string(CallField.CALL_ID, id);
        hex(rnd, 32, id);
        s.string(CallField.TRACE_ID, id);
        hex(rnd, 16, id);
        s.string(CallField.SPAN_ID, id);
        id.setLength(0);
        id.append("sess-").append(conversation);
        s.string(CallField.SESSION_ID, id);
        id.setLength(0);
        id.append("user-").append(rnd.nextInt(5000));
        s.string(CallField.USER_ID, id);
        s.string(CallField.SERVICE, Vocabulary.SERVICES[prompt % Vocabulary.SERVICES.length]);
        s.string(CallField.ENVIRONMENT, "prod");
        s.string(CallField.HOST, HOSTS[(int) Math.floorMod(seq, 3L)]);
        s.int64(CallField.START_TIME, start);
        s.string(CallField.PROVIDER, Vocabulary.PROVIDERS[model]);
        s.string(CallField.OPERATION, "chat");
        s.string(CallField.REQUEST_MODEL, Vocabulary.MODELS[model]);
        s.float64(CallField.TEMPERATURE, (rnd.nextInt(11)) / 10.0);
        if (rnd.nextBoolean()) {
            s.float64(CallField.TOP_P, 0.9 + rnd.nextInt(10) / 100.0);
        }
        s.int64(CallField.MAX_TOKENS, 256L << rnd.nextInt(4));
        if (rnd.nextInt(10) == 0) {
            s.int64(CallField.SEED, rnd.nextInt(1000));
            s.stop("\n\nUser:");
        }
        s.bool(CallField.STREAM, stream);
        s.string(CallField.SYSTEM_PROMPT, systemPrompts.get(prompt));
        id.setLength(0);
        id.append("prompt-").append(prompt);
        s.string(CallField.PROMPT_NAME, id);
        id.setLength(0);
        id.append('v').append(1 + (seq / 50_000) % 3);
        s.string(CallField.PROMPT_VERSION, id);

        int turns = chatTurns > 0 ? (int) (seq % chatTurns) : rnd.nextInt(4) == 0 ? rnd.nextInt(7) : rnd.nextInt(2);
        long inputChars = systemPrompts.get(prompt).length();
        for (int t = 0; chatTurns > 0 && t < turns; t++) {
            // the conversation so far: each earlier turn's user message and the response its call returned
            chatTurn(conversation, t, true, text);
            s.message("user", text);
            inputChars += text.length();
            chatTurn(conversation, t, false, text);
            s.message("assistant", text);
            inputChars += text.length();
        }
        for (int t = 0; chatTurns == 0 && t < turns; t++) {
            sentence(rnd, 8 + rnd.nextInt(30), text);
            s.message("user", text);
            inputChars += text.length();
            sentence(rnd, 20 + rnd.nextInt(80), text);
            s.message("assistant", text);
            inputChars += text.length();
        }
        if (chatTurns > 0) {
            chatTurn(conversation, turns, true, text);
        } else if (injection) {
            text.setLength(0);
            text.append(Vocabulary.INJECTIONS[rnd.nextInt(Vocabulary.INJECTIONS.length)]).append(' ');
            appendSentence(rnd, 6, text);
        } else {
            sentence(rnd, 10 + rnd.nextInt(60), text);
        }
        if (chatTurns == 0) {
            text.append(" (ref #").append(seq).append(')');
        }
        s.message("user", text);
        inputChars += text.length();
        long inputTokens = inputChars / 4 + 4L * (turns * 2 + 1);
        s.int64(CallField.INPUT_TOKENS, inputTokens);
        long cached = rnd.nextBoolean() ? (systemPrompts.get(prompt).length() / 4 / 128) * 128 : 0;
        s.int64(CallField.CACHED_INPUT_TOKENS, cached);

        long duration = (long) (200_000 + Math.exp(12 + rnd.nextGaussian() * 0.6));
        s.int64(CallField.DURATION_US, duration);
        if (error) {
            int e = rnd.nextInt(Vocabulary.ERROR_TYPES.length);
            s.string(CallField.STATUS, CallField.STATUS_ERROR);
            s.string(CallField.ERROR_TYPE, Vocabulary.ERROR_TYPES[e]);
            text2.setLength(0);
            text2.append("Error code: ").append(Vocabulary.ERROR_HTTP[e]).append(" - ").append(Vocabulary.ERROR_TYPES[e]);
            s.string(CallField.ERROR_MESSAGE, text2);
            s.int64(CallField.HTTP_STATUS, Vocabulary.ERROR_HTTP[e]);
            s.int64(CallField.OUTPUT_TOKENS, 0);
            s.float64(CallField.COST_USD, 0.0);
        } else {
            if (chatTurns > 0) {
                chatTurn(conversation, turns, false, text2);
            } else {
                sentence(rnd, 30 + rnd.nextInt(200), text2);
            }
            s.string(CallField.RESPONSE, text2);
            long outputTokens = text2.length() / 4 + 1;
            s.int64(CallField.OUTPUT_TOKENS, outputTokens);
            s.string(CallField.RESPONSE_MODEL, Vocabulary.MODELS[model]);
            id.setLength(0);
            id.append(model < 2 || model > 3 ? "chatcmpl-" : "msg_");
            hex(rnd, 24, text);
            id.append(text);
            s.string(CallField.RESPONSE_ID, id);
            s.string(CallField.FINISH_REASON, Vocabulary.FINISH[rnd.nextInt(Vocabulary.FINISH.length)]);
            s.string(CallField.STATUS, CallField.STATUS_OK);
            s.int64(CallField.HTTP_STATUS, 200);
            double cost = ((inputTokens - cached) * Vocabulary.PRICE_IN[model] + cached * Vocabulary.PRICE_IN[model] / 10
                    + outputTokens * Vocabulary.PRICE_OUT[model]) / 1_000_000.0;
            s.float64(CallField.COST_USD, Math.round(cost * 1e8) / 1e8);
            if (stream) {
                s.int64(CallField.TTFT_US, duration / 5 + rnd.nextInt(50_000));
            }
        }
        if (injection || rnd.nextInt(100) == 0) {
            s.bool(CallField.FLAGGED, true);
            s.string(CallField.FLAG_REASON, injection ? "possible prompt injection" : "user thumbs-down");
        }
        id.setLength(0);
        id.append(seq);
        s.attribute("seq", id);
        s.attribute("tenant", Vocabulary.TENANTS[rnd.nextInt(Vocabulary.TENANTS.length)]);
    }

    private int pickPrompt(SplittableRandom rnd) {
        double u = rnd.nextDouble();
        int lo = 0;
        int hi = promptCdf.length - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (promptCdf[mid] < u) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    private int pickModel(SplittableRandom rnd) {
        int u = rnd.nextInt(modelCdf[modelCdf.length - 1]);
        for (int i = 0; i < modelCdf.length; i++) {
            if (u < modelCdf[i]) {
                return i;
            }
        }
        return 0;
    }

    private static double[] zipfCdf(int n, double s) {
        double[] cdf = new double[n];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += 1.0 / Math.pow(i + 1, s);
            cdf[i] = sum;
        }
        for (int i = 0; i < n; i++) {
            cdf[i] /= sum;
        }
        cdf[n - 1] = 1.0;
        return cdf;
    }

    private static String systemPrompt(SplittableRandom rnd, int index, int chars) {
        StringBuilder sb = new StringBuilder(chars + 200);
        sb.append("You are ").append(Vocabulary.ROLES_SYSTEM[index % Vocabulary.ROLES_SYSTEM.length])
                .append(" (profile ").append(index).append(").\n\n# Rules\n");
        int rule = 0;
        while (sb.length() < chars) {
            if (rule < Vocabulary.RULES.length) {
                sb.append(rule + 1).append(". ").append(Vocabulary.RULES[(rule + index) % Vocabulary.RULES.length]).append('\n');
            } else {
                sb.append("\n## Knowledge ").append(rule).append('\n');
                appendSentence(rnd, 40, sb);
                sb.append('\n');
            }
            rule++;
        }
        sb.setLength(chars);
        return sb.toString();
    }

    private static void sentence(SplittableRandom rnd, int words, StringBuilder out) {
        out.setLength(0);
        appendSentence(rnd, words, out);
    }

    private static void appendSentence(SplittableRandom rnd, int words, StringBuilder out) {
        for (int w = 0; w < words; w++) {
            if (w > 0) {
                out.append(rnd.nextInt(12) == 0 ? ", " : " ");
            }
            if (rnd.nextInt(25) == 0) {
                out.append(Vocabulary.UNICODE[rnd.nextInt(Vocabulary.UNICODE.length)]);
            } else {
                out.append(Vocabulary.WORDS[rnd.nextInt(Vocabulary.WORDS.length)]);
            }
        }
        out.append('.');
    }

    private static void hex(SplittableRandom rnd, int digits, StringBuilder out) {
        out.setLength(0);
        for (int i = 0; i < digits; i++) {
            out.append(Character.forDigit(rnd.nextInt(16), 16));
        }
    }

    /** UUIDv7 text for a start time, with random bits from rnd. */
    private static void uuid(long startMicros, SplittableRandom rnd, StringBuilder out) {
        long ms = startMicros / 1000;
        out.setLength(0);
        appendHex(out, ms >>> 16, 8);
        out.append('-');
        appendHex(out, ms & 0xFFFF, 4);
        out.append('-');
        appendHex(out, 0x7000 | (rnd.nextInt(4096)), 4);
        out.append('-');
        appendHex(out, 0x8000 | rnd.nextInt(0x4000), 4);
        out.append('-');
        appendHex(out, rnd.nextLong() & 0xFFFFFFFFFFFFL, 12);
    }

    private static void appendHex(StringBuilder out, long v, int digits) {
        for (int i = digits - 1; i >= 0; i--) {
            out.append(Character.forDigit((int) ((v >>> (4 * i)) & 0xF), 16));
        }
    }

    private static long mix(long seed, long seq) {
        long z = seed * 0x9E3779B97F4A7C15L + seq;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
