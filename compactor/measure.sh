#!/usr/bin/env bash
# Measures the figures quoted in compactor/README.md: 1M calls from the synthetic generator (./promptlog generate), compacted on one core (taskset), 3 runs of the default policy and one
# of --retain all, plus the same calls as raw queue records, canonical JSONL and zstd -3 JSONL.
# usage: compactor/measure.sh [COUNT] [WORKDIR]     (run from the repository root after mvn install)
set -euo pipefail
COUNT="${1:-1000000}"
W="${2:-/tmp/promptlog-measure}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
FLAGS="$(sed -n 's:.*<promptlog.jvmFlags>\(.*\)</promptlog.jvmFlags>.*:\1:p' "$ROOT/pom.xml" | head -1)"
(cd "$ROOT" && mvn -B -o -q -pl compactor test-compile dependency:build-classpath -Dmdep.includeScope=test \
    -Dmdep.outputFile="$W.cp" >/dev/null)
# a private copy of the compiled classes and of promptlog's own snapshot jars, so that rebuilding or
# re-installing them meanwhile cannot change (or break) a run
rm -rf "$W.classes" && mkdir -p "$W.classes/lib"
cp -r "$ROOT/compactor/target/classes" "$ROOT/compactor/target/test-classes" "$W.classes/"
CP="$W.classes/test-classes:$W.classes/classes"
for j in $(tr ':' ' ' < "$W.cp"); do
  case "$j" in
    */io/promptlog/*) cp "$j" "$W.classes/lib/" && CP="$CP:$W.classes/lib/$(basename "$j")" ;;
    *) CP="$CP:$j" ;;
  esac
done
if [ -f "$W/.generated-$COUNT" ]; then
  echo "== reusing the $COUNT calls generated in $W"
else
  rm -rf "$W"
  echo "== generate $COUNT calls"
  (cd "$ROOT" && mvn -B -o -q -pl cli -am -DskipTests package >/dev/null)
  java $FLAGS -jar "$ROOT/cli/target/promptlog.jar" generate --count "$COUNT" --dir "$W" --no-progress
  touch "$W/.generated-$COUNT"
fi
rm -rf "$W"/data-*
du -sb "$W/queue"
for run in 1 2 3; do
  echo "== compact default, run $run (one core)"
  taskset -c 1 java $FLAGS -Xmx2g -cp "$CP" io.promptlog.compactor.CompactionMeasure compact "$W" "$W/data-default-$run" default
done
echo "== compact all (one core)"
taskset -c 1 java $FLAGS -Xmx2g -cp "$CP" io.promptlog.compactor.CompactionMeasure compact "$W" "$W/data-all" all
echo "== sizes as JSONL"
java $FLAGS -Xmx2g -cp "$CP" io.promptlog.compactor.CompactionMeasure jsonl "$W"
