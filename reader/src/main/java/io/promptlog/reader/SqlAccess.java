package io.promptlog.reader;

/**
 * What SQL run through a {@link PromptLogReader} may touch.
 *
 * <ul>
 * <li>{@link #DATASET_ONLY} (the default): DuckDB reads only the files under the dataset directory the reader
 * was opened on (the live queue is read by promptlog itself, not by DuckDB); user SQL must be one
 * read-only statement ({@code SELECT}, {@code WITH}, {@code FROM}, {@code VALUES}, {@code DESCRIBE},
 * {@code SHOW}, {@code SUMMARIZE}, {@code EXPLAIN} of those); no {@code COPY}, {@code ATTACH},
 * {@code INSTALL}/{@code LOAD}, {@code SET}, {@code CREATE}; no network; DuckDB's configuration is locked so
 * none of this can be switched back on from SQL. Files are written only through
 * {@link PromptLogReader#exportParquet} (the CLI's {@code export}).</li>
 * <li>{@link #UNRESTRICTED}: plain DuckDB, for power users on their own machine: any statement, any file
 * the process can read or write, extensions and network. The CLI's {@code --unrestricted-sql}.</li>
 * </ul>
 * Why the default is closed: a service that embeds the reader behind an internal dashboard would otherwise
 * hand every dashboard user the files of the service's host ({@code read_text('/etc/shadow')},
 * {@code COPY ... TO}).
 */
public enum SqlAccess {
    DATASET_ONLY,
    UNRESTRICTED
}
