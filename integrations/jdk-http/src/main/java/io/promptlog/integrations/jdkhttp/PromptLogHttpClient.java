package io.promptlog.integrations.jdkhttp;

import io.promptlog.integrations.LlmHttpExchange;
import io.promptlog.integrations.LlmHttpHook;
import io.promptlog.integrations.PromptLogHooks;
import io.promptlog.writer.PromptLog;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import java.io.IOException;
import java.net.Authenticator;
import java.net.CookieHandler;
import java.net.ProxySelector;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;

/**
 * A {@link HttpClient} that logs every OpenAI-compatible call made through it (Chat Completions,
 * Responses) and every Anthropic Messages call: wrap the client you already build, keep using it as
 * before.
 *
 * <pre>{@code
 * HttpClient http = PromptLogHttpClient.wrap(HttpClient.newHttpClient(), log);
 * }</pre>
 *
 * <p>Any server speaking those protocols works (OpenAI, Azure OpenAI, vLLM, Ollama, LiteLLM, OpenRouter,
 * ...); set the recorded {@code provider} with {@link LlmHttpHook.Builder#provider}. Requests to other
 * paths pass through untouched. Every {@link HttpResponse.BodyHandler} works: the body reaches it
 * unchanged, buffer by buffer; the call is recorded when the body ends, when the app stops reading it
 * (an abandoned stream is {@code incomplete}), or when the exchange fails. Request headers are never
 * recorded ({@code Authorization} stays out). A request body is read for the record only when its
 * length is known ({@code BodyPublishers.ofString}, {@code ofByteArray}, {@code ofFile}): a publisher of
 * unknown length could be consumed by reading it twice. Nothing of the hook's own is ever thrown:
 * failures are counted in {@link PromptLogHooks#stats()}. Every other method delegates to the wrapped
 * client (on Java 21+ also {@code close}, {@code shutdown}, {@code awaitTermination}).
 */
public final class PromptLogHttpClient extends HttpClient {
    private final HttpClient delegate;
    private final LlmHttpHook hook;

    private PromptLogHttpClient(HttpClient delegate, LlmHttpHook hook) {
        this.delegate = delegate;
        this.hook = hook;
    }

    /** {@code delegate}, logging to {@code log} with the default price table. */
    public static HttpClient wrap(HttpClient delegate, PromptLog log) {
        return wrap(delegate, LlmHttpHook.builder(PromptLogHooks.of(log)).build());
    }

    /** {@code delegate}, logging through a hook configured by hand (provider name, prices). */
    public static HttpClient wrap(HttpClient delegate, LlmHttpHook hook) {
        if (delegate == null || hook == null) {
            throw new NullPointerException(delegate == null ? "delegate HttpClient" : "hook");
        }
        return new PromptLogHttpClient(delegate, hook);
    }

    // ---- the logged exchanges ----------------------------------------------------------------------

    @Override
    public <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler)
            throws IOException, InterruptedException {
        LlmHttpExchange exchange = begin(request);
        if (exchange == null) {
            return delegate.send(request, handler);
        }
        try {
            return delegate.send(request, teed(handler, exchange));
        } catch (IOException | InterruptedException | RuntimeException | Error e) {
            exchange.failed(e);
            throw e;
        }
    }

    @Override
    public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
        return sendAsync(request, handler, null);
    }

    @Override
    public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request, HttpResponse.BodyHandler<T> handler,
                                                            HttpResponse.PushPromiseHandler<T> pushPromiseHandler) {
        LlmHttpExchange exchange = begin(request);
        if (exchange == null) {
            return delegate.sendAsync(request, handler, pushPromiseHandler);
        }
        CompletableFuture<HttpResponse<T>> future;
        try {
            future = delegate.sendAsync(request, teed(handler, exchange), pushPromiseHandler);
        } catch (RuntimeException | Error e) {
            exchange.failed(e);
            throw e;
        }
        future.whenComplete((response, error) -> {
            if (error != null) {
                exchange.failed(error instanceof CompletionException && error.getCause() != null ? error.getCause() : error);
            }
        });
        return future;
    }

    private LlmHttpExchange begin(HttpRequest request) {
        try {
            String path = request.uri().getRawPath();
            if (!LlmHttpHook.isLlmRequest(request.method(), path)) {
                return null;
            }
            HttpHeaders headers = request.headers();
            return hook.begin(request.method(), path, bodyBytes(request), name -> headers.firstValue(name).orElse(null));
        } catch (Throwable t) {
            hook.hooks().failed("java.net.http request", t);
            return null;
        }
    }

    /** The request body, when its publisher has a known length and hands it over synchronously; else null. */
    private static byte[] bodyBytes(HttpRequest request) {
        HttpRequest.BodyPublisher publisher = request.bodyPublisher().orElse(null);
        if (publisher == null || publisher.contentLength() < 0 || publisher.contentLength() > Integer.MAX_VALUE) {
            return null;
        }
        Collector collector = new Collector((int) publisher.contentLength());
        publisher.subscribe(collector);
        return collector.complete ? collector.bytes.toByteArray() : null;
    }

    private <T> HttpResponse.BodyHandler<T> teed(HttpResponse.BodyHandler<T> handler, LlmHttpExchange exchange) {
        return info -> {
            exchange.response(info.statusCode(), name -> info.headers().firstValue(name).orElse(null));
            return new TeeSubscriber<>(handler.apply(info), exchange);
        };
    }

    /** Collects a request body publisher's bytes. */
    private static final class Collector implements Flow.Subscriber<ByteBuffer> {
        final java.io.ByteArrayOutputStream bytes;
        boolean complete;

        Collector(int length) {
            bytes = new java.io.ByteArrayOutputStream(length);
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            subscription.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(ByteBuffer item) {
            ByteBuffer b = item.duplicate();
            byte[] chunk = new byte[b.remaining()];
            b.get(chunk);
            bytes.write(chunk, 0, chunk.length);
        }

        @Override
        public void onError(Throwable throwable) {
            complete = false;
        }

        @Override
        public void onComplete() {
            complete = true;
        }
    }

    /** Passes every buffer to the app's subscriber after the exchange has seen it; tracks cancellation. */
    private static final class TeeSubscriber<T> implements HttpResponse.BodySubscriber<T> {
        private final HttpResponse.BodySubscriber<T> app;
        private final LlmHttpExchange exchange;

        TeeSubscriber(HttpResponse.BodySubscriber<T> app, LlmHttpExchange exchange) {
            this.app = app;
            this.exchange = exchange;
        }

        @Override
        public CompletionStage<T> getBody() {
            return app.getBody();
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            app.onSubscribe(new Flow.Subscription() {
                @Override
                public void request(long n) {
                    subscription.request(n);
                }

                @Override
                public void cancel() {
                    exchange.bodyClosed();
                    subscription.cancel();
                }
            });
        }

        @Override
        public void onNext(List<ByteBuffer> items) {
            for (ByteBuffer b : items) {
                exchange.bodyChunk(b);
            }
            app.onNext(items);
        }

        @Override
        public void onError(Throwable throwable) {
            exchange.bodyFailed(throwable);
            app.onError(throwable);
        }

        @Override
        public void onComplete() {
            exchange.bodyEnded();
            app.onComplete();
        }
    }

    // ---- delegation --------------------------------------------------------------------------------

    @Override
    public Optional<CookieHandler> cookieHandler() {
        return delegate.cookieHandler();
    }

    @Override
    public Optional<Duration> connectTimeout() {
        return delegate.connectTimeout();
    }

    @Override
    public Redirect followRedirects() {
        return delegate.followRedirects();
    }

    @Override
    public Optional<ProxySelector> proxy() {
        return delegate.proxy();
    }

    @Override
    public SSLContext sslContext() {
        return delegate.sslContext();
    }

    @Override
    public SSLParameters sslParameters() {
        return delegate.sslParameters();
    }

    @Override
    public Optional<Authenticator> authenticator() {
        return delegate.authenticator();
    }

    @Override
    public Version version() {
        return delegate.version();
    }

    @Override
    public Optional<Executor> executor() {
        return delegate.executor();
    }

    @Override
    public WebSocket.Builder newWebSocketBuilder() {
        return delegate.newWebSocketBuilder();
    }

    // Java 21+ methods, declared without @Override so that this compiles for Java 17; reflection keeps
    // them working on the wrapped client whatever the JDK.

    public void shutdown() {
        invoke("shutdown");
    }

    public void shutdownNow() {
        invoke("shutdownNow");
    }

    public boolean isTerminated() {
        return Boolean.TRUE.equals(invoke("isTerminated"));
    }

    public boolean awaitTermination(Duration duration) throws InterruptedException {
        try {
            return (Boolean) HttpClient.class.getMethod("awaitTermination", Duration.class).invoke(delegate, duration);
        } catch (java.lang.reflect.InvocationTargetException e) {
            if (e.getCause() instanceof InterruptedException ie) {
                throw ie;
            }
            throw rethrow(e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new UnsupportedOperationException("HttpClient.awaitTermination needs Java 21+", e);
        }
    }

    public void close() {
        invoke("close");
    }

    private Object invoke(String method) {
        try {
            return HttpClient.class.getMethod(method).invoke(delegate);
        } catch (java.lang.reflect.InvocationTargetException e) {
            throw rethrow(e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new UnsupportedOperationException("HttpClient." + method + " needs Java 21+", e);
        }
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new RuntimeException(t);
    }
}
