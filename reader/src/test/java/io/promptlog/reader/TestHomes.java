package io.promptlog.reader;

import io.promptlog.compactor.Compactor;
import io.promptlog.compactor.CompactorConfig;
import io.promptlog.compactor.CompactorStats;
import io.promptlog.synthetic.Generate;
import io.promptlog.synthetic.GenerateOptions;
import io.promptlog.writer.LlmCall;
import io.promptlog.writer.PromptLog;
import io.promptlog.writer.PromptLogConfig;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Test fixtures: promptlog homes filled through the real writer and compacted by the real compactor. */
public final class TestHomes {
    private TestHomes() {
    }

    /** A writer on {@code home} that leaves compaction to the test. */
    public static PromptLog openLog(Path home) {
        return PromptLog.open(PromptLogConfig.builder(home).backgroundCompaction(false).build());
    }

    /** Logs {@code count} synthetic calls (seq from {@code seqStart}) into {@code home}'s queue. */
    public static void generate(Path home, long count, long seqStart, long seed) throws InterruptedException {
        GenerateOptions o = GenerateOptions.builder().home(home).count(count).seqStart(seqStart).seed(seed)
                .progress(false).build();
        PrintStream sink = new PrintStream(new ByteArrayOutputStream());
        try (PromptLog log = openLog(home)) {
            Generate.Result r = Generate.run(log, o, sink, sink);
            assertThat(r.dropped()).isZero();
        }
    }

    /** Appends these calls to {@code home}'s queue. */
    public static void append(Path home, LlmCall... calls) {
        try (PromptLog log = openLog(home)) {
            for (LlmCall c : calls) {
                assertThat(log.append(c)).isGreaterThanOrEqualTo(0);
            }
        }
    }

    /** Compacts everything in the queue with this retention (default|all|none) and redaction (default|none). */
    public static CompactorStats compact(Path home, String retain, String redact) throws Exception {
        try (Compactor c = Compactor.open(CompactorConfig.fromOptions(home, null, retain, redact).build())) {
            c.runOnce();
            CompactorStats s = c.stats();
            assertThat(s.errors()).as("compactor errors: %s", s.lastError()).isZero();
            return s;
        }
    }
}
