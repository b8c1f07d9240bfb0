package io.promptlog.reader;

import org.apache.arrow.vector.ipc.ArrowReader;

import java.sql.SQLException;
import java.sql.Statement;

/**
 * The result of {@link PromptLogReader#sqlArrow}: an Arrow reader over the rows, batch by batch. Closing
 * it releases both the Arrow buffers and the DuckDB statement behind them.
 */
public final class ArrowResult implements AutoCloseable {
    private final ArrowReader reader;
    private final Statement statement;

    ArrowResult(ArrowReader reader, Statement statement) {
        this.reader = reader;
        this.statement = statement;
    }

    /** {@code reader().loadNextBatch()} then {@code reader().getVectorSchemaRoot()}, until false. */
    public ArrowReader reader() {
        return reader;
    }

    @Override
    public void close() {
        try {
            reader.close();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } finally {
            try {
                statement.close();
            } catch (SQLException e) {
                throw new PromptLogReaderException("closing the DuckDB statement failed: " + e.getMessage(), e);
            }
        }
    }
}
