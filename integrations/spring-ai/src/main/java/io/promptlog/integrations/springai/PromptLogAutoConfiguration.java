package io.promptlog.integrations.springai;

import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.observation.ObservationRegistry;
import io.promptlog.integrations.PriceTable;
import io.promptlog.integrations.PromptLogHooks;
import io.promptlog.writer.PromptLog;
import io.promptlog.writer.PromptLogConfig;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.ai.chat.observation.ChatModelObservationContext;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Spring Boot auto-configuration: with {@code promptlog-spring-ai} on the class path, every Spring AI chat
 * model call is logged to {@code promptlog.dir} (see {@link PromptLogProperties}). It provides a
 * {@link PromptLog} (closed when the context closes), the {@link PromptLogHooks}, the
 * {@link PromptLogObservationHandler} and, when Micrometer is present, {@link PromptLogMetrics}. Each
 * backs off when the app defines its own bean of that type.
 *
 * <p>The handler reaches the models' {@link ObservationRegistry} as follows: with Spring Boot's actuator,
 * its observation auto-configuration registers every {@code ObservationHandler} bean on the registry it
 * builds; without it there is no registry (Spring AI models then observe nothing), so this provides one
 * with the handler on it.
 */
@AutoConfiguration(afterName = "org.springframework.boot.actuate.autoconfigure.observation.ObservationAutoConfiguration")
@ConditionalOnClass({PromptLog.class, ChatModelObservationContext.class, ObservationRegistry.class})
@ConditionalOnProperty(prefix = "promptlog", name = "enabled", havingValue = "true", matchIfMissing = true)
@EnableConfigurationProperties(PromptLogProperties.class)
public class PromptLogAutoConfiguration {
    private static final Log LOG = LogFactory.getLog(PromptLogAutoConfiguration.class);

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    public PromptLog promptLog(PromptLogProperties properties) {
        PromptLog log = PromptLog.open(PromptLogConfig.builder(properties.getDir()).build());
        if (!log.isAvailable()) {
            LOG.warn("promptlog: calls will not be logged: " + log.stats().lastError());
        }
        return log;
    }

    @Bean
    @ConditionalOnMissingBean
    public PromptLogHooks promptLogHooks(PromptLog log, PromptLogProperties properties) {
        PriceTable prices = PriceTable.defaults();
        if (properties.getPrices() != null) {
            prices = prices.withOverrides(PriceTable.load(properties.getPrices()));
        }
        return PromptLogHooks.builder(log).prices(prices).traceIds(properties.isTraceIds()).build();
    }

    @Bean
    @ConditionalOnMissingBean
    public PromptLogObservationHandler promptLogObservationHandler(PromptLogHooks hooks) {
        return PromptLogObservationHandler.of(hooks);
    }

    /** Only when nothing else (Spring Boot's actuator, the app) provides a registry. */
    @Bean
    @ConditionalOnMissingBean
    public ObservationRegistry promptLogObservationRegistry(PromptLogObservationHandler handler) {
        ObservationRegistry registry = ObservationRegistry.create();
        registry.observationConfig().observationHandler(handler);
        return registry;
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(MeterBinder.class)
    static class Metrics {
        @Bean
        @ConditionalOnMissingBean
        PromptLogMetrics promptLogMetrics(PromptLog log, PromptLogHooks hooks) {
            return new PromptLogMetrics(log, hooks);
        }
    }
}
