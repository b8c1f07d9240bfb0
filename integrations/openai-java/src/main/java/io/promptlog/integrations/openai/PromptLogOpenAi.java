package io.promptlog.integrations.openai;

import io.promptlog.integrations.LlmHttpExchange;
import io.promptlog.integrations.LlmHttpHook;
import io.promptlog.integrations.PromptLogHooks;
import io.promptlog.writer.PromptLog;
import okhttp3.Interceptor;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okio.Buffer;
import okio.Okio;

import java.io.IOException;
import java.io.InputStream;

/**
 * Logs every Chat Completions and Responses API call made through openai-java, as one OkHttp
 * interceptor added where the client is built:
 *
 * <pre>{@code
 * OpenAIClient client = OpenAIOkHttpClient.builder()
 *         .fromEnv()
 *         .addInterceptor(PromptLogOpenAi.interceptor(log))
 *         .build();
 * }</pre>
 *
 * <p>The interceptor runs for every HTTP attempt, including the SDK's retries; attempts of one call are
 * recorded as one record ({@code attempts} attribute), see {@link LlmHttpHook}. The response body reaches
 * the SDK unchanged and unbuffered; the record is written when the body ends, is closed (openai-java
 * closes a stream at {@code data: [DONE]}; a stream the app abandons is recorded {@code incomplete}) or
 * fails. Request headers are never recorded (no {@code Authorization}, no API key). Requests to other
 * endpoints pass through untouched. The interceptor never throws anything of its own: failures are counted
 * in {@link PromptLogHooks#stats()}.
 *
 * <p>Trace ids are taken on the thread that runs the interceptor: the app's thread for the blocking
 * client; an OkHttp dispatcher thread for {@code OpenAIClientAsync}, where no span is current.
 */
public final class PromptLogOpenAi implements Interceptor, AutoCloseable {
    private final LlmHttpHook hook;

    private PromptLogOpenAi(LlmHttpHook hook) {
        this.hook = hook;
    }

    /** An interceptor logging to {@code log} with the default price table. */
    public static PromptLogOpenAi interceptor(PromptLog log) {
        return interceptor(PromptLogHooks.of(log));
    }

    public static PromptLogOpenAi interceptor(PromptLogHooks hooks) {
        return interceptor(LlmHttpHook.builder(hooks).clientRetries(true).build());
    }

    /** An interceptor over a hook configured by hand (provider name, retry window). */
    public static PromptLogOpenAi interceptor(LlmHttpHook hook) {
        return new PromptLogOpenAi(hook);
    }

    public LlmHttpHook hook() {
        return hook;
    }

    @Override
    public Response intercept(Chain chain) throws IOException {
        Request request = chain.request();
        LlmHttpExchange exchange = begin(request);
        if (exchange == null) {
            return chain.proceed(request);
        }
        Response response;
        try {
            response = chain.proceed(request);
        } catch (IOException | RuntimeException | Error e) {
            exchange.failed(e);
            throw e;
        }
        return teed(response, exchange);
    }

    private LlmHttpExchange begin(Request request) {
        try {
            String path = request.url().encodedPath();
            if (!LlmHttpHook.isLlmRequest(request.method(), path)) {
                return null;
            }
            return hook.begin(request.method(), path, bodyBytes(request.body()), request::header);
        } catch (Throwable t) {
            hook.hooks().failed("openai-java request", t);
            return null;
        }
    }

    private static byte[] bodyBytes(RequestBody body) throws IOException {
        if (body == null || body.isOneShot() || body.isDuplex()) {
            return null;
        }
        Buffer buffer = new Buffer();
        body.writeTo(buffer);
        return buffer.readByteArray();
    }

    private Response teed(Response response, LlmHttpExchange exchange) {
        try {
            exchange.response(response.code(), response::header);
            ResponseBody body = response.body();
            if (body == null) {
                exchange.responseBody(null);
                return response;
            }
            InputStream tee = exchange.responseBody(body.byteStream());
            ResponseBody wrapped = ResponseBody.Companion.create(Okio.buffer(Okio.source(tee)), body.contentType(),
                    body.contentLength());
            return response.newBuilder().body(wrapped).build();
        } catch (Throwable t) {
            hook.hooks().failed("openai-java response", t);
            return response;
        }
    }

    /** Records any attempt still waiting for a retry (see {@link LlmHttpHook#close()}). */
    @Override
    public void close() {
        hook.close();
    }
}
