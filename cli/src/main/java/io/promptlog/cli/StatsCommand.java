package io.promptlog.cli;

import io.promptlog.reader.PromptLogReader;
import io.promptlog.reader.QueryResult;
import io.promptlog.reader.Timestamps;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

@Command(name = "stats", mixinStandardHelpOptions = true,
        description = {"Calls, error rate, latency p50/p95/p99, tokens, cost, response length and refusal rate, "
                + "overall or grouped.",
                "A refusal is finish_reason content_filter/refusal, or a retained response that opens with a refusal "
                        + "phrase (\"I'm sorry, but\", \"I can't help\", ...); its rate is over calls whose response text is known.",
                "--compare A B: the two system prompts' text diff and their metrics side by side; A and B are a system "
                        + "prompt hash (prefix), a prompt_version, or prompt_name@prompt_version."})
final class StatsCommand implements Callable<Integer> {
    enum By { model, system_prompt, prompt_version, day }

    @Mixin
    DatasetOptions dataset;

    @Option(names = "--by", paramLabel = "GROUP", description = "model, system_prompt, prompt_version or day")
    By by;

    @Option(names = "--since", paramLabel = "WHEN", description = "only calls since: a duration back from now (30m, 24h, 7d) or a date/time (2026-11-20, 2026-11-20T12:00:00Z)")
    String since;

    @Option(names = "--compare", arity = "2", paramLabel = "PROMPT", description = "compare two system prompts (hash prefix, version, or name@version)")
    List<String> compare;

    @Option(names = "--format", defaultValue = "table", description = "table, csv or json (default: ${DEFAULT-VALUE})")
    ResultFormat format;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    static final String REFUSAL = "(finish_reason IN ('content_filter', 'refusal') OR regexp_matches(lower(ltrim(response)), "
            + "'^(i''m sorry|i am sorry|sorry, (but )?i can|i can''t (help|assist|do)|i cannot (help|assist|do)|i won''t|i''m not able to|i am not able to|i''m unable to)'))";

    static String metrics() {
        return "count(*) AS calls, "
                + "round(100.0 * count(*) FILTER (WHERE status = 'error') / count(*), 2) AS error_pct, "
                + "round(quantile_cont(duration_us, 0.50) / 1000.0, 1) AS p50_ms, "
                + "round(quantile_cont(duration_us, 0.95) / 1000.0, 1) AS p95_ms, "
                + "round(quantile_cont(duration_us, 0.99) / 1000.0, 1) AS p99_ms, "
                + "round(avg(input_tokens), 1) AS avg_input_tokens, "
                + "round(avg(output_tokens), 1) AS avg_output_tokens, "
                // summed apart (a sum of BIGINT is a HUGEINT): one row's tokens added up may overflow a BIGINT
                + "coalesce(sum(input_tokens), 0) + coalesce(sum(output_tokens), 0) AS total_tokens, "
                + "round(sum(cost_usd), 4) AS cost_usd, "
                + "round(avg(output_chars) FILTER (WHERE status <> 'error' OR status IS NULL), 1) AS avg_response_chars, "
                + "round(100.0 * avg(CASE WHEN finish_reason IN ('content_filter', 'refusal') THEN 1.0 "
                + "WHEN response IS NULL THEN NULL WHEN " + REFUSAL + " THEN 1.0 ELSE 0.0 END), 2) AS refusal_pct";
    }

    @Override
    public Integer call() {
        if (compare != null && by != null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--compare and --by cannot be combined");
        }
        // the --since bound is a parameter: every query below binds `params` to the filter's `?`
        String filter = since == null ? "TRUE" : "start_time >= make_timestamptz(?)";
        Object[] params = since == null ? new Object[0] : new Object[] {sinceMicros(since)};
        try (PromptLogReader r = dataset.open(spec.commandLine().getErr(), true)) {
            PrintWriter out = spec.commandLine().getOut();
            if (compare != null) {
                compare(r, filter, params, compare.get(0), compare.get(1), out);
                return 0;
            }
            String sql;
            if (by == null) {
                sql = "SELECT " + metrics() + " FROM calls_full WHERE " + filter;
            } else {
                String key = switch (by) {
                    case model -> "request_model AS model";
                    case system_prompt -> "left(system_prompt_hash, 12) AS system_prompt_hash, "
                            + "any_value(prompt_name) AS prompt_name, "
                            + "left(regexp_replace(any_value(system_prompt), '\\s+', ' ', 'g'), 40) AS system_prompt_starts";
                    case prompt_version -> "prompt_name, prompt_version";
                    case day -> "date AS day";
                };
                String group = switch (by) {
                    case model -> "request_model";
                    case system_prompt -> "system_prompt_hash";
                    case prompt_version -> "prompt_name, prompt_version";
                    case day -> "date";
                };
                String order = by == By.day ? "date" : "calls DESC";
                sql = "SELECT " + key + ", " + metrics() + " FROM calls_full WHERE " + filter + " GROUP BY " + group
                        + " ORDER BY " + order;
            }
            format.print(r.sql(sql, params), out);
        }
        return 0;
    }

    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(s|m|min|h|d|w)");

    /** The --since bound in epoch microseconds. */
    long sinceMicros(String s) {
        Matcher m = DURATION.matcher(s.trim().toLowerCase(Locale.ROOT));
        Instant t;
        if (m.matches()) {
            try {
                long n = Long.parseLong(m.group(1));
                long secs = Math.multiplyExact(n, switch (m.group(2)) {
                    case "s" -> 1L;
                    case "m", "min" -> 60L;
                    case "h" -> 3600L;
                    case "d" -> 86400L;
                    default -> 7L * 86400;
                });
                t = Instant.now().minusSeconds(secs);
                Math.multiplyExact(t.getEpochSecond(), 1_000_000L); // in the range of a timestamp in microseconds
            } catch (NumberFormatException | ArithmeticException | java.time.DateTimeException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--since: '" + s
                        + "' reaches further back than a timestamp can (year -290,000)");
            }
        } else {
            try {
                if (s.length() == 10) {
                    t = LocalDate.parse(s).atStartOfDay(ZoneOffset.UTC).toInstant();
                } else {
                    t = Timestamps.toInstant(Timestamps.parseMicros(s));
                }
            } catch (RuntimeException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--since: '" + s
                        + "' is neither a duration (30m, 24h, 7d) nor a date or RFC 3339 time");
            }
        }
        return t.getEpochSecond() * 1_000_000L + t.getNano() / 1_000;
    }

    /** The one system prompt hash a user's token designates; fails listing candidates when ambiguous. */
    static String resolvePrompt(PromptLogReader r, String token, String filter, Object[] filterParams) {
        String like = token.toLowerCase(Locale.ROOT).replace("%", "").replace("_", "") + "%";
        QueryResult q = r.sql("SELECT system_prompt_hash, any_value(prompt_name) AS prompt_name, "
                + "any_value(prompt_version) AS prompt_version, count(*) AS calls FROM calls WHERE " + filter
                + " AND system_prompt_hash IS NOT NULL AND (system_prompt_hash LIKE ? OR prompt_version = ?"
                + " OR prompt_name || '@' || prompt_version = ?) GROUP BY 1 ORDER BY calls DESC",
                with(filterParams, like, token, token));
        if (q.rowCount() == 0) {
            throw new io.promptlog.reader.PromptLogReaderException("no system prompt matches '" + token
                    + "' (give a system_prompt_hash prefix, a prompt_version or prompt_name@prompt_version; "
                    + "`promptlog stats --by system_prompt` lists them)");
        }
        if (q.rowCount() > 1) {
            StringBuilder sb = new StringBuilder("'" + token + "' matches " + q.rowCount() + " system prompts:");
            for (int i = 0; i < Math.min(10, q.rowCount()); i++) {
                sb.append("\n  ").append(q.get(i, "system_prompt_hash")).append("  ").append(q.get(i, "prompt_name"))
                        .append('@').append(q.get(i, "prompt_version")).append("  ").append(q.get(i, "calls")).append(" calls");
            }
            throw new io.promptlog.reader.PromptLogReaderException(sb.append("\nuse a longer hash prefix or name@version").toString());
        }
        return (String) q.get(0, "system_prompt_hash");
    }

    /** The filter's parameters followed by these. */
    private static Object[] with(Object[] filterParams, Object... more) {
        Object[] all = java.util.Arrays.copyOf(filterParams, filterParams.length + more.length);
        System.arraycopy(more, 0, all, filterParams.length, more.length);
        return all;
    }

    private void compare(PromptLogReader r, String filter, Object[] params, String a, String b, PrintWriter out) {
        String ha = resolvePrompt(r, a, filter, params);
        String hb = resolvePrompt(r, b, filter, params);
        QueryResult m = r.sql("SELECT system_prompt_hash, " + metrics() + " FROM calls_full WHERE " + filter
                + " AND system_prompt_hash IN (?, ?) GROUP BY system_prompt_hash", with(params, ha, hb));
        QueryResult texts = r.sql("SELECT system_prompt_hash, system_prompt FROM system_prompts WHERE system_prompt_hash IN (?, ?)",
                ha, hb);
        String ta = textOf(texts, ha);
        String tb = textOf(texts, hb);
        out.println("A = " + a + " -> system_prompt_hash " + ha + " (" + ta.length() + " chars)");
        out.println("B = " + b + " -> system_prompt_hash " + hb + " (" + tb.length() + " chars)");
        out.println();
        out.println("── system prompt diff (- only in A, + only in B) ──");
        if (ta.equals(tb)) {
            out.println("  (identical texts)");
        } else {
            for (String line : TextDiff.unified(ta, tb, 2)) {
                out.println(line);
            }
        }
        out.println();
        out.println("── metrics ──");
        out.printf("%-20s %18s %18s %18s%n", "metric", "A", "B", "B - A");
        int ra = rowOf(m, ha);
        int rb = rowOf(m, hb);
        for (int c = 1; c < m.columns().size(); c++) {
            Object va = ra < 0 ? null : m.rows().get(ra).get(c);
            Object vb = rb < 0 ? null : m.rows().get(rb).get(c);
            String d = "";
            if (va instanceof Number na && vb instanceof Number nb) {
                double diff = nb.doubleValue() - na.doubleValue();
                d = String.format(Locale.ROOT, "%+.2f", diff);
                if (na.doubleValue() != 0) {
                    d += String.format(Locale.ROOT, " (%+.1f%%)", 100 * diff / Math.abs(na.doubleValue()));
                }
            }
            out.printf("%-20s %18s %18s %18s%n", m.columns().get(c), ResultFormat.text(va), ResultFormat.text(vb), d);
        }
        out.flush();
    }

    private static String textOf(QueryResult q, String hash) {
        int i = rowOf(q, hash);
        Object v = i < 0 ? null : q.rows().get(i).get(1);
        return v == null ? "" : v.toString();
    }

    private static int rowOf(QueryResult q, String hash) {
        for (int i = 0; i < q.rowCount(); i++) {
            if (hash.equals(q.rows().get(i).get(0))) {
                return i;
            }
        }
        return -1;
    }
}
