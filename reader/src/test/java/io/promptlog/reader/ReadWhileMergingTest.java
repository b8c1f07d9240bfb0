package io.promptlog.reader;

import io.promptlog.compactor.Compactor;
import io.promptlog.compactor.CompactorConfig;
import io.promptlog.compactor.MergeResult;
import io.promptlog.writer.LlmCall;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Readers querying while closed days are merged see every call exactly once at every step of every merge
 * (journal written, target written, renamed, committed, each source deleted): the merging thread stops at
 * each step until the readers have queried, so every intermediate state is read, deterministically. One
 * reader refreshes its file list at each step; the other keeps the list it opened with (its files vanish
 * under it and it lists again). Both also look calls up by their UUIDv7 id (the one-day path).
 */
@Timeout(300)
class ReadWhileMergingTest {
    static final long BASE = 1_795_132_800_000_000L; // 2026-11-21T00:00Z
    static final long DAY = 86_400_000_000L;
    static final int DAYS = 2;
    static final int PER_DAY = 40;

    @Test
    void shouldShowEveryCallExactlyOnceAtEveryStepOfAMerge(@TempDir Path home) throws Exception {
        for (int d = 0; d < DAYS; d++) {
            List<LlmCall> calls = new ArrayList<>();
            for (int i = 0; i < PER_DAY; i++) {
                calls.add(LlmCall.builder().callId(String.format("c-%d-%03d", d, i)).startTimeMicros(BASE + d * DAY + i * 1_000_000L)
                        .requestModel("gpt-4o").inputTokens(i).build());
            }
            TestHomes.append(home, calls.toArray(LlmCall[]::new));
        }
        // and calls logged now, with the writer's UUIDv7 ids: looked up by id through the day-pruned path
        List<LlmCall> now = new ArrayList<>();
        for (int i = 0; i < PER_DAY; i++) {
            now.add(LlmCall.builder().requestModel("gpt-4o").inputTokens(i).build());
        }
        TestHomes.append(home, now.toArray(LlmCall[]::new));
        Clock later = Clock.fixed(Instant.now().plus(java.time.Duration.ofDays(3)), ZoneOffset.UTC);
        CompactorConfig cfg = CompactorConfig.builder(home).maxFileRows(10).clock(later).mergeClosedDays(false).build();
        try (Compactor c = Compactor.open(cfg)) {
            c.runOnce();
        }
        int total = (DAYS + 1) * PER_DAY;
        List<String> ids = new ArrayList<>();
        long days;
        try (PromptLogReader r = PromptLogReader.open(home.resolve("data"))) {
            r.sql("SELECT call_id FROM calls WHERE call_id NOT LIKE 'c-%' ORDER BY call_id LIMIT 3").rows()
                    .forEach(row -> ids.add((String) row.get(0)));
            days = ((Number) r.sql("SELECT count(DISTINCT date) FROM calls").scalar()).longValue();
        }
        assertThat(ids).hasSize(3);
        SynchronousQueue<String> atStep = new SynchronousQueue<>();
        SynchronousQueue<Boolean> read = new SynchronousQueue<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicReference<MergeResult> result = new AtomicReference<>();
        Thread merger = new Thread(() -> {
            try (Compactor c = Compactor.open(cfg)) {
                result.set(c.mergeClosedDays(line -> {
                    try {
                        if (!atStep.offer(line, 60, TimeUnit.SECONDS) || read.poll(60, TimeUnit.SECONDS) == null) {
                            throw new IllegalStateException("the readers did not answer at step " + line);
                        }
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                }));
            } catch (Throwable e) {
                failure.set(e);
            }
        }, "test-merger");
        int steps = 0;
        try (PromptLogReader refreshing = PromptLogReader.open(home.resolve("data"));
             PromptLogReader stale = PromptLogReader.open(home.resolve("data"))) {
            merger.start();
            while (true) {
                String step = atStep.poll(100, TimeUnit.MILLISECONDS);
                if (step == null) {
                    if (!merger.isAlive()) {
                        break;
                    }
                    continue;
                }
                refreshing.refreshLive();
                for (PromptLogReader r : List.of(refreshing, stale)) {
                    List<Object> row = r.sql("SELECT count(*), count(DISTINCT call_id) FROM calls").rows().get(0);
                    assertThat(((Number) row.get(0)).longValue()).as("calls at step '%s'", step).isEqualTo(total);
                    assertThat(((Number) row.get(1)).longValue()).as("distinct calls at step '%s'", step).isEqualTo(total);
                    for (String id : ids) {
                        assertThat(r.call(id)).as("call %s at step '%s'", id, step).isPresent();
                    }
                }
                steps++;
                assertThat(read.offer(true, 60, TimeUnit.SECONDS)).isTrue();
            }
            merger.join();
            assertThat(failure.get()).isNull();
            refreshing.refreshLive();
            assertThat(refreshing.callFileCount()).isEqualTo(days);
            assertThat(((Number) refreshing.sql("SELECT count(*) FROM calls").scalar()).longValue()).isEqualTo(total);
        }
        assertThat(result.get().daysMerged()).isEqualTo(days);
        // per day: journal, wrote, renamed, committed, one per source deleted, merged
        assertThat(steps).isGreaterThanOrEqualTo(DAYS * 9);
    }
}
