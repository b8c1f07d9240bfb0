package io.promptlog.compactor;

import io.promptlog.synthetic.SyntheticCalls;
import io.promptlog.writer.LlmCall;
import io.promptlog.writer.PromptLog;
import io.promptlog.writer.PromptLogConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A call_id that reaches the queue twice (an app re-logging a call, an import of calls the queue also holds)
 * is stored once, whether its copies fall in one batch, in two batches of one compactor, or in batches of a
 * compactor restarted in between; copies are counted in {@link CompactorStats#duplicatesDropped()}.
 */
@Timeout(120)
class DuplicateCallIdTest {
    @TempDir
    Path home;

    private static CompactorConfig config(Path home) {
        return CompactorConfig.builder(home).retention(RetentionPolicy.none()).maxFileRows(50).hostName("dup-host").build();
    }

    @Test
    void shouldStoreACallIdOnceWhenItsCopiesFallInDifferentBatchesAndRuns() throws Exception {
        SyntheticCalls gen = new SyntheticCalls(3, 5, 100, 300);
        long seq = 0;
        try (PromptLog log = PromptLog.open(PromptLogConfig.builder(home).shardCount(1).backgroundCompaction(false).build())) {
            for (; seq < 120; seq++) {
                log.append(gen.call(seq));
            }
            try (Compactor c = Compactor.open(config(home))) {
                c.runOnce();
                // the same calls logged again: one copy in the same pass's later batch, one in a later pass
                for (long s = 0; s < 30; s++) {
                    log.append(gen.call(s));
                }
                for (; seq < 160; seq++) {
                    log.append(gen.call(seq));
                    if (seq % 10 == 0) {
                        log.append(gen.call(seq)); // twice within one batch
                    }
                }
                c.runOnce();
                assertThat(c.stats().duplicatesDropped()).isEqualTo(30 + 4);
                assertThat(c.stats().errors()).as("%s", c.stats().lastError()).isZero();
            }
            // a restarted compactor knows the stored ids from the files; an imported copy with other fields too
            LlmCall again = gen.call(7);
            log.append(again.toBuilder().outputTokens(987_654L).build());
            for (long s = 100; s < 150; s++) {
                log.append(gen.call(s)); // a whole batch of copies: its file is written empty
            }
            log.append(gen.call(seq++));
            try (Compactor c = Compactor.open(config(home))) {
                c.runOnce();
                assertThat(c.stats().duplicatesDropped()).isEqualTo(51);
                assertThat(c.stats().errors()).as("%s", c.stats().lastError()).isZero();
            }
        }
        // a compactor opened on the result finds nothing to redo (the empty file completes its batch)
        try (Compactor c = Compactor.open(config(home))) {
            c.runOnce();
            assertThat(c.stats().callsWritten()).isZero();
            assertThat(c.stats().errors()).isZero();
        }
        try (DuckDataset d = new DuckDataset(home.resolve("data"))) {
            assertThat(d.count("SELECT count(*) FROM calls")).isEqualTo(seq);
            assertThat(d.count("SELECT count(DISTINCT call_id) FROM calls")).isEqualTo(seq);
            assertThat(d.count("SELECT count(*) FROM calls WHERE output_tokens = 987654")).isZero();
        }
    }
}
