package io.promptlog.compactor.internal;

import io.promptlog.compactor.Compactor;
import io.promptlog.compactor.CompactorConfig;
import io.promptlog.compactor.RetentionPolicy;
import io.promptlog.format.CallsFileListing;
import io.promptlog.writer.LlmCall;
import io.promptlog.writer.PromptLog;
import io.promptlog.writer.PromptLogConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A merge given up part way (its compactor closing) leaves the day exactly as it was, once rolled back. */
@Timeout(120)
class DayMergerCancelTest {
    static final long BASE = 1_795_132_800_000_000L; // 2026-11-20T00:00Z

    @Test
    void shouldLeaveTheDayAsItWasWhenAMergeIsGivenUpPartWay(@TempDir Path home) throws Exception {
        try (PromptLog log = PromptLog.open(PromptLogConfig.builder(home).shardCount(1).backgroundCompaction(false).build())) {
            for (int i = 0; i < 3000; i++) {
                log.append(LlmCall.builder().callId(String.format("c-%04d", i)).startTimeMicros(BASE + i * 20_000_000L)
                        .requestModel("gpt-4o").messages(List.of(io.promptlog.writer.Message.of("user", "q" + i)))
                        .response("a" + i).build());
            }
        }
        Clock later = Clock.fixed(Instant.parse("2026-11-25T00:00:00Z"), ZoneOffset.UTC);
        try (Compactor c = Compactor.open(CompactorConfig.builder(home).retention(RetentionPolicy.all()).maxFileRows(250)
                .clock(later).mergeClosedDays(false).build())) {
            c.runOnce();
        }
        Path data = home.resolve("data");
        List<Path> before = CallsFileListing.list(data);
        DayMerger merger = new DayMerger(data, 3, 64 * 1024 * 1024, 64 * 1024, Duration.ofHours(1), later);
        AtomicInteger checks = new AtomicInteger();
        List<String> steps = new ArrayList<>();
        // small row groups: sorted runs of ~1,300 rows, so the cancellation is checked after each of three
        assertThatThrownBy(() -> merger.mergeDay(LocalDate.of(2026, 11, 20), steps::add, () -> checks.incrementAndGet() >= 2))
                .isInstanceOf(DayMerger.Cancelled.class);
        assertThat(checks.get()).as("given up after the first sorted run, before the last").isEqualTo(2);
        assertThat(steps).anyMatch(s -> s.startsWith("journal "));
        assertThat(merger.recover(steps::add)).isEqualTo(1);
        assertThat(CallsFileListing.list(data)).isEqualTo(before);
        try (Stream<Path> s = Files.walk(data)) {
            assertThat(s.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp") || n.endsWith(".journal")
                    || n.startsWith("merged_"));
        }
        // and the day merges in full next time
        assertThat(merger.mergeDay(LocalDate.of(2026, 11, 20), steps::add).rows()).isEqualTo(3000);
    }
}
