package io.promptlog.integrations;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Test helper shared by the client modules: a real local HTTP server (the JDK's) that answers each
 * request with the next scripted response, speaking the providers' JSON and server-sent-events shapes,
 * and keeps what it received and the exact bytes it sent. Chosen over mockwebserver3 because that needs
 * OkHttp 5 while both SDKs run on OkHttp 4.
 */
public final class ProviderServer implements AutoCloseable {
    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "provider-server");
        t.setDaemon(true);
        return t;
    });
    private final ConcurrentLinkedQueue<Reply> replies = new ConcurrentLinkedQueue<>();
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final List<byte[]> sent = new CopyOnWriteArrayList<>();
    private final CountDownLatch release = new CountDownLatch(1);

    /** A request as the server got it. */
    public record Received(String method, String path, Map<String, List<String>> headers, String body) {
        public String header(String name) {
            for (Map.Entry<String, List<String>> e : headers.entrySet()) {
                if (e.getKey().equalsIgnoreCase(name)) {
                    return e.getValue().get(0);
                }
            }
            return null;
        }
    }

    /** One scripted response. */
    public interface Reply {
        void send(HttpExchange ex, ProviderServer server) throws IOException;
    }

    static {
        // answer without waiting for the client's delayed ACK (the JDK server writes headers and body apart)
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    public ProviderServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    /** Base URL, e.g. {@code http://127.0.0.1:1234/v1}. */
    public String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    public ProviderServer enqueue(Reply reply) {
        replies.add(reply);
        return this;
    }

    public List<Received> received() {
        return received;
    }

    /** The bytes of every response body sent, in order. */
    public List<byte[]> sentBodies() {
        return sent;
    }

    public String lastSentBody() {
        return new String(sent.get(sent.size() - 1), StandardCharsets.UTF_8);
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            byte[] body = ex.getRequestBody().readAllBytes();
            received.add(new Received(ex.getRequestMethod(), ex.getRequestURI().getPath(),
                    Map.copyOf(ex.getRequestHeaders()), new String(body, StandardCharsets.UTF_8)));
            Reply r = replies.poll();
            if (r == null) {
                r = json(500, Map.of(), "{\"error\":{\"message\":\"no scripted response\",\"type\":\"test_error\"}}");
            }
            r.send(ex, this);
        } catch (IOException e) {
            // the client went away (timeout, abandoned stream): nothing more to send
        }
    }

    // ---- replies -----------------------------------------------------------------------------------

    /** A complete body with a status, headers and Content-Type application/json. */
    public static Reply json(int status, Map<String, String> headers, String body) {
        return raw(status, "application/json", headers, body);
    }

    public static Reply raw(int status, String contentType, Map<String, String> headers, String body) {
        return (ex, server) -> {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            headers.forEach(ex.getResponseHeaders()::add);
            ex.getResponseHeaders().set("Content-Type", contentType);
            ex.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
            server.sent.add(bytes);
            if (bytes.length > 0) {
                ex.getResponseBody().write(bytes);
            }
        };
    }

    /** Server-sent events, each flushed on its own (chunked transfer). */
    public static Reply sse(Map<String, String> headers, List<String> events) {
        return sse(headers, events, events.size());
    }

    /**
     * Sends the first {@code sendBeforeHold} events, then holds the connection open (no more bytes)
     * until the client goes away or the server is closed: a stream the app abandons halfway.
     */
    public static Reply sse(Map<String, String> headers, List<String> events, int sendBeforeHold) {
        return (ex, server) -> {
            headers.forEach(ex.getResponseHeaders()::add);
            ex.getResponseHeaders().set("Content-Type", "text/event-stream");
            ex.sendResponseHeaders(200, 0);
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            OutputStream out = ex.getResponseBody();
            try {
                for (int i = 0; i < sendBeforeHold; i++) {
                    byte[] b = events.get(i).getBytes(StandardCharsets.UTF_8);
                    all.write(b);
                    out.write(b);
                    out.flush();
                }
            } finally {
                server.sent.add(all.toByteArray());
            }
            if (sendBeforeHold < events.size()) {
                server.awaitRelease();
            }
        };
    }

    /** Sends nothing until the server is closed: the client's read timeout fires. */
    public static Reply hang() {
        return (ex, server) -> server.awaitRelease();
    }

    private void awaitRelease() {
        try {
            release.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** {@code data: <json>} plus the blank line that ends an event. */
    public static String data(String json) {
        return "data: " + json + "\n\n";
    }

    /** {@code event: <name>} and {@code data: <json>}. */
    public static String event(String name, String json) {
        return "event: " + name + "\ndata: " + json + "\n\n";
    }

    public static List<String> list(String... events) {
        return new ArrayList<>(List.of(events));
    }

    @Override
    public void close() {
        release.countDown();
        server.stop(0);
        executor.shutdownNow();
    }
}
