package io.promptlog.compactor;

import java.time.Duration;
import io.promptlog.testsupport.Await;
import io.promptlog.synthetic.SyntheticCalls;
import io.promptlog.writer.PromptLog;
import io.promptlog.writer.PromptLogConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(180)
class BackgroundCompactionTest {

    private static Optional<Thread> compactorThread() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals(Compactor.THREAD_NAME) && t.isAlive()).findFirst();
    }

    @Test
    void shouldStartALowPriorityDaemonWithPromptLogAndCompactEverythingOnClose(@TempDir Path home) throws Exception {
        SyntheticCalls gen = new SyntheticCalls(21, 5, 100, 500);
        PromptLog log = PromptLog.open(PromptLogConfig.builder(home).shardCount(2).compactionIntervalMillis(50).build());
        for (int i = 0; i < 2000; i++) {
            log.append(gen.call(i));
        }
        Thread t = compactorThread().orElseThrow(() -> new AssertionError("no " + Compactor.THREAD_NAME + " thread"));
        assertThat(t.isDaemon()).isTrue();
        assertThat(t.getPriority()).isEqualTo(Thread.MIN_PRIORITY);
        // while it runs, it holds the queue's lock: a second compactor gets a clear error
        // the background thread opens its compactor (and takes the lock) asynchronously: until it has, a
        // second compactor may open; once it has, a second one gets a clear error
        Await.until(() -> {
            Compactor second;
            try {
                second = Compactor.open(CompactorConfig.builder(home).build());
            } catch (IOException e) {
                assertThat(e).hasMessageContaining("another compactor");
                return true;
            }
            second.close(); // it won the race this time (and compacted what was there): let the background one in
            return false;
        }, Duration.ofSeconds(60), "the background compactor took the lock");
        for (int i = 2000; i < 3000; i++) {
            log.append(gen.call(i));
        }
        log.close();
        assertThat(log.stats().lastError()).isNull();
        t.join(10_000);
        assertThat(t.isAlive()).isFalse();
        try (DuckDataset d = new DuckDataset(home.resolve("data"))) {
            assertThat(d.count("SELECT count(*) FROM calls")).isEqualTo(3000);
            assertThat(d.count("SELECT count(DISTINCT attributes['seq']) FROM calls")).isEqualTo(3000);
        }
        assertThat(CompactionProgress.committed(home)).isNotEmpty();
    }

    @Test
    void shouldNotStartWhenSwitchedOff(@TempDir Path home) throws Exception {
        Optional<Thread> before = compactorThread();
        try (PromptLog log = PromptLog.open(PromptLogConfig.builder(home).backgroundCompaction(false).build())) {
            log.append(TestCalls.everyField(1));
            assertThat(compactorThread()).isEqualTo(before);
        }
        assertThat(home.resolve("data/calls")).doesNotExist();
    }

    @Test
    void shouldRunWithoutHadoopOnTheClassPath(@TempDir Path home) throws Exception {
        try (PromptLog log = PromptLog.open(PromptLogConfig.builder(home).shardCount(2).backgroundCompaction(false).build())) {
            for (int i = 0; i < 50; i++) {
                log.append(TestCalls.everyField(i));
            }
        }
        assertThat(ChildJvm.classpath()).as("the test class path has Hadoop, so removing it means something")
                .anyMatch(e -> !ChildJvm.notHadoop(e));
        Path out = home.resolve("child.log");
        Process p = ChildJvm.start(out, ChildJvm::notHadoop, "once", home.toString());
        assertThat(p.waitFor()).as("child output:\n%s", Files.exists(out) ? Files.readString(out) : "").isZero();
        assertThat(Files.readString(out)).contains("compacted 50");
        try (DuckDataset d = new DuckDataset(home.resolve("data"))) {
            assertThat(d.count("SELECT count(*) FROM calls")).isEqualTo(50);
        }
    }
}
