package io.promptlog.compactor.internal;

import io.promptlog.writer.CallField;
import org.apache.parquet.example.data.Group;

import java.io.IOException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A response half that arrives after its call was stored as {@code incomplete} (the timeout passed, or the
 * writer looked gone, while the app was still waiting for the model): the call is stored again, joined
 * with its response, and the incomplete row is dropped. The dataset ends with one row per call_id, the
 * complete one, as if the response had come in time.
 *
 * <p>Order, kill-safe at every step:
 * <ol>
 * <li>the joined row is part of the batch of the response half: it stands at the response's queue index
 * (inside that batch's range, so exactly-once by index range holds) and is exempt from the duplicate
 * check for its call_id ({@link CallIdIndex}); the batch's calls files name the call in their footer
 * ({@link #FOOTER_KEY});</li>
 * <li>once they are renamed in, the incomplete row is dropped from the calls file of its date that holds
 * it ({@link ParquetRewrite}: the file is replaced atomically, under the {@link DatasetLock});</li>
 * <li>the checkpoint.</li>
 * </ol>
 * A crash before the rename: the redo decides again, and the incomplete row is still there. A crash between
 * the rename and the checkpoint leaves the batch beyond the checkpoint: {@link Recovery} reads the footer
 * entry and the drop runs again (it drops only a row of that call_id whose status is incomplete, and only
 * while a row of that call_id with another status is stored: idempotent, never the joined row, never the
 * last row of a call).
 *
 * <p>What decides: a row of the call_id with status incomplete stored on the request's date. A call joined
 * earlier (its batch looked ahead and found the response) has a row of another status, and its response
 * adds nothing. The request half must still be in the queue (queue retention keeps it a day by default,
 * the incomplete timeout is 15 minutes); when its cycle was deleted, the late response adds nothing.
 */
final class LateCompletions {
    /** Footer key of a calls file whose batch holds late completions: "date/call_id" entries, URL-encoded. */
    static final String FOOTER_KEY = "promptlog.supersedes";

    /** A call whose incomplete row a late completion replaces. */
    record Superseded(LocalDate date, String callId) {
    }

    private static final String STATUS = CallField.STATUS.column();
    private static final String CALL_ID = CallField.CALL_ID.column();

    private final Path data;
    private final int zstdLevel;
    private final long rowGroupBytes;

    LateCompletions(Path data, int zstdLevel, long rowGroupBytes) {
        this.data = data;
        this.zstdLevel = zstdLevel;
        this.rowGroupBytes = rowGroupBytes;
    }

    static String render(Collection<Superseded> calls) {
        return calls.stream().map(s -> s.date() + "/" + URLEncoder.encode(s.callId(), StandardCharsets.UTF_8))
                .collect(Collectors.joining(","));
    }

    /** The entries of a {@link #FOOTER_KEY} value; empty for null. */
    static List<Superseded> parse(String value) {
        List<Superseded> out = new ArrayList<>();
        if (value == null || value.isEmpty()) {
            return out;
        }
        for (String e : value.split(",")) {
            int slash = e.indexOf('/');
            out.add(new Superseded(LocalDate.parse(e.substring(0, slash)),
                    URLDecoder.decode(e.substring(slash + 1), StandardCharsets.UTF_8)));
        }
        return out;
    }

    /** Whether a calls file of {@code date} holds a row of {@code callId} with status incomplete. */
    boolean storedIncomplete(LocalDate date, String callId) throws IOException {
        for (int attempt = 0; attempt < 2; attempt++) {
            boolean vanished = false;
            for (Path f : callsFiles(date)) {
                try {
                    if (holdsIncomplete(f, callId)) {
                        return true;
                    }
                } catch (java.nio.file.NoSuchFileException e) {
                    vanished = true; // merged or rewritten since the listing: list again
                }
            }
            if (!vanished) {
                return false;
            }
        }
        return false;
    }

    /**
     * Drops the incomplete row of each call from its date's calls files, where a row of that call with
     * another status is stored (the late completion: a day merge in the window before the drop may have
     * kept only one of the two, and then nothing is dropped); returns the rows dropped.
     */
    long dropIncomplete(Collection<Superseded> calls) throws IOException {
        if (calls.isEmpty()) {
            return 0;
        }
        long dropped = 0;
        try (DatasetLock l = DatasetLock.merge(data)) {
            for (Superseded s : calls) {
                List<Path> holding = new ArrayList<>();
                boolean[] complete = new boolean[1];
                for (Path f : callsFiles(s.date())) {
                    boolean[] incomplete = new boolean[1];
                    ParquetRewrite.forEachRow(f, List.of(CALL_ID, STATUS), g -> {
                        if (isIncomplete(g, s.callId())) {
                            incomplete[0] = true;
                        } else if (g.getFieldRepetitionCount(CALL_ID) > 0 && s.callId().equals(g.getString(CALL_ID, 0))) {
                            complete[0] = true;
                        }
                    });
                    if (incomplete[0]) {
                        holding.add(f);
                    }
                }
                if (!complete[0]) {
                    continue;
                }
                for (Path f : holding) {
                    dropped += ParquetRewrite.rewrite(f, true,
                            g -> isIncomplete(g, s.callId()) ? ParquetRewrite.Change.DROP : ParquetRewrite.Change.KEEP,
                            Map.of(), zstdLevel, rowGroupBytes).dropped();
                }
            }
        }
        return dropped;
    }

    private static boolean holdsIncomplete(Path file, String callId) throws IOException {
        boolean[] found = new boolean[1];
        ParquetRewrite.forEachRow(file, List.of(CALL_ID, STATUS), g -> found[0] |= isIncomplete(g, callId));
        return found[0];
    }

    private static boolean isIncomplete(Group g, String callId) {
        return g.getFieldRepetitionCount(CALL_ID) > 0 && g.getFieldRepetitionCount(STATUS) > 0
                && CallField.STATUS_INCOMPLETE.equals(g.getString(STATUS, 0)) && callId.equals(g.getString(CALL_ID, 0));
    }

    private List<Path> callsFiles(LocalDate date) throws IOException {
        return CallIdIndex.callsFiles(data, date);
    }
}
