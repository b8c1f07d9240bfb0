package io.promptlog.integrations;

import io.promptlog.writer.CorruptRecordException;
import io.promptlog.writer.LlmCall;
import io.promptlog.writer.PromptLogHome;
import io.promptlog.writer.ShardCursor;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Test helper (shared with the client modules' tests): every record in a home's queue, read back for real. */
public final class LoggedCalls {
    private LoggedCalls() {
    }

    public static List<LlmCall> readAll(Path home) {
        List<LlmCall> out = new ArrayList<>();
        for (Path dir : PromptLogHome.shardDirs(home)) {
            try (ShardCursor c = ShardCursor.open(dir)) {
                while (c.next()) {
                    out.add(c.decode());
                }
            } catch (CorruptRecordException e) {
                throw new AssertionError("corrupt record in " + dir, e);
            }
        }
        return out;
    }

    /** The only record in the queue; fails when there are none or several. */
    public static LlmCall single(Path home) {
        List<LlmCall> all = readAll(home);
        if (all.size() != 1) {
            throw new AssertionError("expected exactly one logged call, found " + all.size() + ": " + all);
        }
        return all.get(0);
    }
}
