package io.promptlog.benchmarks.sink;

import io.promptlog.benchmarks.BenchCall;
import io.promptlog.benchmarks.CanonicalJson;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.Logger;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.RandomAccessFileAppender;
import org.apache.logging.log4j.core.async.AsyncLoggerContext;
import org.apache.logging.log4j.core.config.AbstractConfiguration;
import org.apache.logging.log4j.core.config.ConfigurationSource;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.plugins.util.PluginManager;
import org.apache.logging.log4j.layout.template.json.JsonTemplateLayout;
import org.apache.logging.log4j.message.AsynchronouslyFormattable;
import org.apache.logging.log4j.util.MultiFormatStringBuilderFormattable;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Log4j2 all-async loggers (an {@link AsyncLoggerContext}: LMAX Disruptor ring buffer, default 256k
 * slots, default Timeout wait strategy, block when full), garbage-free settings (thread-locals and
 * direct encoders are Log4j2's defaults outside web apps), {@link JsonTemplateLayout} to a
 * {@code RandomAccessFile} appender without immediate flush.
 *
 * <p>The application logs a small immutable message object holding the call, annotated
 * {@link AsynchronouslyFormattable} so Log4j2 renders it on its background thread; the layout's message
 * resolver writes it as a raw JSON object (the canonical call JSON) inside the event. So the calling
 * thread pays for one 16-byte message object and the ring buffer publish: Log4j2's best case.
 */
final class Log4j2AsyncSink implements CallSink {
    static final String LOGGER_NAME = "promptlog.bench";
    static final String TEMPLATE = "{\"@timestamp\":{\"$resolver\":\"timestamp\",\"pattern\":{\"format\":"
            + "\"yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'\",\"timeZone\":\"UTC\"}},"
            + "\"level\":{\"$resolver\":\"level\",\"field\":\"name\"},"
            + "\"logger\":{\"$resolver\":\"logger\",\"field\":\"name\"},"
            + "\"call\":{\"$resolver\":\"message\"}}";
    private static final AtomicInteger CONTEXTS = new AtomicInteger();

    private final AsyncLoggerContext context;
    private final Logger logger;

    static {
        // The shaded jar keeps only one Log4j2Plugins.dat (log4j-core's); let Log4j2 find the JSON
        // template layout's plugins (its type converters) by scanning their package instead.
        PluginManager.addPackage("org.apache.logging.log4j.layout.template.json");
    }

    Log4j2AsyncSink(Path dir) {
        dir.toFile().mkdirs();
        context = new AsyncLoggerContext("promptlog-bench-" + CONTEXTS.incrementAndGet());
        context.start(new Config(context, dir.resolve("log4j2.jsonl")));
        logger = context.getLogger(LOGGER_NAME);
        if (!logger.isInfoEnabled()) {
            throw new IllegalStateException("log4j2 logger not configured");
        }
    }

    @Override
    public Appender appender() {
        return call -> {
            logger.info(new CallMessage(call));
            return 0;
        };
    }

    @Override
    public void close() {
        context.stop();
    }

    /** The call as a Log4j2 message rendering itself as JSON, in the background. */
    @AsynchronouslyFormattable
    static final class CallMessage implements MultiFormatStringBuilderFormattable {
        private static final String[] FORMATS = {"JSON"};
        private final BenchCall call;

        CallMessage(BenchCall call) {
            this.call = call;
        }

        @Override
        public String getFormattedMessage() {
            StringBuilder sb = new StringBuilder(call.recordBytes + 256);
            formatTo(sb);
            return sb.toString();
        }

        @Override
        public String getFormattedMessage(String[] formats) {
            return getFormattedMessage();
        }

        @Override
        public String[] getFormats() {
            return FORMATS;
        }

        @Override
        public void formatTo(String[] formats, StringBuilder buffer) {
            formatTo(buffer);
        }

        @Override
        public void formatTo(StringBuilder buffer) {
            CanonicalJson.appendTo(call, buffer);
        }

        @Override
        @Deprecated
        public String getFormat() {
            return "JSON";
        }

        @Override
        public Object[] getParameters() {
            return null;
        }

        @Override
        public Throwable getThrowable() {
            return null;
        }
    }

    /** The configuration, built in code (no XML, no plugin scanning). */
    private static final class Config extends AbstractConfiguration {
        private final Path file;

        Config(LoggerContext context, Path file) {
            super(context, ConfigurationSource.NULL_SOURCE);
            this.file = file;
            setName("promptlog-bench");
        }

        @Override
        protected void doConfigure() {
            JsonTemplateLayout layout = JsonTemplateLayout.newBuilder()
                    .setConfiguration(this)
                    .setEventTemplate(TEMPLATE)
                    .build();
            RandomAccessFileAppender appender = RandomAccessFileAppender.newBuilder()
                    .setName("file")
                    .setFileName(file.toString())
                    .setAppend(false)
                    .setImmediateFlush(false)
                    .setBufferSize(256 * 1024)
                    .setLayout(layout)
                    .setConfiguration(this)
                    .build();
            appender.start();
            addAppender(appender);
            LoggerConfig lc = LoggerConfig.newBuilder()
                    .withLoggerName(LOGGER_NAME)
                    .withLevel(Level.INFO)
                    .withAdditivity(false)
                    .withConfig(this)
                    .build();
            lc.addAppender(appender, null, null);
            addLogger(LOGGER_NAME, lc);
            getRootLogger().setLevel(Level.WARN);
        }
    }
}
