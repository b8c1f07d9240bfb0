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
 * </pre>
 * The date of a call is {@link DerivedValues#date}.
 * {@code <name>} is {@code <host>_<queue-id>_s<shard>_<first>-<last>} with the first and last queue index
 * of the batch as 16 hex digits, so names are unique per host, queue, shard and index range, and many
 * hosts can share one dataset. Files being written are {@code .<name>.parquet.tmp} in the same
 * directory: never matched by {@code *.parquet}, hidden from Spark, removed by the owner's next start.
 */
public final class DatasetLayout {
    public static final String META_DIR = "_promptlog";
    public static final String DATE_PREFIX = "date=";
    public static final String PARQUET = ".parquet";
    public static final String TMP_SUFFIX = ".tmp";
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
