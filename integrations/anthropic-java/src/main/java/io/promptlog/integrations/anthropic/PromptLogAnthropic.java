package io.promptlog.integrations.anthropic;

import com.anthropic.core.RequestOptions;
import com.anthropic.core.http.Headers;
import com.anthropic.core.http.HttpClient;
import com.anthropic.core.http.HttpRequest;
import com.anthropic.core.http.HttpRequestBody;
import com.anthropic.core.http.HttpResponse;
import com.anthropic.core.http.Interceptor;
import io.promptlog.integrations.LlmHttpExchange;
import io.promptlog.integrations.LlmHttpHook;
import io.promptlog.integrations.PromptLogHooks;
import io.promptlog.writer.PromptLog;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Logs every Messages API call made through anthropic-java, as the SDK's own {@link Interceptor}:
 *
 * <pre>{@code
 * AnthropicClient client = AnthropicOkHttpClient.builder()
 *         .fromEnv()
 *         .addInterceptor(PromptLogAnthropic.interceptor(log))
 *         .build();
 * }</pre>
 *
 * <p>The SDK applies interceptors to every attempt, retries included; the attempts of one call become one
 * record ({@code attempts} attribute), see {@link LlmHttpHook}. The system prompt is the request's
 * top-level {@code system}; streams ({@code message_start} ... {@code message_stop}) are recorded when they
 * end, are closed, or fail; the provider request id is the {@code request-id} header. The response reaches
 * the SDK unchanged and unbuffered. Request headers are never recorded (no {@code x-api-key}). For both
 * {@code execute} and {@code executeAsync} the record's trace ids come from the thread that made the call.
 * Nothing of the hook's own is ever thrown: failures are counted in {@link PromptLogHooks#stats()}.
 */
public final class PromptLogAnthropic implements Interceptor, AutoCloseable {
    private final LlmHttpHook hook;

    private PromptLogAnthropic(LlmHttpHook hook) {
        this.hook = hook;
    }

    /** An interceptor logging to {@code log} with the default price table. */
    public static PromptLogAnthropic interceptor(PromptLog log) {
        return interceptor(PromptLogHooks.of(log));
    }

    public static PromptLogAnthropic interceptor(PromptLogHooks hooks) {
        return interceptor(LlmHttpHook.builder(hooks).clientRetries(true).build());
    }

    /** An interceptor over a hook configured by hand (provider name, retry window). */
    public static PromptLogAnthropic interceptor(LlmHttpHook hook) {
        return new PromptLogAnthropic(hook);
    }

    public LlmHttpHook hook() {
        return hook;
    }

    @Override
    public HttpClient intercept(HttpClient next) {
        return new LoggingClient(next);
    }

    /** Records any attempt still waiting for a retry (see {@link LlmHttpHook#close()}). */
    @Override
    public void close() {
        hook.close();
    }

    private LlmHttpExchange begin(HttpRequest request) {
        try {
            String method = request.method().name();
            String path = "/" + String.join("/", request.pathSegments());
            if (!LlmHttpHook.isLlmRequest(method, path)) {
                return null;
            }
            return hook.begin(method, path, bodyBytes(request), name -> first(request.headers(), name));
        } catch (Throwable t) {
            hook.hooks().failed("anthropic-java request", t);
            return null;
        }
    }

    private static byte[] bodyBytes(HttpRequest request) throws IOException {
        HttpRequestBody body = request.body().orElse(null);
        if (body == null || !body.repeatable()) {
            return null;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        body.writeTo(out);
        return out.toByteArray();
    }

    private static String first(Headers headers, String name) {
        List<String> values = headers.values(name);
        return values.isEmpty() ? null : values.get(0);
    }

    private HttpResponse teed(HttpResponse response, LlmHttpExchange exchange) {
        try {
            exchange.response(response.statusCode(), name -> first(response.headers(), name));
            return new TeedResponse(response, exchange.responseBody(response.body()));
        } catch (Throwable t) {
            hook.hooks().failed("anthropic-java response", t);
            return response;
        }
    }

    private static Throwable unwrap(Throwable t) {
        return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    }

    /** The SDK's client with every LLM request recorded. */
    private final class LoggingClient implements HttpClient {
        private final HttpClient next;

        LoggingClient(HttpClient next) {
            this.next = next;
        }

        @Override
        public HttpResponse execute(HttpRequest request, RequestOptions options) {
            LlmHttpExchange exchange = begin(request);
            if (exchange == null) {
                return next.execute(request, options);
            }
            HttpResponse response;
            try {
                response = next.execute(request, options);
            } catch (RuntimeException | Error e) {
                exchange.failed(e);
                throw e;
            }
            return teed(response, exchange);
        }

        @Override
        public CompletableFuture<HttpResponse> executeAsync(HttpRequest request, RequestOptions options) {
            LlmHttpExchange exchange = begin(request);
            if (exchange == null) {
                return next.executeAsync(request, options);
            }
            CompletableFuture<HttpResponse> future;
            try {
                future = next.executeAsync(request, options);
            } catch (RuntimeException | Error e) {
                exchange.failed(e);
                throw e;
            }
            return future.handle((response, error) -> {
                if (error != null) {
                    exchange.failed(unwrap(error));
                    throw error instanceof CompletionException ce ? ce : new CompletionException(error);
                }
                return teed(response, exchange);
            });
        }

        @Override
        public void close() {
            try {
                next.close();
            } finally {
                hook.flush();
            }
        }
    }

    /** The response with its body passed through the exchange's tee; closing it finishes the attempt. */
    private static final class TeedResponse implements HttpResponse {
        private final HttpResponse response;
        private final InputStream body;

        TeedResponse(HttpResponse response, InputStream body) {
            this.response = response;
            this.body = body;
        }

        @Override
        public int statusCode() {
            return response.statusCode();
        }

        @Override
        public Headers headers() {
            return response.headers();
        }

        @Override
        public InputStream body() {
            return body;
        }

        @Override
        public void close() {
            try {
                body.close();
            } catch (IOException e) {
                // the SDK's own close below reports transport problems; ours is only the record
            } finally {
                response.close();
            }
        }
    }
}
