package io.promptlog.writer;

import io.promptlog.testsupport.SettableClock;
import io.promptlog.testsupport.Await;
import io.promptlog.testsupport.Tmpfs;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A long-running app rolls its queue every hour for months: the writer must let go of a cycle file once it
 * has rolled past it, or it holds one descriptor (and the disk blocks of a file the compactor deleted) per
 * shard per hour until it exits. Found by {@code SoakTest}: 1 descriptor per shard per roll, on deleted files.
 */
@Timeout(120)
class RolledCycleFilesReleasedTest {

    /** This process's open descriptors on the queue's cycle files ({@code /proc/self/fd}; Linux only). */
    private static List<String> openCycleFiles(Path home) throws Exception {
        Assumptions.assumeTrue(Files.isDirectory(Path.of("/proc/self/fd")), "needs /proc/self/fd (Linux)");
        return Tmpfs.openFilesUnder(home).stream().filter(f -> f.endsWith(".cq4")).toList();
    }

    @ParameterizedTest(name = "pretouch {0}")
    @ValueSource(booleans = {true, false})
    void shouldKeepOnlyTheCurrentCycleFilesOpenAfterManyRolls(boolean pretouch, @TempDir Path home) throws Exception {
        SettableClock clock = SettableClock.atHour(500_000);
        int shards = 2;
        try (PromptLog log = PromptLog.open(PromptLogConfig.builder(home).shardCount(shards).rollClock(clock)
                .pretouch(pretouch).backgroundCompaction(false).build())) {
            List<String> afterFirst = null;
            for (int hour = 0; hour < 12; hour++) {
                for (int i = 0; i < 50; i++) {
                    int t = i;
                    Thread w = new Thread(() -> log.append(LlmCall.builder().callId("c-" + t).status("ok").build()));
                    w.start();
                    w.join();
                    log.append(LlmCall.builder().callId("m-" + i).status("ok").build());
                }
                if (hour == 0) {
                    afterFirst = openCycleFiles(home);
                }
                clock.advanceHours(1);
            }
            List<String> open = openCycleFiles(home);
            System.out.println("pretouch " + pretouch + ": after the first hour " + afterFirst.size()
                    + " descriptors on cycle files, after 12 hours " + open.size() + ": " + open);
            assertThat(open.stream().distinct().count()).as("cycle files held open after 12 rolls: %s", open)
                    .isLessThanOrEqualTo(2L * shards);
        }
    }

    @Test
    void shouldLetGoOfTheCycleFilesACursorHasReadPast(@TempDir Path home) throws Exception {
        SettableClock clock = SettableClock.atHour(500_000);
        int hours = 12;
        try (PromptLog log = PromptLog.open(PromptLogConfig.builder(home).shardCount(1).rollClock(clock)
                .backgroundCompaction(false).build())) {
            for (int hour = 0; hour < hours; hour++) {
                for (int i = 0; i < 20; i++) {
                    assertThat(log.append(LlmCall.builder().callId("h" + hour + "-" + i).status("ok").build())).isNotNegative();
                }
                clock.advanceHours(1);
            }
        }
        Path shard = PromptLogHome.shardDir(home, 0);
        try (ShardCursor c = ShardCursor.open(shard)) {
            int read = 0;
            while (c.next()) {
                read++;
            }
            assertThat(read).isEqualTo(hours * 20);
            // the cursor's last cycle only (its tailer and its chain check each hold it); Chronicle releases the
            // stores its tailer left on a background thread, so wait for that, not for a fixed time
            Await.until(() -> openCycleFiles(home).stream().distinct().count() <= 1L, Duration.ofSeconds(30),
                    () -> "cycle files still held open by the cursor: " + held(home));
            System.out.println("a cursor that read " + hours + " cycle files holds " + held(home));
        }
    }

    private static String held(Path home) {
        try {
            return openCycleFiles(home).toString();
        } catch (Exception e) {
            return e.toString();
        }
    }
}
