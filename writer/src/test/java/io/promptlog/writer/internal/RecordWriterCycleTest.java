package io.promptlog.writer.internal;

import io.promptlog.writer.CallField;
import io.promptlog.writer.LlmCall;
import io.promptlog.writer.ShardCursor;
import net.openhft.chronicle.core.time.SetTimeProvider;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Definitions are repeated in each new cycle of a shard, so a reader that starts in a cycle (or after the
 * older cycles were deleted) resolves every reference. Time is a settable clock.
 */
@Timeout(60)
class RecordWriterCycleTest {
    @TempDir
    Path dir;

    @Test
    void shouldDefineTextsAgainInEachNewCycleSoDeletingOlderCyclesStrandsNoReference() throws Exception {
        Path shard = dir.resolve("shard-0");
        SetTimeProvider clock = new SetTimeProvider(TimeUnit.HOURS.toNanos(490_000)).autoIncrement(0, TimeUnit.NANOSECONDS);
        String prompt = "p".repeat(3000);
        RecordEncoder encoder = new RecordEncoder(1 << 20);
        TextSlot[] slots = {new TextSlot(CallField.SYSTEM_PROMPT.id()), new TextSlot(CallField.TOOLS.id())};
        RecordWriter writer = new RecordWriter();
        List<Long> indexes = new ArrayList<>();
        try (SingleChronicleQueue q = SingleChronicleQueueBuilder.binary(shard).rollCycle(RollCycles.FAST_HOURLY)
                .timeProvider(clock).build();
             ExcerptAppender a = q.createAppender()) {
            for (int cycle = 0; cycle < 3; cycle++) {
                for (int i = 0; i < 4; i++) {
                    encoder.reset();
                    slots[0].clear();
                    slots[1].clear();
                    slots[0].stage(prompt, encoder);
                    encoder.putString(CallField.RESPONSE.id(), "c" + cycle + " r" + i);
                    indexes.add(writer.write(a, encoder.buffer(), encoder.finish(RecordDescriptor.KIND_CALL), slots));
                }
                clock.advanceMillis(TimeUnit.HOURS.toMillis(1));
            }
        }
        // per cycle: the first record inline (not yet repeated), the second defines, the rest refer to it
        List<Integer> wires = new ArrayList<>();
        try (ShardCursor c = ShardCursor.open(shard)) {
            while (c.next()) {
                wires.add(io.promptlog.writer.TextReferenceTest.wireOf(c.buffer(), c.length(), CallField.SYSTEM_PROMPT.id()));
                assertThat(c.decode().systemPrompt()).isEqualTo(prompt);
            }
        }
        int s = RecordDescriptor.WIRE_STRING;
        int r = RecordDescriptor.WIRE_TEXT_REF;
        assertThat(wires).containsExactly(s, s, r, r, s, r, r, r, s, r, r, r);
        assertThat(writer.definitionsWritten()).isEqualTo(3);

        // delete the first two cycles' files: the last cycle still resolves alone, from any start
        File[] cycles;
        try (Stream<Path> files = Files.list(shard)) {
            cycles = files.filter(f -> f.toString().endsWith(".cq4")).sorted().map(Path::toFile).toArray(File[]::new);
        }
        assertThat(cycles).hasSize(3);
        assertThat(cycles[0].delete() && cycles[1].delete()).isTrue();
        // as the compactor's queue retention does: a writable instance records the new lowest cycle
        try (SingleChronicleQueue q = SingleChronicleQueueBuilder.binary(shard).rollCycle(RollCycles.FAST_HOURLY)
                .timeProvider(clock).build()) {
            q.refreshDirectoryListing();
        }
        for (int start = 8; start < 12; start++) {
            try (ShardCursor c = ShardCursor.open(shard)) {
                c.moveAfter(indexes.get(start) - 1);
                assertThat(c.next()).isTrue();
                LlmCall call = c.decode();
                assertThat(call.systemPrompt()).isEqualTo(prompt);
                assertThat(call.response()).isEqualTo("c2 r" + (start - 8));
            }
        }
    }
}
