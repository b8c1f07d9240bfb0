package io.promptlog.format;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * The journal of one merge of a closed day's calls files (the protocol is described once, in
 * {@link DatasetLayout}): the day, the merge's sequence number, its state, the source files it replaces and
 * the target files it wrote, all by file name inside {@code calls/date=<day>/}. A prepared journal names no
 * targets yet: its targets are every file named {@link DatasetLayout#mergedName mergedName(seq, part)}.
 * Stored as
 * {@link DatasetLayout#mergeJournal} in US-ASCII lines:
 * <pre>
 *   # promptlog merge journal
 *   state=prepared            (or committed)
 *   date=2026-11-21
 *   seq=7
 *   source=&lt;file name&gt;       one line per source
 *   target=&lt;file name&gt;       one line per target
 * </pre>
 * Written atomically (temp file, fsync, rename): a reader sees the old content or the new, never a part.
 */
public record MergeJournal(LocalDate date, long seq, boolean committed, List<String> sources, List<String> targets) {
    public MergeJournal {
        sources = List.copyOf(sources);
        targets = List.copyOf(targets);
        for (String n : sources) {
            checkName(n);
        }
        for (String n : targets) {
            checkName(n);
        }
    }

    /** The same merge, committed, with the targets it wrote. */
    public MergeJournal committed(List<String> written) {
        return new MergeJournal(date, seq, true, sources, written);
    }

    /** Whether {@code fileName} (in the day's directory) is one of this merge's targets. */
    public boolean isTarget(String fileName) {
        if (committed) {
            return targets.contains(fileName);
        }
        return fileName.startsWith(DatasetLayout.mergedName(seq, 0).replace("_p0" + DatasetLayout.PARQUET, "_p"))
                && DatasetLayout.isMerged(fileName);
    }

    public byte[] render() {
        StringBuilder s = new StringBuilder("# promptlog merge journal (see DatasetLayout)\n");
        s.append("state=").append(committed ? "committed" : "prepared").append('\n');
        s.append("date=").append(date).append('\n');
        s.append("seq=").append(seq).append('\n');
        for (String n : sources) {
            s.append("source=").append(n).append('\n');
        }
        for (String n : targets) {
            s.append("target=").append(n).append('\n');
        }
        return s.toString().getBytes(StandardCharsets.US_ASCII);
    }

    /** Reads a journal; null when the file is gone (the merge finished meanwhile). */
    public static MergeJournal read(Path file) throws IOException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (NoSuchFileException e) {
            return null;
        }
        return parse(text, file.toString());
    }

    static MergeJournal parse(String text, String where) throws IOException {
        Boolean committed = null;
        LocalDate date = null;
        long seq = -1;
        List<String> sources = new ArrayList<>();
        List<String> targets = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int eq = line.indexOf('=');
            if (eq < 0) {
                throw new IOException("merge journal " + where + ": bad line '" + line + "'");
            }
            String k = line.substring(0, eq);
            String v = line.substring(eq + 1).trim();
            try {
                switch (k) {
                    case "state" -> {
                        if (!v.equals("prepared") && !v.equals("committed")) {
                            throw new IOException("merge journal " + where + ": state must be prepared or committed, was '" + v + "'");
                        }
                        committed = v.equals("committed");
                    }
                    case "date" -> date = LocalDate.parse(v);
                    case "seq" -> seq = Long.parseLong(v);
                    case "source" -> sources.add(v);
                    case "target" -> targets.add(v);
                    default -> throw new IOException("merge journal " + where + ": unknown key '" + k + "'");
                }
            } catch (DateTimeParseException | NumberFormatException e) {
                throw new IOException("merge journal " + where + ": bad value in '" + line + "'", e);
            }
        }
        if (committed == null || date == null || seq < 0 || sources.isEmpty()) {
            throw new IOException("merge journal " + where + " is incomplete (needs state, date, seq and sources)");
        }
        try {
            return new MergeJournal(date, seq, committed, sources, targets);
        } catch (IllegalArgumentException e) {
            throw new IOException("merge journal " + where + ": " + e.getMessage(), e);
        }
    }

    private static void checkName(String n) {
        if (n.isEmpty() || n.contains("/") || n.contains("\\") || n.startsWith(".") || !n.endsWith(DatasetLayout.PARQUET)) {
            throw new IllegalArgumentException("not a calls file name: '" + n + "'");
        }
    }
}
