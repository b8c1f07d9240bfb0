package io.promptlog.writer;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Test helper: every record in a home's queue, shard by shard, in append order within a shard. */
final class QueueContents {
    private QueueContents() {
    }

    static List<LlmCall> readAll(Path home) throws CorruptRecordException {
        List<LlmCall> out = new ArrayList<>();
        for (List<LlmCall> shard : byShard(home)) {
            out.addAll(shard);
        }
        return out;
    }

    static List<List<LlmCall>> byShard(Path home) throws CorruptRecordException {
        List<List<LlmCall>> out = new ArrayList<>();
        for (Path dir : PromptLogHome.shardDirs(home)) {
            List<LlmCall> calls = new ArrayList<>();
            try (ShardCursor c = ShardCursor.open(dir)) {
                while (c.next()) {
                    calls.add(c.decode());
                }
            }
            out.add(calls);
        }
        return out;
    }
}
