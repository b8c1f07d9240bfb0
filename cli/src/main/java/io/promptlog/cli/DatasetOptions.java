package io.promptlog.cli;

import io.promptlog.reader.PromptLogReader;
import io.promptlog.reader.PromptLogReaderException;
import io.promptlog.reader.SqlAccess;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;

/** {@code --dir D} (a promptlog home: dataset D/data plus live queue D/queue) or {@code --data OUT} (a bare dataset). */
final class DatasetOptions {
    static final String DEFAULT_HOME = "promptlog-home";

    @Option(names = "--dir", paramLabel = "D", description = "promptlog home: the dataset D/data plus the live queue D/queue (default: ./"
            + DEFAULT_HOME + ")")
    Path dir;

    @Option(names = "--data", paramLabel = "OUT", description = "a bare dataset directory (e.g. copied elsewhere); no live view")
    Path data;

    @Option(names = "--unrestricted-sql", description = "plain DuckDB: SQL may read and write any file you can, "
            + "attach databases, install extensions and use the network (default: read-only SQL over the dataset only)")
    boolean unrestrictedSql;

    Path home() {
        return dir != null ? dir : Path.of(DEFAULT_HOME);
    }

    SqlAccess access() {
        return unrestrictedSql ? SqlAccess.UNRESTRICTED : SqlAccess.DATASET_ONLY;
    }

    /** Opens the reader, prints its warnings, and fails clearly on a missing or empty dataset. */
    PromptLogReader open(PrintWriter err, boolean requireCalls) {
        if (dir != null && data != null) {
            throw new IllegalArgumentException("give either --dir or --data, not both");
        }
        PromptLogReader r;
        if (data != null) {
            if (!Files.isDirectory(data)) {
                throw new PromptLogReaderException("no dataset directory at " + data.toAbsolutePath());
            }
            r = PromptLogReader.open(data, null, access());
        } else {
            r = PromptLogReader.openHome(existingHome(), access());
        }
        r.warningListener(w -> {
            err.println("warning: " + w);
            err.flush();
        });
        if (requireCalls && r.isEmpty()) {
            r.close();
            throw emptyError();
        }
        return r;
    }

    /** The promptlog home, which must exist. */
    Path existingHome() {
        Path home = home();
        if (!Files.isDirectory(home)) {
            throw new PromptLogReaderException("no promptlog home at " + home.toAbsolutePath()
                    + " (use --dir D, or --data OUT for a bare dataset; `promptlog demo` creates one)");
        }
        return home;
    }

    /** The error for a dataset (or home) without any call. */
    PromptLogReaderException emptyError() {
        String where = data != null ? "dataset " + data.toAbsolutePath()
                : "promptlog home " + home().toAbsolutePath() + " (no compacted calls in data/, none waiting in queue/)";
        return new PromptLogReaderException("empty " + where + ": no calls to read");
    }
}
