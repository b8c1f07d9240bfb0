package io.promptlog.integrations;

import io.promptlog.writer.LlmCall;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The HTTP-level hook shared by the openai-java, anthropic-java and JDK {@code HttpClient} integrations:
 * it recognises an LLM API request by its path, and turns the request and response bytes into one
 * record per logical call. Supported: OpenAI Chat Completions ({@code .../chat/completions}) and Responses
 * ({@code .../responses}), and Anthropic Messages ({@code .../messages}), JSON or server-sent events.
 *
 * <p>An adapter calls {@link #begin} for every HTTP attempt, on the app's thread (that is where the
 * OpenTelemetry span is current), then reports the response or the failure to the returned
 * {@link LlmHttpExchange} and hands the response body through {@link LlmHttpExchange#responseBody}.
 *
 * <p><b>Retries.</b> Clients that retry on their own (the Stainless-generated SDKs: openai-java,
 * anthropic-java) mark each attempt with {@code X-Stainless-Retry-Count}. With {@link
 * Builder#clientRetries(boolean)} on, an attempt that ends in a retryable way (HTTP 408, 409, 429, 5xx
 * unless {@code x-should-retry: false}, or an I/O error) is held for {@link Builder#retryWindow} (default
 * 10 s, longer than the SDKs' 8 s maximum back-off): if the next attempt of the same request arrives, the
 * two are one call (attribute {@code attempts}, and {@code retried_after} listing the earlier outcomes);
 * if not, the held attempt is recorded as the call's final outcome. {@link #close()} records whatever is
 * still held.
 */
public final class LlmHttpHook implements AutoCloseable {
    static final String RETRY_COUNT_HEADER = "X-Stainless-Retry-Count";

    private final PromptLogHooks hooks;
    private final String provider;
    private final boolean clientRetries;
    private final long retryWindowNanos;
    private final Map<Key, Held> held = new ConcurrentHashMap<>();
    private volatile ScheduledExecutorService timer;
    private volatile boolean closed;

    private LlmHttpHook(Builder b) {
        this.hooks = b.hooks;
        this.provider = b.provider;
        this.clientRetries = b.clientRetries;
        this.retryWindowNanos = b.retryWindow.toNanos();
    }

    public static Builder builder(PromptLogHooks hooks) {
        return new Builder(hooks);
    }

    public PromptLogHooks hooks() {
        return hooks;
    }

    /**
     * Starts one HTTP attempt. Returns null (log nothing) when the request is not one this hook parses.
     * Never throws: a failure is counted in {@link PromptLogHooks#stats()} and null returned.
     *
     * @param method        HTTP method
     * @param path          the URL path (a query string is ignored)
     * @param requestBody   the request body bytes (UTF-8 JSON), or null
     * @param requestHeader case-insensitive lookup of a request header's first value, or null
     */
    public LlmHttpExchange begin(String method, String path, byte[] requestBody, Function<String, String> requestHeader) {
        try {
            Protocol protocol = protocol(method, path);
            if (protocol == null) {
                return null;
            }
            int retryCount = retryCount(requestHeader);
            Key key = clientRetries ? new Key(path, requestBody == null ? ByteBuffer.allocate(0) : ByteBuffer.wrap(requestBody)) : null;
            Call call = null;
            if (key != null && retryCount > 0) {
                Held h = held.remove(key);
                if (h != null) {
                    h.cancel();
                    call = h.call;
                    call.retriedAfter.add(h.outcome);
                    call.attempts++;
                }
            }
            if (call == null) {
                call = new Call(protocol, request(protocol, requestBody), key, retryCount + 1);
            }
            return new LlmHttpExchange(this, call);
        } catch (Throwable t) {
            hooks.failed("begin " + path, t);
            return null;
        }
    }

    private LlmCall request(Protocol protocol, byte[] body) {
        LlmCall.Builder b = LlmCall.builder().provider(provider != null ? provider : protocol.provider());
        hooks.captureTraceIds(b);
        if (body != null && body.length > 0) {
            Map<String, Object> json = Json.obj(Json.tryParse(new String(body, StandardCharsets.UTF_8)));
            if (json != null) {
                protocol.request(json, b);
            } else {
                b.attribute("request_body", "not a JSON object");
            }
        }
        return b.build();
    }

    /**
     * True when {@code method} and {@code path} are a call this hook records (POST to a Chat Completions,
     * Responses or Messages endpoint), so an adapter reads a request body only when it will be used.
     */
    public static boolean isLlmRequest(String method, String path) {
        return protocol(method, path) != null;
    }

    static Protocol protocol(String method, String path) {
        if (path == null || !"POST".equalsIgnoreCase(method)) {
            return null;
        }
        int q = path.indexOf('?');
        String p = q >= 0 ? path.substring(0, q) : path;
        while (p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        if (p.endsWith("/chat/completions")) {
            return OpenAiChatProtocol.INSTANCE;
        }
        if (p.endsWith("/responses")) {
            return OpenAiResponsesProtocol.INSTANCE;
        }
        if (p.endsWith("/messages")) {
            return AnthropicMessagesProtocol.INSTANCE;
        }
        return null;
    }

    private static int retryCount(Function<String, String> requestHeader) {
        String v = requestHeader == null ? null : requestHeader.apply(RETRY_COUNT_HEADER);
        if (v == null) {
            return 0;
        }
        try {
            return Math.max(0, Integer.parseInt(v.strip()));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** Called once per attempt by its exchange, with the attempt's finished record. */
    void attemptEnded(Call call, LlmCall.Builder record, boolean retryable, String outcome) {
        if (clientRetries && retryable && call.key != null && !closed) {
            Held h = new Held(call, record, outcome);
            Held prior = held.put(call.key, h);
            if (prior != null) {
                prior.cancel();
                recordFinal(prior);
            }
            h.flush = timer().schedule(() -> {
                if (held.remove(call.key, h)) {
                    recordFinal(h);
                }
            }, retryWindowNanos, TimeUnit.NANOSECONDS);
            return;
        }
        recordFinal(call, record);
    }

    private void recordFinal(Held h) {
        recordFinal(h.call, h.record);
    }

    private void recordFinal(Call call, LlmCall.Builder record) {
        if (call.attempts > 1) {
            record.attribute("attempts", Integer.toString(call.attempts));
        }
        if (!call.retriedAfter.isEmpty()) {
            record.attribute("retried_after", String.join(",", call.retriedAfter));
        }
        hooks.record(record);
    }

    private ScheduledExecutorService timer() {
        ScheduledExecutorService t = timer;
        if (t == null) {
            synchronized (this) {
                t = timer;
                if (t == null) {
                    t = Executors.newSingleThreadScheduledExecutor(r -> {
                        Thread th = new Thread(r, "promptlog-retry-window");
                        th.setDaemon(true);
                        return th;
                    });
                    timer = t;
                }
            }
        }
        return t;
    }

    /** Records every attempt still held in its retry window, and stops the window's timer thread. */
    @Override
    public void close() {
        closed = true;
        flush();
        ScheduledExecutorService t = timer;
        if (t != null) {
            t.shutdownNow();
        }
    }

    /** Records every attempt held in its retry window now, as its call's final outcome; the hook stays open. */
    public void flush() {
        for (Key k : held.keySet()) {
            Held h = held.remove(k);
            if (h != null) {
                h.cancel();
                recordFinal(h);
            }
        }
    }

    /** One request: path and body bytes (the SDKs resend the same bytes on a retry). */
    private record Key(String path, ByteBuffer body) {
    }

    private static final class Held {
        final Call call;
        final LlmCall.Builder record;
        final String outcome;
        volatile ScheduledFuture<?> flush;

        Held(Call call, LlmCall.Builder record, String outcome) {
            this.call = call;
            this.record = record;
            this.outcome = outcome;
        }

        void cancel() {
            ScheduledFuture<?> f = flush;
            if (f != null) {
                f.cancel(false);
            }
        }
    }

    /** A logical call: the request's fields, parsed once, and the attempts made so far. */
    static final class Call {
        final Protocol protocol;
        final LlmCall request;
        final Key key;
        final long startNanos = System.nanoTime();
        final long startMicros = epochMicros();
        final java.util.List<String> retriedAfter = new java.util.concurrent.CopyOnWriteArrayList<>();
        volatile int attempts;

        Call(Protocol protocol, LlmCall request, Key key, int attempts) {
            this.protocol = protocol;
            this.request = request;
            this.key = key;
            this.attempts = attempts;
        }

        private static long epochMicros() {
            java.time.Instant now = java.time.Instant.now();
            return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
        }
    }

    /** Builds an {@link LlmHttpHook}. */
    public static final class Builder {
        private final PromptLogHooks hooks;
        private String provider;
        private boolean clientRetries;
        private Duration retryWindow = Duration.ofSeconds(10);

        private Builder(PromptLogHooks hooks) {
            this.hooks = Objects.requireNonNull(hooks, "hooks");
        }

        /** The {@code provider} recorded (default: "openai" or "anthropic" from the API's shape). */
        public Builder provider(String provider) {
            if (provider != null && provider.isBlank()) {
                throw new IllegalArgumentException("provider must not be blank, got '" + provider + "'");
            }
            this.provider = provider;
            return this;
        }

        /** Whether the client retries on its own and marks attempts with X-Stainless-Retry-Count (default false). */
        public Builder clientRetries(boolean on) {
            this.clientRetries = on;
            return this;
        }

        /** How long a retryable failed attempt waits for the client's next attempt (default 10 s). */
        public Builder retryWindow(Duration window) {
            if (window == null || window.isNegative() || window.isZero()) {
                throw new IllegalArgumentException("retryWindow must be positive, got " + window);
            }
            this.retryWindow = window;
            return this;
        }

        public LlmHttpHook build() {
            return new LlmHttpHook(this);
        }
    }
}
