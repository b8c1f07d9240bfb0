package io.promptlog.benchmarks;

import io.promptlog.compactor.Compactor;
import io.promptlog.compactor.CompactorConfig;
import io.promptlog.compactor.RetentionPolicy;
import io.promptlog.writer.AppendStatus;
import io.promptlog.writer.LlmCall;
import io.promptlog.writer.PromptLog;
import io.promptlog.writer.PromptLogConfig;

import java.io.IOException;
import java.nio.file.Path;

/** One promptlog home of the storage benchmark: a log to append to (one shard) and a compactor with the given retention. */
final class BenchHome {
    final PromptLog log;
    final Compactor compactor;
    final Path data;
    final Path home;

    BenchHome(Path home, RetentionPolicy retention, int zstdLevel) throws IOException {
        this.home = home;
        log = PromptLog.open(PromptLogConfig.builder(home).shardCount(1).backgroundCompaction(false).build());
        CompactorConfig cfg = CompactorConfig.builder(home).retention(retention).zstdLevel(zstdLevel)
                .queueRetention(CompactorConfig.KEEP_QUEUE_FOREVER).build();
        compactor = Compactor.open(cfg);
        data = cfg.dataDir();
    }

    void append(LlmCall call) {
        int st = log.append(call);
        if (!AppendStatus.isAppended(st)) {
            throw new IllegalStateException("append failed: " + AppendStatus.describe(st) + " "
                    + log.stats().lastError());
        }
    }

    void close() {
        compactor.close();
        log.close();
    }

    long datasetBytes(String sub) throws IOException {
        return BenchFiles.parquetBytes(sub.isEmpty() ? data : data.resolve(sub));
    }
}
