#!/usr/bin/env bash
# Builds the benchmarks and runs them. Usage (from the repository root or anywhere):
#   benchmarks/run.sh [--full] [--skip-build] [jmh|load|parked|plot|all] [extra JMH args / regex]
# Default: "all" with short settings for a small (2-core) machine. JAVA_HOME selects the JDK.
#   jmh    : JMH benchmarks (HandshakeBench, BulkBench, FloorBench) -> benchmarks/results/<jdk>/jmh.json
#   load   : loopback load harness -> benchmarks/results/<jdk>/load.csv
#   parked : memory of parked handshakes -> benchmarks/results/<jdk>/parked.txt
#   plot   : tables (results/<jdk>/tables.md) and PNG plot from the recorded files
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
FULL=0; BUILD=1; WHAT=all
while [[ $# -gt 0 ]]; do
  case "$1" in
    --full) FULL=1; shift ;;
    --skip-build) BUILD=0; shift ;;
    jmh|load|parked|plot|all) WHAT="$1"; shift ;;
    *) break ;;
  esac
done
if [[ $BUILD == 1 ]]; then
  (cd "$ROOT" && mvn -q install -DskipTests -pl benchmarks -am)
fi
CP="$HERE/target/classes:$(cat "$HERE/target/classpath.txt")"
JDK_TAG="jdk$("$JAVA" -XshowSettings:properties -version 2>&1 | awk -F' = ' '/java.specification.version/{print $2}')"
OUT="$HERE/results/$JDK_TAG"
mkdir -p "$OUT"
if [[ $FULL == 1 ]]; then
  JMH_SETTINGS=(-f 2 -wi 5 -i 10 -w 5s -r 5s)
  LOAD_SECONDS=15
else
  JMH_SETTINGS=(-f 1 -wi 2 -i 3 -w 2s -r 2s)
  LOAD_SECONDS=4
fi
{ echo "date: $(date -u +%Y-%m-%dT%H:%MZ)"; echo "nproc: $(nproc)"; "$JAVA" -version 2>&1 | head -2;
  echo "commit: $(cd "$ROOT" && git rev-parse --short HEAD)"; } > "$OUT/machine.txt"
if [[ $WHAT == jmh || $WHAT == all ]]; then
  "$JAVA" -cp "$CP" org.openjdk.jmh.Main "${JMH_SETTINGS[@]}" -rf json -rff "$OUT/jmh.json" "$@" | tee "$OUT/jmh.txt"
fi
if [[ $WHAT == load || $WHAT == all ]]; then
  "$JAVA" -Xms512m -Xmx512m -cp "$CP" dev.asyncjsse.bench.LoadHarness --seconds "$LOAD_SECONDS" --out "$OUT/load.csv" "$@" | tee "$OUT/load.txt"
fi
if [[ $WHAT == parked || $WHAT == all ]]; then
  "$JAVA" -Xmx2g -cp "$CP" dev.asyncjsse.bench.ParkedMemory "$@" | tee "$OUT/parked.txt"
fi
if [[ $WHAT == plot || $WHAT == all ]]; then
  python3 "$HERE/report.py" "$HERE/results"
  "$JAVA" -Djava.awt.headless=true -cp "$CP" dev.asyncjsse.bench.Plot "$HERE/results" "$HERE/results/handshakes-vs-latency.png"
fi
