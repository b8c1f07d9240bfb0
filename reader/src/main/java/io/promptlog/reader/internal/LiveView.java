package io.promptlog.reader.internal;

import io.promptlog.format.Checkpoint;
import io.promptlog.format.DatasetSchema;
import org.apache.arrow.c.ArrowArrayStream;
import org.apache.arrow.c.Data;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.duckdb.DuckDBConnection;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

import static io.promptlog.reader.internal.JdbcValues.exec;
import static io.promptlog.reader.internal.JdbcValues.scalar;

/**
 * The calls still in the queue that the compactor has not committed: streamed from the queue to DuckDB as
 * Arrow batches ({@link LiveArrow}) into the table {@code calls_live_raw}, typed like the compacted calls,
 * and their system prompts and tool definitions, each distinct text once, into {@code live_texts}.
 */
final class LiveView {
    private LiveView() {
    }

    /** Takes a snapshot of the queue ({@code queueDir} null: an empty live view). */
    static void load(Connection conn, Path queueDir, Path dataDir, Warnings warnings) throws SQLException {
        exec(conn, "DROP TABLE IF EXISTS calls_live_raw");
        exec(conn, "CREATE OR REPLACE TABLE live_texts (kind VARCHAR, hash VARCHAR, text VARCHAR, chars BIGINT, "
                + "first_seen TIMESTAMP WITH TIME ZONE)");
        if (queueDir == null) {
            exec(conn, "CREATE TABLE calls_live_raw (" + DatasetSchema.duckDbColumns(DatasetSchema.CALLS_VIEW) + ")");
            return;
        }
        LiveTexts texts = new LiveTexts();
        try (LiveQueue source = new LiveQueue(queueDir, Checkpoint.committed(queueDir, dataDir));
             BufferAllocator allocator = new RootAllocator();
             ArrowArrayStream stream = ArrowArrayStream.allocateNew(allocator)) {
            ArrowReader reader = LiveArrow.reader(allocator, source, texts);
            Data.exportArrayStream(allocator, reader, stream);
            conn.unwrap(DuckDBConnection.class).registerArrowStream("promptlog_live_stream", stream);
            // Chronicle tailers belong to the thread that uses them: with one DuckDB thread the scan pulls
            // every batch on this thread (worker threads would have the queue cursor refuse them)
            String threads = String.valueOf(scalar(conn, "SELECT current_setting('threads')"));
            exec(conn, "SET threads = 1");
            try {
                exec(conn, "CREATE TABLE calls_live_raw AS SELECT * FROM promptlog_live_stream");
            } finally {
                exec(conn, "SET threads = " + Integer.parseInt(threads));
            }
            for (String p : source.problems()) {
                warnings.warn("queue: " + p);
            }
            if (source.corruptRecords() > 0) {
                warnings.warn("queue: skipped " + source.corruptRecords() + " damaged stretch(es); the records after them are shown");
            }
        }
        try (PreparedStatement ps = conn.prepareStatement("INSERT INTO live_texts VALUES (?, ?, ?, ?, make_timestamptz(?))")) {
            addTexts(ps, kind(DatasetSchema.SYSTEM_PROMPTS), texts.prompts());
            addTexts(ps, kind(DatasetSchema.TOOL_DEFINITIONS), texts.tools());
            ps.executeBatch();
        }
    }

    /** The {@code kind} of a text table's texts in {@code live_texts}. */
    static String kind(DatasetSchema.TextTable t) {
        return t.equals(DatasetSchema.SYSTEM_PROMPTS) ? "system_prompt" : "tools";
    }

    /** The text under {@code hash} in {@code live_texts} (every live call's texts are there), or null. */
    static String text(Connection conn, DatasetSchema.TextTable t, String hash) throws SQLException {
        try (PreparedStatement ps = conn.prepareStatement("SELECT text FROM live_texts WHERE kind = ? AND hash = ? LIMIT 1")) {
            ps.setString(1, kind(t));
            ps.setString(2, hash);
            try (java.sql.ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    private static void addTexts(PreparedStatement ps, String kind, Iterable<LiveTexts.Text> texts) throws SQLException {
        for (LiveTexts.Text t : texts) {
            ps.setString(1, kind);
            ps.setString(2, t.hash());
            ps.setString(3, t.text());
            ps.setLong(4, t.text().length());
            if (t.firstSeenMicros() == Long.MAX_VALUE) {
                ps.setNull(5, java.sql.Types.BIGINT);
            } else {
                ps.setLong(5, t.firstSeenMicros());
            }
            ps.addBatch();
        }
    }
}
