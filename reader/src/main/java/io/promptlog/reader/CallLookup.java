package io.promptlog.reader;

import io.promptlog.format.DatasetSchema;
import io.promptlog.format.DerivedValues;
import io.promptlog.reader.internal.DatasetViews;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The lookup of one call by its id, for {@link PromptLogReader#call} (whose javadoc gives the steps): the
 * row first, from as few files as its UUIDv7 id allows, without its texts; then its system prompt and tools
 * text by hash, one text each.
 */
final class CallLookup {
    /** Runs one of promptlog's own queries over the views, row by row ({@link PromptLogReader#sqlEach}). */
    @FunctionalInterface
    interface Each {
        void run(String sql, PromptLogReader.SqlRowConsumer rows, Object... params);
    }

    private final DatasetViews views;
    private final Each each;

    CallLookup(DatasetViews views, Each each) {
        this.views = views;
        this.each = each;
    }

    Optional<StoredCall> call(String callId) {
        List<StoredCall> found = new ArrayList<>();
        long ms = DerivedValues.uuidV7Millis(callId);
        if (ms >= 0 && isUuidText(callId)) {
            DayAnswer day = compactedOnDay(callId, ms);
            if (day.call() != null) {
                return Optional.of(day.call());
            }
            // that millisecond in the live view (the day's files that may hold it said no), or when the day's
            // files could not be searched alone, in every view over that day
            each.run("SELECT " + CallRows.selectList() + " FROM " + DatasetViews.textless(day.searched() ? "calls_live" : "calls")
                    + " WHERE call_id = ? AND date = CAST(? AS DATE) AND start_time >= make_timestamptz(?)"
                    + " AND start_time < make_timestamptz(?) ORDER BY start_time, call_id LIMIT 1", rs -> found.add(CallRows.read(rs)),
                    callId, DerivedValues.date(ms * 1000).toString(), ms * 1000, ms * 1000 + 1000);
        }
        if (found.isEmpty()) {
            each.run("SELECT " + CallRows.selectList() + " FROM " + DatasetViews.textless("calls")
                    + " WHERE call_id = ? ORDER BY start_time, call_id LIMIT 1", rs -> found.add(CallRows.read(rs)), callId);
        }
        return found.isEmpty() ? Optional.empty() : Optional.of(views.retry().run(() -> withTexts(found.get(0))));
    }

    /** Whether {@code id} holds hex digits and dashes only (a UUID's text: safe to write as a SQL literal). */
    private static boolean isUuidText(String id) {
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (c != '-' && Character.digit(c, 16) < 0) {
                return false;
            }
        }
        return true;
    }

    /** What the files of a call's day said: the call; or, searched, that they do not hold it; or nothing. */
    private record DayAnswer(StoredCall call, boolean searched) {
        static final DayAnswer NOT_SEARCHED = new DayAnswer(null, false);
        static final DayAnswer NOT_THERE = new DayAnswer(null, true);
    }

    /**
     * The call with a UUIDv7 id in the files of the id's date partition, through that day's files alone; not
     * searched when they could not be searched alone (the lookup over the views decides then).
     */
    private DayAnswer compactedOnDay(String callId, long ms) {
        java.time.LocalDate day = DerivedValues.date(ms * 1000);
        try {
            return views.retry().run(() -> {
                for (String source : views.daySources(day, ms * 1000, ms * 1000 + 1000)) {
                    // promptlog's own statement: no user SQL, so no access check. The id goes in as an escaped
                    // string literal, not a bound parameter: DuckDB binds a prepared read_parquet() statement again
                    // on every execution, so preparing it costs a second parse, bind and plan (lookups 10% slower)
                    String sql = "SELECT " + CallRows.selectList() + " FROM (" + source + ") WHERE call_id = "
                            + DatasetViews.stringLiteral(callId) + " AND start_time >= make_timestamptz(" + ms * 1000
                            + ") AND start_time < make_timestamptz(" + (ms * 1000 + 1000) + ") ORDER BY start_time, call_id LIMIT 1";
                    try (Statement st = views.connection().createStatement(); ResultSet rs = st.executeQuery(sql)) {
                        if (rs.next()) {
                            return new DayAnswer(withTexts(CallRows.read(rs)), true);
                        }
                    }
                }
                return DayAnswer.NOT_THERE;
            });
        } catch (PromptLogReaderException e) {
            // e.g. that day's files all predate a column the views have: the lookup over the views decides
            return DayAnswer.NOT_SEARCHED;
        }
    }

    /** A call read without its texts ({@link DatasetViews#textless}), with its system prompt and tools texts looked up by hash. */
    private StoredCall withTexts(StoredCall c) throws SQLException {
        String prompt = text(c, DatasetSchema.SYSTEM_PROMPTS, c.systemPromptHash());
        String tools = text(c, DatasetSchema.TOOL_DEFINITIONS, c.toolsHash());
        if (prompt == null && tools == null) {
            return c;
        }
        return new StoredCall(c.call().toBuilder().systemPrompt(prompt).tools(tools).build(), c.live(), c.textRetained(),
                c.retentionReason(), c.systemPromptHash(), c.toolsHash(), c.inputHash(), c.outputHash(), c.inputChars(),
                c.outputChars(), c.redactions(), c.date());
    }

    /** The text under {@code hash} for call {@code c}: among the live texts for a live call, else in the text files. */
    private String text(StoredCall c, DatasetSchema.TextTable t, String hash) throws SQLException {
        if (hash == null) {
            return null;
        }
        if (c.live()) {
            return views.liveText(t, hash);
        }
        Long start = c.call().startTimeMicros();
        return views.compactedText(t, hash, start == null ? Long.MIN_VALUE : start);
    }
}
