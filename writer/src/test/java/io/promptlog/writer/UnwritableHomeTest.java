package io.promptlog.writer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** A home that cannot be created: the log opens anyway, drops every call, never throws, and says why. */
@Timeout(60)
class UnwritableHomeTest {
    @TempDir
    Path dir;

    private static void assertDropsEverythingAndNamesPath(Path home) {
        PromptLog log = PromptLog.open(PromptLogConfig.builder(home).shardCount(2).build());
        try {
            assertThat(log.isAvailable()).isFalse();
            assertThat(log.append(RecordRoundTripTest.everyField("dropped"))).isEqualTo(AppendStatus.DROPPED_UNAVAILABLE);
            try (CallRecorder r = log.begin()) {
                r.requestModel("gpt-4o").response("dropped too");
                assertThat(r.commit()).isEqualTo(AppendStatus.DROPPED_UNAVAILABLE);
            }
            PromptLogStats stats = log.stats();
            assertThat(stats.droppedUnavailable()).isEqualTo(2);
            assertThat(stats.appended()).isZero();
            assertThat(stats.lastError()).contains(home.toString());
        } finally {
            log.close();
        }
        assertThat(log.append(RecordRoundTripTest.everyField("closed"))).isLessThan(0);
    }

    @Test
    void shouldDropWithoutThrowingWhenHomeIsARegularFile() throws Exception {
        Path home = Files.writeString(dir.resolve("home"), "not a directory");
        assertDropsEverythingAndNamesPath(home);
        assertThat(Files.readString(home)).isEqualTo("not a directory");
    }

    @Test
    void shouldDropWithoutThrowingWhenHomeIsUnderARegularFile() throws Exception {
        Path file = Files.writeString(dir.resolve("file"), "x");
        assertDropsEverythingAndNamesPath(file.resolve("sub").resolve("home"));
    }

    @Test
    void shouldDropWithoutThrowingWhenQueueDirIsARegularFile() throws Exception {
        Path home = Files.createDirectory(dir.resolve("home"));
        Files.writeString(PromptLogHome.queueDir(home), "in the way");
        assertDropsEverythingAndNamesPath(home);
    }
}
