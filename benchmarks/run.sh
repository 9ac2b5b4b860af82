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
# Snapshot the classes and jars: other builds in the same tree (mvn clean, mvn install of the
# provider) must not change the code under a running benchmark.
SNAP="$(mktemp -d /tmp/asyncjsse-bench.XXXXXX)"
cp -r "$HERE/target/classes" "$SNAP/classes"
mkdir -p "$SNAP/lib"
CP="$SNAP/classes"
IFS=: read -r -a JARS < "$HERE/target/classpath.txt" || true
n=0
for j in "${JARS[@]}"; do
  n=$((n+1))
  if [[ -d "$j" ]]; then cp -r "$j" "$SNAP/lib/dir$n"; CP="$CP:$SNAP/lib/dir$n"
  else cp "$j" "$SNAP/lib/"; CP="$CP:$SNAP/lib/$(basename "$j")"; fi
done
echo "classpath snapshot: $SNAP"
JDK_TAG="jdk$("$JAVA" -XshowSettings:properties -version 2>&1 | awk -F' = ' '/java.specification.version/{print $2}')"
OUT="$HERE/results/$JDK_TAG"
mkdir -p "$OUT"
HS_JVM=()
if [[ $FULL == 1 ]]; then
  JMH_SETTINGS=(-f 2 -wi 5 -i 10 -w 5s -r 5s)
  HS_SETTINGS=(-f 1 -wi 3 -i 10 -w 5s -r 5s -jvmArgsAppend -Dbench.prewarm=2000)
  LOAD_ARGS=(--seconds 15 --warmup 5)
  PARKED_COUNT=10000
else
  # Short settings for a 2-core machine. Handshake trials run in ONE JVM (-f 0) so that the JIT work
  # on the shared code (the SunJSSE client, the JCA) is done once, and each trial first warms by
  # count (bench.prewarm handshakes in @Setup; time-based warm-up on a busy 2-core machine does far
  # fewer). Trials are ordered so each provider runs after others have warmed the shared code.
  JMH_SETTINGS=(-f 1 -wi 2 -i 3 -w 2s -r 2s)
  HS_SETTINGS=(-f 0 -wi 1 -i 3 -w 2s -r 2s)
  HS_JVM=(-Xms512m -Xmx512m -Djdk.tls.namedGroups=x25519,secp256r1,secp384r1 -Dbench.prewarm=300)
  LOAD_ARGS=(--seconds 4 --warmup 2)
  PARKED_COUNT=10000
fi
{ echo "provider: $(cd "$ROOT" && git log -1 --format='%h %cd' --date=iso-strict -- provider) (plus uncommitted changes in the tree at build time, if any)"; echo "date: $(date -u +%Y-%m-%dT%H:%MZ)"; echo "nproc: $(nproc)"; "$JAVA" -version 2>&1 | head -2;
  echo "commit: $(cd "$ROOT" && git rev-parse --short HEAD)"; } > "$OUT/machine.txt"
if [[ $WHAT == jmh || $WHAT == all ]]; then
  if [[ $# -gt 0 ]]; then
    # Custom selection: everything after the options goes to JMH.
    "$JAVA" -cp "$CP" org.openjdk.jmh.Main "${JMH_SETTINGS[@]}" -rf json -rff "$OUT/jmh-custom.json" "$@" | tee "$OUT/jmh-custom.txt"
  else
    "$JAVA" "${HS_JVM[@]}" -cp "$CP" org.openjdk.jmh.Main HandshakeBench "${HS_SETTINGS[@]}" -p impl=SUNJSSE,BCJSSE_JDK,BCJSSE_BC,ASYNC_SYNC,ASYNC_OFFLOAD \
        -rf json -rff "$OUT/jmh-handshake.json" | tee "$OUT/jmh-handshake.txt"
    # The handoff: an offloader completing on the job thread, vs ASYNC_SYNC above, TLS 1.3 ECDSA only.
    "$JAVA" "${HS_JVM[@]}" -cp "$CP" org.openjdk.jmh.Main HandshakeBench "${HS_SETTINGS[@]}" -p impl=ASYNC_SYNC,ASYNC_OFFLOAD_INLINE \
        -p protocol=TLSv1.3 -p key=EC_P256 -rf json -rff "$OUT/jmh-handoff.json" | tee "$OUT/jmh-handoff.txt"
    "$JAVA" -cp "$CP" org.openjdk.jmh.Main "BulkBench|FloorBench" "${JMH_SETTINGS[@]}" -rf json -rff "$OUT/jmh-bulk-floor.json" | tee "$OUT/jmh-bulk-floor.txt"
  fi
fi
if [[ $WHAT == load || $WHAT == all ]]; then
  "$JAVA" -Xms512m -Xmx512m -cp "$CP" dev.asyncjsse.bench.LoadHarness "${LOAD_ARGS[@]}" --out "$OUT/load.csv" | tee "$OUT/load.txt"
fi
if [[ $JDK_TAG == jdk17 ]]; then
  PARKED_COUNT=1000  # each parked handshake holds a platform thread on JDK 17; the pool caps parks (EAGAIN beyond)
fi
if [[ $WHAT == parked || $WHAT == all ]]; then
  "$JAVA" -Xmx2g -cp "$CP" dev.asyncjsse.bench.ParkedMemory --count "$PARKED_COUNT" | tee "$OUT/parked.txt"
fi
if [[ $WHAT == plot || $WHAT == all ]]; then
  python3 "$HERE/report.py" "$HERE/results"
  "$JAVA" -Djava.awt.headless=true -cp "$CP" dev.asyncjsse.bench.Plot "$HERE/results" "$HERE/results/handshakes-vs-latency.png"
fi
