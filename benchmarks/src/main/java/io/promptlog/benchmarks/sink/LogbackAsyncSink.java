package io.promptlog.benchmarks.sink;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.AsyncAppender;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.FileAppender;
import ch.qos.logback.core.util.FileSize;
import io.promptlog.benchmarks.BenchCall;
import io.promptlog.benchmarks.CanonicalJson;

import java.nio.file.Path;

/**
 * Logback {@link AsyncAppender} (lossless: discarding threshold 0, blocking when full, queue of 8192
 * events: each queued event holds its formatted 1-16 KB message, so Log4j2's 256k would mean gigabytes) in front of a buffered {@link FileAppender} with Logback's own
 * {@link JsonEncoder}. The application serialises the call to JSON and logs it as the message: Logback
 * formats messages on the calling thread before queueing them ({@code prepareForDeferredProcessing}), so
 * there is no way to defer the rendering as with Log4j2.
 */
final class LogbackAsyncSink implements CallSink {
    private final LoggerContext context;
    private final Logger logger;
    private final AsyncAppender async;
    private final ThreadLocal<StringBuilder> text = ThreadLocal.withInitial(() -> new StringBuilder(32 * 1024));

    LogbackAsyncSink(Path dir) {
        dir.toFile().mkdirs();
        context = new LoggerContext();
        context.setName("promptlog-bench");
        // a context of our own (not SLF4J's) needs its MDC adapter set, or every event fails to append
        context.setMDCAdapter(new LogbackMDCAdapter());
        context.start();
        JsonEncoder encoder = new JsonEncoder();
        encoder.setContext(context);
        encoder.setWithArguments(false);
        encoder.start();
        FileAppender<ILoggingEvent> file = new FileAppender<>();
        file.setContext(context);
        file.setName("file");
        file.setFile(dir.resolve("logback.jsonl").toString());
        file.setAppend(false);
        file.setImmediateFlush(false);
        file.setBufferSize(new FileSize(256 * 1024));
        file.setEncoder(encoder);
        file.start();
        async = new AsyncAppender();
        async.setContext(context);
        async.setName("async");
        async.setQueueSize(8192);
        async.setDiscardingThreshold(0);
        async.setNeverBlock(false);
        async.setMaxFlushTime(0);
        async.addAppender(file);
        async.start();
        logger = context.getLogger("promptlog.bench");
        logger.setAdditive(false);
        logger.setLevel(Level.INFO);
        logger.addAppender(async);
    }

    @Override
    public Appender appender() {
        return call -> {
            StringBuilder sb = text.get();
            sb.setLength(0);
            CanonicalJson.appendTo(call, sb);
            logger.info(sb.toString());
            return 0;
        };
    }

    @Override
    public void close() {
        async.stop();
        context.stop();
        // Logback reports append failures only to its status manager: surface them
        for (var st : context.getStatusManager().getCopyOfStatusList()) {
            if (st.getLevel() >= ch.qos.logback.core.status.Status.WARN) {
                throw new IllegalStateException("logback: " + st.getMessage(), st.getThrowable());
            }
        }
    }
}
