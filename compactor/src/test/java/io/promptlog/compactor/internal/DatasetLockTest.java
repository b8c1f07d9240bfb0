package io.promptlog.compactor.internal;

import io.promptlog.format.DatasetLayout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The texts lock is waited for a bounded time: a holder that keeps it (a stopped process sharing the dataset)
 * makes a batch fail with a message naming the lock, instead of a compactor, and its app's shutdown, hanging.
 */
@Timeout(60)
class DatasetLockTest {
    private static final long SHORT_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

    @Test
    void shouldGiveUpWaitingForTheTextsLockHeldByAnotherThreadAndGetItOnceReleased(@TempDir Path data) throws Exception {
        ExecutorService other = Executors.newSingleThreadExecutor();
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try {
            Future<?> holder = other.submit(() -> {
                try (DatasetLock l = DatasetLock.texts(data)) {
                    held.countDown();
                    release.await(30, TimeUnit.SECONDS);
                }
                return null;
            });
            assertThat(held.await(30, TimeUnit.SECONDS)).isTrue();
            assertThatThrownBy(() -> DatasetLock.texts(data, SHORT_WAIT_NANOS))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining(DatasetLayout.textsLockFile(data).toString())
                    .hasMessageContaining("200 ms");
            release.countDown();
            holder.get(30, TimeUnit.SECONDS);
            try (DatasetLock l = DatasetLock.texts(data, SHORT_WAIT_NANOS)) {
                assertThat(l).isNotNull();
            }
        } finally {
            release.countDown();
            other.shutdownNow();
        }
    }

    @Test
    void shouldGiveUpWaitingForTheTextsLockWhoseFileIsLockedAtTheOsLevel(@TempDir Path data) throws Exception {
        try (DatasetLock first = DatasetLock.texts(data)) {
            assertThat(first).isNotNull(); // creates the lock file
        }
        Path file = DatasetLayout.textsLockFile(data);
        assertThat(Files.exists(file)).isTrue();
        // the OS lock without the JVM-wide one: what a lock held by another process looks like from here
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE); FileLock os = ch.lock()) {
            assertThat(os.isValid()).isTrue();
            assertThatThrownBy(() -> DatasetLock.texts(data, SHORT_WAIT_NANOS))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("held by another compactor or erasure");
        }
        try (DatasetLock again = DatasetLock.texts(data, SHORT_WAIT_NANOS)) {
            assertThat(again).isNotNull();
        }
    }
}
