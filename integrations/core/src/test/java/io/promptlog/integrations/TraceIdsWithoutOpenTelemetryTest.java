package io.promptlog.integrations;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The OpenTelemetry API is optional: without it on the class path, trace ids are simply absent. */
@Timeout(30)
class TraceIdsWithoutOpenTelemetryTest {

    @Test
    void shouldReturnNoIdsAndNotFailWhenTheOpenTelemetryApiIsMissing() throws Exception {
        URL coreClasses = Path.of(TraceIds.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toUri().toURL();
        try (URLClassLoader noOtel = new URLClassLoader(new URL[] {coreClasses}, ClassLoader.getPlatformClassLoader())) {
            assertThatThrownBy(() -> Class.forName("io.opentelemetry.api.trace.Span", false, noOtel))
                    .isInstanceOf(ClassNotFoundException.class);
            Class<?> isolated = Class.forName(TraceIds.class.getName(), true, noOtel);
            assertThat(isolated).isNotSameAs(TraceIds.class);
            Method present = isolated.getDeclaredMethod("otelPresent");
            Method current = isolated.getDeclaredMethod("current");
            present.setAccessible(true);
            current.setAccessible(true);
            assertThat(present.invoke(null)).isEqualTo(false);
            assertThat(current.invoke(null)).isNull();
        }
        assertThat(TraceIds.otelPresent()).isTrue();
    }
}
