#!/usr/bin/env bash
# Runs every promptlog benchmark with one command.
#   benchmarks/run.sh --quick   smoke run of each benchmark (seconds each; CI), results in benchmarks/target/quick-results
#   benchmarks/run.sh --full    the measurement run (68 min on an idle 2-core VM, 2026-12-02; ~2 h on a loaded one; half of it the 10 M call query data), results in benchmarks/results/<UTC date>/ (<UTC date>-<HHMM>/ for a later run that day)
# Builds benchmarks/target/benchmarks.jar first when it is missing or older than the sources.
# Asserts nothing about speed; exits nonzero when any benchmark fails or a sink loses or alters calls.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$HERE")"
JAR="$HERE/target/benchmarks.jar"
# the promptlog CLI, for the query benchmark's `show` end to end
CLI_JAR="$ROOT/cli/target/promptlog.jar"
MODE=quick
case "${1:-}" in
  --quick|"") MODE=quick ;;
  --full) MODE=full ;;
  *) echo "usage: $0 [--quick|--full]" >&2; exit 2 ;;
esac

stale() {
  [ ! -f "$JAR" ] || [ ! -f "$CLI_JAR" ] && return 0
  # every module the benchmarks depend on, directly or not (format, integrations, ...): any source or pom
  # newer than the jar rebuilds it; only spark-interop (tests only) is left out
  [ -n "$(find "$ROOT" \( -path '*/target' -o -path "$ROOT/.git" -o -path "$ROOT/spark-interop" \) -prune \
            -o \( -type f \( -name '*.java' -o -name 'pom.xml' -o -path '*/src/main/resources/*' \) \
            -newer "$JAR" -print \) 2>/dev/null | head -1)" ]
}
if stale; then
  echo "== building benchmarks.jar =="
  (cd "$ROOT" && mvn -B -q -pl benchmarks,cli -am package -Dmaven.test.skip=true)
fi

JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
FLAGS="$("$JAVA" -jar "$JAR" flags)"
bench() { "$JAVA" $FLAGS -jar "$JAR" "$@"; }

if [ "$MODE" = quick ]; then
  OUT="$HERE/target/quick-results"
  rm -rf "$OUT"; mkdir -p "$OUT"
  echo "== self-check: a benchmark that fails makes this script fail =="
  if bench AppendBenchmark -p sink=bogus -p size=4k -f 0 -wi 0 -i 1 -r 100ms > "$OUT/bogus.txt" 2>&1; then
    echo "AppendBenchmark -p sink=bogus exited 0: benchmark failures would go unnoticed" >&2
    exit 1
  fi
  echo "== self-check: a bad option is one line on stderr and exit status 2 =="
  status=0; bench query --calls lots > "$OUT/bad-option.txt" 2>&1 || status=$?
  if [ "$status" != 2 ] || [ "$(wc -l < "$OUT/bad-option.txt")" != 1 ] || ! grep -q "^benchmarks.jar query: " "$OUT/bad-option.txt"; then
    echo "query --calls lots: exit status $status, output:" >&2; cat "$OUT/bad-option.txt" >&2
    exit 1
  fi
  echo "== verify: every sink writes every call, same content =="
  bench verify --sizes 4k
  echo "== JMH append (smoke) =="
  bench AppendBenchmark -p size=4k -f 1 -wi 1 -w 300ms -i 1 -r 500ms -t 1 -prof gc \
        -rf json -rff "$OUT/jmh-t1.json" > "$OUT/jmh-t1.txt"
  tail -n 12 "$OUT/jmh-t1.txt"
  grep -q '"primaryMetric"' "$OUT/jmh-t1.json" || { echo "JMH wrote no results to $OUT/jmh-t1.json" >&2; exit 1; }
  echo "== JMH hook overhead (smoke): JDK HttpClient call through a local server, hook off and on =="
  bench HookOverheadBenchmark -p client=jdk-http -p response=json -f 1 -wi 1 -w 300ms -i 1 -r 500ms \
        > "$OUT/jmh-hook-overhead.txt"
  grep -E "^HookOverheadBenchmark.call " "$OUT/jmh-hook-overhead.txt"
  echo "== paced latency (smoke) =="
  for s in promptlog log4j2-async otel noop; do
    bench paced --sink "$s" --size 4k --rates 1000 --threads 1 --jit-warmup-seconds 0.5 \
          --warmup-seconds 0.2 --seconds 0.5 --out "$OUT/paced.jsonl"
  done
  echo "== compaction and storage (smoke) =="
  bench storage --calls 600 --file-calls 200 --out "$OUT/storage.json"
  bench storage --calls 400 --file-calls 200 --chat-turns 4 --out "$OUT/storage-chat.json"
  if bench query --help >/dev/null 2>&1; then
    echo "== query (smoke) =="
    bench query --calls 3000 --repeats 3 --file-calls 1000 --metadata-only --promptlog-jar "$CLI_JAR" --launcher "$ROOT/promptlog" --out "$OUT/query.json"
    bench query --calls 2000 --repeats 2 --file-calls 500 --metadata-only --distinct-prompts --out "$OUT/query-distinct.json"
  fi
  bench report "$OUT" > "$OUT/summary.md"
  echo "== quick mode done: $OUT =="
  exit 0
fi

OUT="$HERE/results/$(date -u +%Y-%m-%d)"
# a second full run on the same day gets its own directory instead of overwriting the first's files
[ -e "$OUT/machine.txt" ] && OUT="$OUT-$(date -u +%H%M)"
mkdir -p "$OUT"
{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "commit: $(cd "$ROOT" && git rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "cores: $(nproc)"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
  echo "jdk: $("$JAVA" -version 2>&1 | head -2 | tr '\n' ' ')"
  echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "command: benchmarks/run.sh --full"
} > "$OUT/machine.txt"
echo "== verify =="
bench verify | tee "$OUT/verify.txt"
for t in 1 4; do
  echo "== JMH append, $t thread(s) =="
  bench AppendBenchmark -f 2 -wi 1 -w 1s -i 2 -r 1s -t "$t" -prof gc \
        -rf json -rff "$OUT/jmh-t$t.json" > "$OUT/jmh-t$t.txt"
  grep -E "^AppendBenchmark.append " "$OUT/jmh-t$t.txt" || true
done
echo "== JMH writer focus: 4 KB, promptlog vs shardCount(1) vs the floor, 1 and 4 threads, 3 forks =="
for t in 1 4; do
  bench AppendBenchmark -p sink=promptlog,promptlog-1shard,chronicle-floor -p size=4k -f 3 -wi 1 -w 1s -i 3 -r 1s \
        -t "$t" -prof gc -rf json -rff "$OUT/jmh-writer-t$t.json" > "$OUT/jmh-writer-t$t.txt"
  grep -E "^AppendBenchmark.append " "$OUT/jmh-writer-t$t.txt" || true
done
echo "== JMH hook overhead: a client call through a local server, with and without the hook =="
bench HookCostBenchmark -f 1 -wi 3 -w 2s -i 5 -r 2s -prof gc -rf json -rff "$OUT/jmh-hook-cost.json" \
      > "$OUT/jmh-hook-cost.txt"
grep -E "^HookCostBenchmark.exchange(:p0.50)? " "$OUT/jmh-hook-cost.txt" || true
bench HookOverheadBenchmark -f 1 -wi 4 -w 2s -i 5 -r 2s -prof gc -rf json -rff "$OUT/jmh-hook-overhead.json" \
      > "$OUT/jmh-hook-overhead.txt"
grep -E "^HookOverheadBenchmark.call(:p0.50)? " "$OUT/jmh-hook-overhead.txt" || true
echo "== paced latency =="
rm -f "$OUT/paced.jsonl"
for s in noop promptlog promptlog-1shard log4j2-async otel; do
  bench paced --sink "$s" --size 4k --rates 1000,10000,50000 --threads 1,4 --jit-warmup-seconds 3 \
        --warmup-seconds 2 --seconds 8 --out "$OUT/paced.jsonl" | tee -a "$OUT/paced.txt"
done
echo "== compaction and storage =="
# --repeats 5: five same-run alternations of the timed compaction and DuckDB's COPY (median ratios, wall and CPU)
bench storage --calls 30000 --file-calls 3000 --repeats 5 --out "$OUT/storage.json"
# the multi-turn chat workload: conversations of 8 calls, each re-sending the conversation so far
bench storage --calls 30000 --file-calls 3000 --chat-turns 8 --repeats 5 --out "$OUT/storage-chat.json"
if bench query --help >/dev/null 2>&1; then
  echo "== query =="
  # 10 M calls as a service's dataset: compacted every 20,000 calls (500 files), metadata only (no message or
  # response text: 10 M full calls would need ~300 GB of queue and hours here); DuckDB writes its own file
  # from the same calls; then every closed day is merged and measured again. About 75 min on this machine.
  bench query --calls 10000000 --file-calls 20000 --metadata-only --repeats 7 --merge --promptlog-jar "$CLI_JAR" --launcher "$ROOT/promptlog" \
        --out "$OUT/query.json"
  # templated system prompts: every call's prompt distinct, so the text table holds 1 M prompts in 500 files
  # and the lookup finds one text among them (a join of the whole text table took 169 ms here)
  bench query --calls 1000000 --file-calls 2000 --metadata-only --distinct-prompts --repeats 7 --out "$OUT/query-distinct.json"
fi
if [ -x /usr/bin/time ]; then
  echo "== live view memory: 1 M calls in the queue, none compacted =="
  LIVE="$(mktemp -d)"
  "$JAVA" $FLAGS -jar "$CLI_JAR" generate --count 1000000 --dir "$LIVE" --no-progress
  /usr/bin/time -v "$JAVA" $FLAGS -jar "$CLI_JAR" query --dir "$LIVE" "SELECT count(*), sum(length(response)) FROM calls" \
        > "$OUT/live-memory.txt" 2>&1
  grep -E "Maximum resident|Elapsed|^ +[0-9]" "$OUT/live-memory.txt" || true
  rm -rf "$LIVE"
fi
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUT/machine.txt"
# keep the committed JSON small: JMH's raw sample histograms become a sample count
python3 - "$OUT" <<'PY' || echo "(python3 not found: JMH JSON files kept with raw histograms)"
import glob, json, sys
for f in glob.glob(sys.argv[1] + '/jmh-*.json'):
    d = json.load(open(f))
    for b in d:
        pm = b['primaryMetric']
        raw = pm.pop('rawDataHistogram', None)
        if raw is not None:
            pm['rawSampleCount'] = sum(c for fork in raw for it in fork for (_, c) in it)
        for v in b.get('secondaryMetrics', {}).values():
            v.pop('rawData', None)
    json.dump(d, open(f, 'w'), indent=1)
PY
bench report "$OUT" | tee "$OUT/summary.md"
echo "== full run done: $OUT =="
