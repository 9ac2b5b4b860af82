#!/usr/bin/env bash
# Builds the benchmarks and runs them. Usage (from the repository root or anywhere):
#   benchmarks/run.sh [--full] [--skip-build] [STAGE...] [-- extra JMH args / regex]
# Default: all stages with short settings for a small (2-core) machine. JAVA_HOME selects the JDK.
# Stages (results go to benchmarks/results/<jdk>/):
#   handshake : JMH HandshakeBench (5 providers x TLS 1.3/1.2 x ECDSA/RSA)  -> jmh-handshake.json/.txt
#   handoff   : HandoffProbe (one handshake-job handoff, interleaved)        -> handoff.txt
#               the same in steady state (alternated JVMs)                   -> handoff-steady.txt
#               and the decorator's cost over BCJSSE (interleaved)           -> decorator.txt
#   bulk      : JMH BulkBench + FloorBench (AEAD MB/s, primitive floor)      -> jmh-bulk-floor.json/.txt
#   jmh       : handshake + handoff + bulk
#   load      : loopback load harness                                        -> load.csv/.txt
#   parked    : memory of parked handshakes                                  -> parked.txt
#   plot      : tables.md per JDK and results/handshakes-vs-latency.png from the recorded files
#   all       : everything above
set -eu
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
FULL=0; BUILD=1; WHAT=" "
while [[ $# -gt 0 ]]; do
  case "$1" in
    --full) FULL=1; shift ;;
    --skip-build) BUILD=0; shift ;;
    handshake|handoff|bulk|load|parked|plot) WHAT="$WHAT$1 "; shift ;;
    jmh) WHAT="$WHAT handshake handoff bulk "; shift ;;
    all) WHAT="$WHAT handshake handoff bulk load parked plot "; shift ;;
    --) shift; break ;;
    *) break ;;
  esac
done
[[ "$WHAT" == " " ]] && WHAT=" handshake handoff bulk load parked plot "
has() { [[ "$WHAT" == *" $1 "* ]]; }
if [[ $BUILD == 1 ]]; then
  # package, not install: the reactor resolves the provider and testkit from their target/ directories,
  # and the shared ~/.m2 is left alone.
  (cd "$ROOT" && mvn -q package -DskipTests -pl benchmarks -am)
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
if [[ ! -f "$SNAP/classes/META-INF/BenchmarkList" || ! -f "$SNAP/classes/dev/asyncjsse/bench/LoadHarness.class" ]]; then
  echo "incomplete build in benchmarks/target/classes (a concurrent mvn clean?): rerun without --skip-build" >&2
  exit 1
fi
echo "classpath snapshot: $SNAP"
# What the recorded files keep: paths relative to the repository, not this machine's.
relative() { sed -e "s#$SNAP#<classpath snapshot>#g" -e "s#$ROOT/##g" -e "s#VM invoker: .*/bin/java#VM invoker: <JAVA_HOME>/bin/java#"; }
# JMH's JSON names the java binary by its absolute path
relative_json() { if [[ -f "$1" ]]; then sed -i -e "s#\"jvm\" : \"[^\"]*/bin/java\"#\"jvm\" : \"<JAVA_HOME>/bin/java\"#" "$1"; fi; }
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
{ echo "stages:$WHAT"; echo "provider: $(cd "$ROOT" && git log -1 --format='%h %cd' --date=iso-strict -- provider) (plus uncommitted changes in the tree at build time, if any)"; echo "date: $(date -u +%Y-%m-%dT%H:%MZ)"; echo "nproc: $(nproc)"; "$JAVA" -version 2>&1 | head -2;
  echo "commit: $(cd "$ROOT" && git rev-parse --short HEAD)"; echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"; } >> "$OUT/machine.txt"
if [[ $# -gt 0 ]]; then
  # Custom selection: everything after the stages goes to JMH.
  "$JAVA" -cp "$CP" org.openjdk.jmh.Main "${JMH_SETTINGS[@]}" -rf json -rff "$OUT/jmh-custom.json" "$@" | relative | tee "$OUT/jmh-custom.txt"
  relative_json "$OUT/jmh-custom.json"
  exit 0
fi
if has handshake; then
  "$JAVA" "${HS_JVM[@]}" -cp "$CP" org.openjdk.jmh.Main HandshakeBench "${HS_SETTINGS[@]}" \
      -p impl=SUNJSSE,BCJSSE_JDK,BCJSSE_BC,ASYNC_SYNC,ASYNC_OFFLOAD -rf json -rff "$OUT/jmh-handshake.json" | relative | tee "$OUT/jmh-handshake.txt"
  relative_json "$OUT/jmh-handshake.json"
fi
if has handoff; then
  "$JAVA" -Xms512m -Xmx512m -Djdk.tls.namedGroups=x25519,secp256r1,secp384r1 -cp "$CP" dev.asyncjsse.bench.HandoffProbe 1000 \
      2>&1 | grep -v "^WARNING\|^INFO\|^[A-Z][a-z][a-z] [0-9]" | relative | tee "$OUT/handoff.txt"
  # Steady state: the same two configurations, each in its own JVM for 6000 handshakes, alternated three
  # times; per run the median server CPU of the batches in the second half (after the JIT has settled).
  for round in 1 2 3; do
    for impl in ASYNC_SYNC ASYNC_OFFLOAD_INLINE; do
      "$JAVA" -Xms512m -Xmx512m -Djdk.tls.namedGroups=x25519,secp256r1,secp384r1 -cp "$CP" \
          dev.asyncjsse.bench.HandshakeProbe $impl TLSv1.3 EC_P256 6000 2>/dev/null | grep " after " \
        | python3 -c 'import sys,statistics; v=[float(l.split("server CPU")[1].split()[0]) for l in sys.stdin]; h=v[len(v)//2:]; print(sys.argv[1], "median server CPU of the last %d batches of 250: %.1f us" % (len(h), statistics.median(h)))' "$impl"
    done
  done | relative | tee "$OUT/handoff-steady.txt"
  # The decorator's cost: BCJSSE (JDK JCA) and AsyncJSSE both with BCJSSE's PKIX key manager and both on
  # the JDK's primitives (dev.asyncjsse.crypto=jdk), interleaved: what remains is the decorator itself.
  for proto in TLSv1.3 TLSv1.2; do
    "$JAVA" -Xms512m -Xmx512m -Djdk.tls.namedGroups=x25519,secp256r1,secp384r1 -Dbench.asyncKeyManager=bcjsse \
        -Ddev.asyncjsse.crypto=jdk -cp "$CP" \
        dev.asyncjsse.bench.HandoffProbe 1000 BCJSSE_JDK ASYNC_SYNC $proto EC_P256 2>&1 | grep -v "^WARNING\|^INFO\|^[A-Z][a-z][a-z] [0-9]" || true
  done | relative | tee "$OUT/decorator.txt"
fi
if has bulk; then
  "$JAVA" -cp "$CP" org.openjdk.jmh.Main "BulkBench|FloorBench" "${JMH_SETTINGS[@]}" -rf json -rff "$OUT/jmh-bulk-floor.json" | relative | tee "$OUT/jmh-bulk-floor.txt"
  relative_json "$OUT/jmh-bulk-floor.json"
fi
if has load; then
  "$JAVA" -Xms512m -Xmx512m -cp "$CP" dev.asyncjsse.bench.LoadHarness "${LOAD_ARGS[@]}" --out "$OUT/load.csv" | relative | tee "$OUT/load.txt"
fi
if [[ $JDK_TAG == jdk17 ]]; then
  PARKED_COUNT=1000  # each parked handshake holds a platform thread on JDK 17; the pool caps parks (EAGAIN beyond)
fi
if has parked; then
  "$JAVA" -Xmx2g -cp "$CP" dev.asyncjsse.bench.ParkedMemory --count "$PARKED_COUNT" | relative | tee "$OUT/parked.txt"
fi
if has plot; then
  python3 "$HERE/report.py" "$HERE/results"
  "$JAVA" -Djava.awt.headless=true -cp "$CP" dev.asyncjsse.bench.Plot "$HERE/results" "$HERE/results/handshakes-vs-latency.png"
fi
