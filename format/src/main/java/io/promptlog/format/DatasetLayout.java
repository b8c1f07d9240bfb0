package io.promptlog.format;

import java.nio.file.Path;
import java.time.LocalDate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where things live in a dataset directory, described once:
 * <pre>
 *   data/
 *     calls/date=YYYY-MM-DD/&lt;name&gt;.parquet     one file per (batch, date)
 *     system_prompts/&lt;name&gt;.parquet            distinct system prompts first seen in that batch
 *     tool_definitions/&lt;name&gt;.parquet          distinct tool definitions first seen in that batch
 *     _promptlog/&lt;queue-id&gt;.checkpoint          committed index per shard (Java properties)
 *     _promptlog/&lt;queue-id&gt;.lock                held by the one compactor of that queue
 *     _promptlog/&lt;queue-id&gt;.known-&lt;table&gt;[.n]   that compactor's scratch: the hashes of the texts
 *                                              stored (memory-mapped; rebuilt at each start, deleted on close)
 * </pre>
 * The date of a call is {@link DerivedValues#date}. A text table file ({@link DatasetSchema.TextTable}) has
 * min/max statistics (so {@code first_seen} places it in time) and a bloom filter on its hash column, so a
 * lookup of one text by hash reads the row group that holds it, not every file's hashes.
 * {@code <name>} is {@code <host>_<queue-id>_s<shard>_<first>-<last>} with the first and last queue index
 * of the batch as 16 hex digits, so names are unique per host, queue, shard and index range, and many
 * hosts can share one dataset. Files being written are {@code .<name>.parquet.tmp} in the same
 * directory: never matched by {@code *.parquet}, hidden from Spark, removed by the owner's next start.
 *
 * <h2>Merged days</h2>
 * A compactor cuts a file per shard at least every few minutes, so a quiet service leaves hundreds of
 * small files a day. Once a day is <b>closed</b> its small files are merged into a few large ones:
 * <pre>
 *   calls/date=YYYY-MM-DD/merged_&lt;seq&gt;_p&lt;part&gt;.parquet   seq: 16 hex digits, part: 0, 1, ...
 *   _promptlog/merge-YYYY-MM-DD.journal                  the merge of that day in progress ({@link MergeJournal})
 *   _promptlog/merge.epoch                               merge commits so far (a decimal number)
 *   _promptlog/merge.lock                                held while a merge, an erasure or a text expiry rewrites files
 * </pre>
 * <ul>
 * <li><b>Closed</b>: the UTC day ended at least the grace period ago (compactor setting, 1 hour by
 * default), and every batch file of that day is at or below its queue's checkpoint (no batch of it is half
 * committed). A call that arrives later for a merged day (a compactor that was down, a two-phase call
 * completed late) is written as a new small batch file next to the merged ones and found like any other;
 * a later merge pass merges the day again once it has at least two small files.</li>
 * <li><b>Sources</b>: every calls file of the day smaller than half the target file size, with the current
 * layout's schema (merged files from earlier passes included). Files not merged are read for their
 * {@code call_id}s so the day never holds one {@code call_id} twice: of several rows with one
 * {@code call_id}, a row in a file not merged is kept; else the first row, in the order of the files'
 * earliest start (ties: file name order), whose {@code status} is not {@code incomplete} (a two-phase call
 * completed late replaces its incomplete row); else the first row.</li>
 * <li><b>Targets</b>: rows sorted by {@code call_id} (for writer-made UUIDv7 ids: start order) within runs
 * of up to a row group; a new target file once the target file size is reached; row groups of the
 * configured size, each with min/max statistics and a {@code call_id} bloom filter, so a point lookup by
 * {@code call_id} reads one row group. Footer: {@code promptlog.layout_version}, {@code promptlog.schema_version},
 * {@code promptlog.merged_from} (source count), {@code promptlog.merge_seq}; {@code promptlog.text_expired}
 * when every source had it. Column encodings as in batch files, except the message contents, which
 * are dictionary-encoded ({@link DatasetSchema#mergedDictionaryPaths()}); zstd at the merge's own level
 * (compactor setting, higher than a batch's by default: the merge runs in the background, once a day).</li>
 * <li><b>Commit</b>, under the merge lock (and the compactor's own queue lock), each step durable (fsync of
 * the file, then of its directory) before the next:
 * <ol>
 * <li>the journal, state {@code prepared}, naming sources and targets;</li>
 * <li>each target written as {@code .<target>.tmp} and renamed to its name;</li>
 * <li>the journal rewritten (atomically) as {@code committed}: the commit point;</li>
 * <li>the epoch incremented;</li>
 * <li>the sources deleted;</li>
 * <li>the journal deleted.</li>
 * </ol>
 * Recovery, at a compactor's start and before every merge: a {@code prepared} journal is rolled back (its
 * targets and temp files deleted, then the journal); a {@code committed} one is rolled forward (epoch
 * incremented, remaining sources deleted, journal deleted). Killed anywhere, nothing is lost or doubled.</li>
 * <li><b>Readers</b> list calls files with {@link CallsFileListing}, which honours the journals and the
 * epoch, so at every instant each call is in exactly one listed file. A plain glob
 * ({@code read_parquet('calls/**}{@code /*.parquet')}, {@code spark.read.parquet("calls")}) does not read
 * the journal: during the few milliseconds between step 2 and step 5 it sees the targets and the sources,
 * so every call of that day twice, and a merge killed in that window leaves that state until the next
 * compactor start (which finishes it first thing). Merges run only on closed days, once per day
 * (plus late calls), so a glob query over recent data is never affected; for exact answers at any instant
 * use the reader.</li>
 * </ul>
 */
public final class DatasetLayout {
    public static final String META_DIR = "_promptlog";
    public static final String DATE_PREFIX = "date=";
    public static final String PARQUET = ".parquet";
    public static final String TMP_SUFFIX = ".tmp";
    /** Prefix of a merged calls file's name. */
    public static final String MERGED_PREFIX = "merged_";
    /** Matches the merge journals in {@link #metaDir}. */
    public static final String MERGE_JOURNAL_GLOB = "merge-*.journal";
    private static final Pattern MERGED = Pattern.compile("merged_([0-9a-f]{16})_p(\\d+)\\.parquet");
    private static final Pattern NAME = Pattern.compile(
            "([A-Za-z0-9.-]+)_([0-9a-f]{16})_s(\\d+)_([0-9a-f]{16})-([0-9a-f]{16})\\.parquet");

    private DatasetLayout() {
    }

    /** The batch name (without extension). */
    public static String batchName(String host, String queueId, int shard, long first, long last) {
        return host + "_" + queueId + "_s" + shard + "_" + hex(first) + "-" + hex(last);
    }

    public static Path callsDir(Path data) {
        return data.resolve(DatasetSchema.CALLS_DIR);
    }

    /** The directory of a text table. */
    public static Path textDir(Path data, DatasetSchema.TextTable table) {
        return data.resolve(table.dir());
    }

    public static Path dateDir(Path data, LocalDate date) {
        return callsDir(data).resolve(DATE_PREFIX + date);
    }

    public static Path metaDir(Path data) {
        return data.resolve(META_DIR);
    }

    public static Path checkpointFile(Path data, String queueId) {
        return metaDir(data).resolve(queueId + ".checkpoint");
    }

    public static Path lockFile(Path data, String queueId) {
        return metaDir(data).resolve(queueId + ".lock");
    }

    /**
     * The compactor of {@code queueId}'s scratch file of the hashes stored in {@code table} (not part of the
     * dataset: rebuilt from the text files at each start; grows into {@code <name>.1}, {@code <name>.2}, ...).
     */
    public static Path knownTextsFile(Path data, String queueId, DatasetSchema.TextTable table) {
        return metaDir(data).resolve(queueId + ".known-" + table.dir());
    }

    /** The file name of part {@code part} of merge {@code seq}. */
    public static String mergedName(long seq, int part) {
        return MERGED_PREFIX + hex(seq) + "_p" + part + PARQUET;
    }

    /** True for the name of a merged calls file. */
    public static boolean isMerged(String fileName) {
        return MERGED.matcher(fileName).matches();
    }

    /** The journal of the merge of {@code date}'s calls files. */
    public static Path mergeJournal(Path data, LocalDate date) {
        return metaDir(data).resolve("merge-" + date + ".journal");
    }

    /** The count of merge commits, read by readers before and after listing (see {@link CallsFileListing}). */
    public static Path mergeEpochFile(Path data) {
        return metaDir(data).resolve("merge.epoch");
    }

    /** Held by whoever merges, erases or expires text in the dataset, whatever queue it compacts. */
    public static Path mergeLockFile(Path data) {
        return metaDir(data).resolve("merge.lock");
    }

    /**
     * Held by a compactor, whatever queue it compacts, while it commits a batch (its texts, then its calls
     * files), and by an erasure while it removes texts.
     */
    public static Path textsLockFile(Path data) {
        return metaDir(data).resolve("texts.lock");
    }

    /**
     * A counter moved by each erasure that removes texts from the text tables ({@link EpochFile}; absent = 0).
     * Every compactor remembers which texts are stored; an erasure by another compactor of the dataset rewrites
     * text files under their old names, which it does not read again, so it would believe an erased text stored
     * and never store it for its later calls. A compactor that sees this number change, or odd, reads the text
     * files again. Moved under the texts lock ({@link #textsLockFile}): to an odd number before the erasure
     * renames its rewritten text files into place, to the next even number after; an odd number found by a
     * compactor holding that lock is left by an erasure killed mid-way, and that compactor moves it on.
     */
    public static Path textsEpochFile(Path data) {
        return metaDir(data).resolve("texts.epoch");
    }

    /** The temporary name a file is written under before its rename to {@code target}. */
    public static Path tempFor(Path target) {
        return target.resolveSibling("." + target.getFileName() + TMP_SUFFIX);
    }

    /** True for a temporary file written by the given queue's compactor. */
    public static boolean isTempOf(String fileName, String queueId) {
        return fileName.startsWith(".") && fileName.endsWith(PARQUET + TMP_SUFFIX)
                && fileName.contains("_" + queueId + "_s");
    }

    /** A file name's parts, or null when it is not a promptlog data file name. */
    public static Name parse(String fileName) {
        Matcher m = NAME.matcher(fileName);
        if (!m.matches()) {
            return null;
        }
        return new Name(m.group(1), m.group(2), Integer.parseInt(m.group(3)),
                Long.parseUnsignedLong(m.group(4), 16), Long.parseUnsignedLong(m.group(5), 16));
    }

    /** Host names go into file names: anything outside [A-Za-z0-9.-] becomes '-'. */
    public static String sanitizeHost(String host) {
        String s = host.replaceAll("[^A-Za-z0-9.-]", "-");
        return s.isEmpty() ? "host" : s;
    }

    private static String hex(long v) {
        String h = Long.toHexString(v);
        return "0".repeat(16 - h.length()) + h;
    }

    /** The parts of a data file name. */
    public record Name(String host, String queueId, int shard, long first, long last) {
    }
}
