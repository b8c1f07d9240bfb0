package io.promptlog.reader.internal;

import io.promptlog.reader.PromptLogReaderException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;

/**
 * Runs work over the views so that a corrupt dataset file costs only that file: when DuckDB fails in a
 * way that may come from a file, the file it names is set aside (or the files are listed again when it
 * vanished, as when the compactor replaced it); when it names none, every file is probed. Then the views
 * are rebuilt and the work tried again, up to {@value #MAX_FILE_RETRIES} times.
 *
 * <p>DuckDB reports errors as text only: errors whose message starts with a parser, binder, catalog,
 * conversion, range, constraint, not-implemented or interrupt prefix are the query's fault and are thrown
 * at once.
 */
public final class CorruptFileRetry {
    static final int MAX_FILE_RETRIES = 32;

    private final Connection conn;
    private final DatasetFiles files;
    private final SqlWork<Void> rebuildViews;
    private final Warnings warnings;

    public CorruptFileRetry(Connection conn, DatasetFiles files, SqlWork<Void> rebuildViews, Warnings warnings) {
        this.conn = conn;
        this.files = files;
        this.rebuildViews = rebuildViews;
        this.warnings = warnings;
    }

    /**
     * @throws PromptLogReaderException with DuckDB's message when the failure is the query's own, or
     *                                  persists
     */
    public <T> T run(SqlWork<T> work) {
        boolean rebuild = false;
        for (int attempt = 0; ; attempt++) {
            try {
                if (rebuild) {
                    rebuildViews.run();
                }
                return work.run();
            } catch (SQLException e) {
                String msg = e.getMessage();
                if (e instanceof SqlLockdown.SqlRefusedException || SqlLockdown.isRefusal(msg)) {
                    throw new PromptLogReaderException(SqlLockdown.explain(msg).strip(), e);
                }
                if (attempt >= MAX_FILE_RETRIES || !mayBeAFileProblem(msg)) {
                    throw new PromptLogReaderException(cleanMessage(msg), e);
                }
                Path bad = files.mentionedIn(msg);
                if (bad != null && Files.exists(bad)) {
                    files.skip(bad, firstLine(cleanMessage(msg)));
                } else if (bad != null) {
                    files.scan();
                } else {
                    Map<Path, String> found = files.probe(conn, true);
                    if (found.isEmpty()) {
                        throw new PromptLogReaderException(cleanMessage(msg), e);
                    }
                    found.forEach(files::skip);
                }
                rebuild = true;
                warnings.reportSkips(files.skipped());
            }
        }
    }

    /** Parser, binder, catalog and conversion errors are the query's fault; others may come from a file. */
    static boolean mayBeAFileProblem(String msg) {
        if (msg == null) {
            return false;
        }
        String m = msg.strip();
        return !(m.startsWith("Parser Error") || m.startsWith("Binder Error") || m.startsWith("Catalog Error")
                || m.startsWith("Conversion Error") || m.startsWith("Out of Range Error")
                || m.startsWith("Constraint Error") || m.startsWith("Not implemented Error")
                || m.startsWith("Invalid Input Error: Could not convert") || m.startsWith("Interrupt"));
    }

    private static String cleanMessage(String msg) {
        return msg == null ? "query failed" : msg.strip();
    }

    private static String firstLine(String s) {
        int i = s.indexOf('\n');
        return i < 0 ? s : s.substring(0, i);
    }
}
