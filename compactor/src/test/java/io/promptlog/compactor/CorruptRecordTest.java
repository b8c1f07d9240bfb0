package io.promptlog.compactor;

import io.promptlog.writer.PromptLog;
import io.promptlog.writer.PromptLogConfig;
import io.promptlog.writer.PromptLogHome;
import io.promptlog.writer.RollPeriod;
import io.promptlog.writer.ShardCursor;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(120)
class CorruptRecordTest {

    @Test
    void shouldSkipCorruptAndTruncatedRecordsWithAClearErrorAndKeepTheGoodOnesAround(@TempDir Path home) throws Exception {
        PromptLogConfig cfg = PromptLogConfig.builder(home).shardCount(1).backgroundCompaction(false).build();
        try (PromptLog log = PromptLog.open(cfg)) {
            for (int i = 0; i < 10; i++) {
                log.append(TestCalls.everyField(i));
            }
        }
        Path shard = PromptLogHome.shardDir(home, 0);
        byte[] valid;
        try (ShardCursor c = ShardCursor.open(shard)) {
            assertThat(c.next()).isTrue();
            valid = Arrays.copyOf(c.buffer(), c.length());
        }
        try (SingleChronicleQueue q = PromptLogHome.openShard(shard, RollPeriod.HOURLY, cfg.maxRecordBytes(), false);
             ExcerptAppender a = q.createAppender()) {
            a.writeBytes(Bytes.wrapForRead("this is not a promptlog record".getBytes()));
            a.writeBytes(Bytes.wrapForRead(Arrays.copyOf(valid, valid.length / 2)));
        }
        try (PromptLog log = PromptLog.open(cfg)) {
            for (int i = 10; i < 20; i++) {
                log.append(TestCalls.everyField(i));
            }
        }
        try (Compactor c = Compactor.open(CompactorConfig.builder(home).build())) {
            CompactionResult r = c.runOnce();
            assertThat(r.callsWritten()).isEqualTo(20);
            assertThat(r.corruptRecords()).isEqualTo(2);
            CompactorStats s = c.stats();
            assertThat(s.corruptRecords()).isEqualTo(2);
            assertThat(s.skippedStretches()).hasSize(2);
            assertThat(s.skippedStretches().get(0)).contains("shard-0/").contains(".cq4 bytes ")
                    .contains("record at index 0x").contains("bad magic");
            assertThat(s.skippedStretches().get(1)).contains("checksum mismatch");
            assertThat(s.lastError()).contains("damaged queue stretch").contains("checksum mismatch");
            // the range past the bad records is committed: a second pass finds nothing to do
            assertThat(c.runOnce().recordsRead()).isZero();
        }
        try (DuckDataset d = new DuckDataset(home.resolve("data"))) {
            assertThat(d.count("SELECT count(DISTINCT call_id) FROM calls")).isEqualTo(20);
        }
    }
}
