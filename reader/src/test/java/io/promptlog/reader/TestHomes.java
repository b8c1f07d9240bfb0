package io.promptlog.reader;

import io.promptlog.synthetic.Generate;
import io.promptlog.synthetic.GenerateOptions;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;

/** Test fixtures: promptlog homes filled through the real writer. */
final class TestHomes {
    private TestHomes() {
    }

    /** Logs {@code count} synthetic calls (seq from {@code seqStart}) into {@code home}'s queue. */
    static void generate(Path home, long count, long seqStart, long seed) throws InterruptedException {
        GenerateOptions o = GenerateOptions.builder().home(home).count(count).seqStart(seqStart).seed(seed)
                .progress(false).build();
        PrintStream sink = new PrintStream(new ByteArrayOutputStream());
        Generate.run(o, sink, sink);
    }
}
