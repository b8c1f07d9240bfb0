package io.promptlog.integrations;

import io.promptlog.writer.CallField;
import io.promptlog.writer.LlmCall;

import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

/**
 * One HTTP attempt of an LLM call, from {@link LlmHttpHook#begin}. The adapter reports the response
 * ({@link #response}) or a failure ({@link #failed}), and passes the response body through
 * {@link #responseBody}: the app reads exactly the bytes the server sent, as they arrive (the hook keeps
 * a copy, it never reads ahead). The attempt is finished, exactly once, when the body reaches its end,
 * when the app closes it (a stream abandoned halfway is recorded as {@code incomplete}; a stream closed
 * after its final event, as openai-java does at {@code data: [DONE]}, as complete), or when reading it
 * fails. Every method is safe to call from any thread and never throws.
 */
public final class LlmHttpExchange {
    private static final int ERROR_TEXT_CHARS = 500;

    private final LlmHttpHook hook;
    private final LlmHttpHook.Call call;
    private final long attemptStartNanos = System.nanoTime();
    private final AtomicBoolean finished = new AtomicBoolean();
    private int status = -1;
    private String requestId;
    private boolean eventStream;
    private final ByteArrayOutputStream captured = new ByteArrayOutputStream();
    private final int captureLimit;
    private boolean captureOverflow;
    private volatile long firstByteNanos;
    private String shouldRetryHeader;

    LlmHttpExchange(LlmHttpHook hook, LlmHttpHook.Call call) {
        this.hook = hook;
        this.call = call;
        this.captureLimit = hook.hooks().log().config().maxRecordBytes();
    }

    /**
     * The response's status and headers arrived.
     *
     * @param header case-insensitive lookup of a response header's first value
     */
    public void response(int httpStatus, Function<String, String> header) {
        try {
            this.status = httpStatus;
            if (header != null) {
                requestId = header.apply(call.protocol.requestIdHeader());
                String type = header.apply("Content-Type");
                eventStream = type != null && type.toLowerCase(java.util.Locale.ROOT).startsWith("text/event-stream");
                shouldRetryHeader = header.apply("X-Should-Retry");
            }
        } catch (Throwable t) {
            hook.hooks().failed("response headers", t);
        }
    }

    /**
     * Wraps the response body: the returned stream gives the app the same bytes, read when the app reads,
     * and finishes this attempt at its end, close or failure. A null body finishes the attempt now.
     */
    public InputStream responseBody(InputStream body) {
        if (body == null) {
            finish(End.EOF, null);
            return null;
        }
        return new Tee(body);
    }

    /**
     * The attempt failed before a response (connection refused, timeout, cancelled); finishes it. An SDK's
     * wrapper of an I/O error (such as {@code AnthropicIoException}) is recorded as the I/O error it wraps.
     */
    public void failed(Throwable error) {
        Throwable e = error;
        while (e != null && e.getCause() != null && !(e instanceof IOException) && e.getClass().getName().endsWith("IoException")) {
            e = e.getCause();
        }
        finish(End.FAILED, e);
    }

    // ---- push-style body, for clients that deliver the body as buffers (java.net.http) ------------

    /** A piece of the response body, as the app receives it (the buffer's position is not moved). */
    public void bodyChunk(java.nio.ByteBuffer chunk) {
        try {
            java.nio.ByteBuffer b = chunk.duplicate();
            byte[] bytes = new byte[b.remaining()];
            b.get(bytes);
            capture(bytes, 0, bytes.length);
        } catch (Throwable t) {
            hook.hooks().failed("response body", t);
        }
    }

    /** The response body ended; finishes the attempt. */
    public void bodyEnded() {
        finish(End.EOF, null);
    }

    /** The app stopped reading the body before its end (cancelled, closed); finishes the attempt. */
    public void bodyClosed() {
        finish(End.CLOSED, null);
    }

    /** Receiving the body failed; finishes the attempt. */
    public void bodyFailed(Throwable error) {
        finish(End.FAILED, error);
    }

    /** How an attempt ended. */
    private enum End { EOF, CLOSED, FAILED }

    private void capture(byte[] b, int off, int n) {
        if (n <= 0) {
            return;
        }
        if (firstByteNanos == 0) {
            firstByteNanos = System.nanoTime();
        }
        synchronized (captured) {
            if (captureOverflow || captured.size() + n > captureLimit) {
                captureOverflow = true;
                return;
            }
            captured.write(b, off, n);
        }
    }

    private void finish(End end, Throwable error) {
        if (!finished.compareAndSet(false, true)) {
            return;
        }
        try {
            long now = System.nanoTime();
            LlmCall.Builder b = call.request.toBuilder()
                    .startTimeMicros(call.startMicros)
                    .durationMicros((now - call.startNanos) / 1_000);
            if (requestId != null) {
                b.providerRequestId(requestId);
            }
            String outcome;
            boolean retryable;
            if (status < 0) {
                String type = error == null ? "no_response" : error.getClass().getName();
                error(b, type, error == null ? "no response" : String.valueOf(error.getMessage()));
                outcome = shortName(type);
                retryable = error instanceof IOException || error instanceof java.io.UncheckedIOException
                        || (error != null && error.getClass().getName().endsWith("IoException"));
            } else {
                b.httpStatus(status);
                outcome = Integer.toString(status);
                if (status >= 200 && status < 300) {
                    success(b, end, error);
                    retryable = false;
                } else {
                    httpError(b);
                    retryable = "true".equals(shouldRetryHeader) || (!"false".equals(shouldRetryHeader)
                            && (status == 408 || status == 409 || status == 429 || status >= 500));
                }
            }
            hook.attemptEnded(call, b, retryable, outcome);
        } catch (Throwable t) {
            hook.hooks().failed("finish " + call.protocol.provider() + " call", t);
        }
    }

    private static void error(LlmCall.Builder b, String type, String message) {
        b.status(CallField.STATUS_ERROR).errorType(type).errorMessage(message);
    }

    private static String shortName(String className) {
        return className.substring(className.lastIndexOf('.') + 1);
    }

    private String capturedText() {
        synchronized (captured) {
            return captured.toString(StandardCharsets.UTF_8);
        }
    }

    private void success(LlmCall.Builder b, End end, Throwable error) {
        if (captureOverflow) {
            b.status(CallField.STATUS_OK).attribute("response_body", "over " + captureLimit + " bytes, not parsed");
            return;
        }
        String text = capturedText();
        boolean complete;
        if (eventStream) {
            if (firstByteNanos != 0) {
                b.ttftMicros((firstByteNanos - attemptStartNanos) / 1_000);
            }
            Protocol.Stream s = call.protocol.stream();
            boolean badEvent = Sse.parse(text, s::event);
            s.fill(b);
            complete = end == End.EOF || s.terminal();
            if (badEvent && b.get(CallField.STATUS) == null) {
                error(b, "invalid_response", "a server-sent event's data is not JSON");
            }
        } else {
            Map<String, Object> json = Json.obj(Json.tryParse(text));
            if (json == null) {
                complete = end == End.EOF;
                if (complete || end == End.CLOSED && !text.isBlank()) {
                    error(b, "invalid_response", "response body is not a JSON object: " + head(text));
                }
            } else {
                call.protocol.response(json, b);
                complete = true;
            }
        }
        if (end == End.FAILED) {
            error(b, error == null ? "read_failed" : error.getClass().getName(),
                    "reading the response failed: " + (error == null ? "" : error.getMessage()));
        } else if (!complete) {
            if (b.get(CallField.STATUS) == null) {
                b.status(CallField.STATUS_INCOMPLETE).errorType("client_closed")
                        .errorMessage("the app closed the response before it ended");
            }
        } else if (b.get(CallField.STATUS) == null) {
            b.status(CallField.STATUS_OK);
        }
    }

    private void httpError(LlmCall.Builder b) {
        String text = capturedOverflowSafeText();
        String[] e = text.isEmpty() ? null : Protocol.error(Json.obj(Json.tryParse(text)));
        String type = e != null && e[0] != null ? e[0] : "http_" + status;
        String message = e != null && e[1] != null ? e[1] : text.isEmpty() ? "HTTP " + status : head(text);
        error(b, type, message);
    }

    private String capturedOverflowSafeText() {
        return captureOverflow ? "" : capturedText();
    }

    private static String head(String text) {
        String t = text.strip();
        return t.length() <= ERROR_TEXT_CHARS ? t : t.substring(0, ERROR_TEXT_CHARS) + "...";
    }

    /** Passes the body through, keeping a copy; finishes the attempt at EOF, close or a read failure. */
    private final class Tee extends FilterInputStream {
        Tee(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int c;
            try {
                c = super.read();
            } catch (IOException | RuntimeException e) {
                finish(End.FAILED, e);
                throw e;
            }
            if (c < 0) {
                finish(End.EOF, null);
            } else {
                capture(new byte[] {(byte) c}, 0, 1);
            }
            return c;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n;
            try {
                n = super.read(b, off, len);
            } catch (IOException | RuntimeException e) {
                finish(End.FAILED, e);
                throw e;
            }
            if (n < 0) {
                finish(End.EOF, null);
            } else {
                capture(b, off, n);
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            byte[] buf = new byte[(int) Math.min(8192, Math.max(0, n))];
            long done = 0;
            while (done < n) {
                int r = read(buf, 0, (int) Math.min(buf.length, n - done));
                if (r < 0) {
                    break;
                }
                done += r;
            }
            return done;
        }

        @Override
        public boolean markSupported() {
            return false;
        }

        @Override
        public void close() throws IOException {
            try {
                super.close();
            } finally {
                finish(End.CLOSED, null);
            }
        }
    }
}
