#!/usr/bin/env bash
# Builds the benchmarks and runs them. Usage (from the repository root or anywhere):
#   benchmarks/run.sh [--full | --smoke] [--narrow] [--skip-build] [--engines bc|native|bc,native] [--out DIR] [STAGE...] [-- extra JMH args / regex]
# Default: all stages with short settings for a small (2-core) machine. JAVA_HOME selects the JDK.
# AsyncJSSE's TLS 1.3 server engine: every stage runs with -Ddev.asyncjsse.tls13=bc, and again with
# native for AsyncJSSE's configurations (files named *-native.*) when the native engine serves in
# this build (EngineCheck); --engines limits that.
# --smoke: one short iteration of everything, to check that every stage runs (its figures mean nothing).
# --narrow: only what the TLS 1.3 server targets need, so that both JDKs fit in about 30 minutes:
# handshake trials TLS 1.3 ECDSA P-256 only, bulk AES-128-GCM and ChaCha20-Poly1305 only (no
# BCJSSE+BC), the floor without RSA, no interleaved handoff or decorator probe, and the steady-state
# handoff comparison with 3000 handshakes per JVM alternated twice (instead of 6000, three times).
# JMH settings (iterations, warm-up) are unchanged.
# --out DIR writes the results to DIR/<jdk>/ instead of benchmarks/results/<jdk>/ (trial runs that must
# not touch the recorded ones; the plot stage then writes DIR/<jdk>/tables.md and no RESULTS.md).
# Stages (results go to benchmarks/results/<jdk>/; a native pass writes the same names with -native):
#   handshake : JMH HandshakeBench (6 implementations x TLS 1.3/1.2 x ECDSA/RSA x client on its own
#               thread / on the server's; native: AsyncJSSE, TLS 1.3)        -> jmh-handshake.json/.txt
#   resumed   : HandshakeBench, TLS 1.3 ECDSA and RSA, full and resumed, SunJSSE / BoringSSL / AsyncJSSE, in
#               the native pass only (the BCJSSE path does not resume TLS 1.3)  -> jmh-resumed-native.json/.txt
#   handoff   : HandoffProbe (one handshake-job handoff, interleaved; bc)    -> handoff.txt
#               offloaded vs inline in steady state (alternated JVMs)        -> handoff-steady.txt
#               and the decorator's cost over BCJSSE (interleaved; bc)       -> decorator.txt
#   bulk      : JMH BulkBench + FloorBench (AEAD MB/s, primitive floor)      -> jmh-bulk-floor.json/.txt
#               BulkBench.serverSide, the server's record layer alone (SunJSSE,
#               BoringSSL, AsyncJSSE)                                        -> jmh-bulk-server.json/.txt
#               native: AsyncJSSE's BulkBench only (both methods)            -> jmh-bulk-native.json/.txt
#   jmh       : handshake + resumed + handoff + bulk
#   load      : loopback load harness (the provider's default engine)        -> load.csv/.txt
#   parked    : memory and threads of pending offloaded handshakes           -> parked.txt
#   plot      : tables.md per JDK and results/handshakes-vs-latency.png from the recorded files
#   all       : everything above
set -eu
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
FULL=0; NARROW=0; BUILD=1; WHAT=" "; ENGINES="bc,native"; RESULTS="$HERE/results"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --full) FULL=1; shift ;;
    --smoke) FULL=-1; shift ;;
    --narrow) NARROW=1; shift ;;
    --skip-build) BUILD=0; shift ;;
    --engines) ENGINES="$2"; shift 2 ;;
    --out) mkdir -p "$2"; RESULTS="$(cd "$2" && pwd)"; shift 2 ;;
    handshake|resumed|handoff|bulk|load|parked|plot) WHAT="$WHAT$1 "; shift ;;
    jmh) WHAT="$WHAT handshake resumed handoff bulk "; shift ;;
    all) WHAT="$WHAT handshake resumed handoff bulk load parked plot "; shift ;;
    --) shift; break ;;
    *) break ;;
  esac
done
[[ "$WHAT" == " " ]] && WHAT=" handshake resumed handoff bulk load parked plot "
has() { [[ "$WHAT" == *" $1 "* ]]; }
if [[ $BUILD == 1 ]]; then
  # package, not install: the reactor resolves the provider and testkit from their target/ directories,
  # and the shared ~/.m2 is left alone.
  (cd "$ROOT" && mvn -q package -DskipTests -pl benchmarks -am)
fi
# Snapshot the classes and jars (removed on exit): other builds in the same tree (mvn clean, mvn install of the
# provider) must not change the code under a running benchmark.
SNAP="$(mktemp -d /tmp/asyncjsse-bench.XXXXXX)"
trap 'rm -rf "$SNAP"' EXIT
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
OUT="$RESULTS/$JDK_TAG"
mkdir -p "$OUT"
HS_JVM=()
PROBE_ROUNDS=1000
PROBE_JVM=()
if [[ $FULL == 1 ]]; then
  JMH_SETTINGS=(-f 2 -wi 5 -i 10 -w 5s -r 5s)
  HS_SETTINGS=(-f 1 -wi 3 -i 10 -w 5s -r 5s -jvmArgsAppend -Dbench.prewarm=2000)
  LOAD_ARGS=(--seconds 15 --warmup 5)
  PARKED_COUNT=10000
  STEADY_HANDSHAKES=6000
elif [[ $FULL == -1 ]]; then
  JMH_SETTINGS=(-f 1 -wi 0 -i 1 -r 1s)
  HS_SETTINGS=(-f 0 -wi 0 -i 1 -r 1s)
  HS_JVM=(-Xms512m -Xmx512m -Djdk.tls.namedGroups=x25519,secp256r1,secp384r1 -Dbench.prewarm=20)
  LOAD_ARGS=(--seconds 1 --warmup 1)
  PARKED_COUNT=500
  STEADY_HANDSHAKES=500
  PROBE_ROUNDS=50
  PROBE_JVM=(-Dbench.prewarm=20)
else
  # Short settings for a 2-core machine. Handshake trials run in ONE JVM (-f 0) so that the JIT work
  # on the shared code (the SunJSSE client, the JCA) is done once, and each trial first warms by
  # count (bench.prewarm handshakes in @Setup; time-based warm-up on a busy 2-core machine does far
  # fewer). Trials are ordered so each provider runs after others have warmed the shared code.
  JMH_SETTINGS=(-f 1 -wi 2 -i 3 -w 2s -r 2s)
  HS_SETTINGS=(-f 0 -wi 1 -i 3 -w 2s -r 2s)
  # 3000: AsyncJSSE's native engine reaches its steady state after about 4000 handshakes in HandshakeProbe
  # (790 us of server CPU in the first 250 after 300 of warm-up, 390 after 1000, 320 after 2500, 305-318 after
  # 4000, JDK 17); with 300 its first trial measured the JIT at work
  HS_JVM=(-Xms512m -Xmx512m -Djdk.tls.namedGroups=x25519,secp256r1,secp384r1 -Dbench.prewarm=3000)
  LOAD_ARGS=(--seconds 4 --warmup 2)
  PARKED_COUNT=10000
  STEADY_HANDSHAKES=6000
fi
STEADY_ROUNDS=3
if [[ $NARROW == 1 && $FULL == 0 ]]; then
  STEADY_HANDSHAKES=3000; STEADY_ROUNDS=2
fi
{ echo "stages:$WHAT$([[ $NARROW == 1 ]] && echo '(--narrow)')"; echo "provider: $(cd "$ROOT" && git log -1 --format='%h %cd' --date=iso-strict -- provider) (plus uncommitted changes in the tree at build time, if any)"; echo "date: $(date -u +%Y-%m-%dT%H:%MZ)"; echo "nproc: $(nproc)"; "$JAVA" -version 2>&1 | head -2;
  echo "commit: $(cd "$ROOT" && git rev-parse --short HEAD)"; echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"; } >> "$OUT/machine.txt"
if [[ $# -gt 0 ]]; then
  # Custom selection: everything after the stages goes to JMH.
  "$JAVA" -cp "$CP" org.openjdk.jmh.Main "${JMH_SETTINGS[@]}" -rf json -rff "$OUT/jmh-custom.json" "$@" | relative | tee "$OUT/jmh-custom.txt"
  relative_json "$OUT/jmh-custom.json"
  exit 0
fi
# Which engines to measure AsyncJSSE with: native only where it serves (bc is the BCJSSE path, always there).
RUN_ENGINES=()
for e in ${ENGINES//,/ }; do
  if [[ $e == native ]]; then
    served="$("$JAVA" -Ddev.asyncjsse.tls13=native -cp "$CP" dev.asyncjsse.bench.EngineCheck 2>/dev/null | tail -1)"
    if [[ $served != native ]]; then
      echo "the native TLS 1.3 engine does not serve in this build (EngineCheck: '$served'): its passes are skipped" | tee -a "$OUT/machine.txt"
      continue
    fi
  fi
  RUN_ENGINES+=("$e")
done
# suffix E: "" for bc (the file names of earlier runs), "-native" for native
suffix() { [[ $1 == bc ]] && echo "" || echo "-$1"; }
# hs_jmh ENGINE OUTNAME ARGS...: HandshakeBench-style JMH run with AsyncJSSE on ENGINE: the property goes to
# this JVM (short settings run the trials in it) and, prepended, to forked ones (-jvmArgsAppend would
# replace the benchmarks' own @Fork arguments).
hs_jmh() {
  local e=$1 out=$2; shift 2
  "$JAVA" "${HS_JVM[@]}" -Ddev.asyncjsse.tls13=$e -cp "$CP" org.openjdk.jmh.Main "$@" "${HS_SETTINGS[@]}" \
      -jvmArgsPrepend "-Ddev.asyncjsse.tls13=$e" -rf json -rff "$OUT/$out.json" | relative | tee "$OUT/$out.txt"
  relative_json "$OUT/$out.json"
}
for e in "${RUN_ENGINES[@]}"; do
  sfx="$(suffix "$e")"
  # the other providers once, with the bc pass; the native pass measures TLS 1.3 only (TLS 1.2 always
  # takes the BCJSSE path)
  if [[ $e == bc ]]; then
    OTHERS="SUNJSSE,BCJSSE_JDK,BCJSSE_BC,BORINGSSL,"; RESUME_OTHERS=""; PROTOCOLS="TLSv1.3,TLSv1.2"
  else
    OTHERS=""; RESUME_OTHERS="SUNJSSE,BORINGSSL,"; PROTOCOLS="TLSv1.3"
  fi
  KEYS="EC_P256,RSA_2048"; SUITES="TLS_AES_128_GCM_SHA256,TLS_AES_256_GCM_SHA384,TLS_CHACHA20_POLY1305_SHA256"
  BULK_IMPLS="SUNJSSE,BCJSSE_JDK,BCJSSE_BC,ASYNC_SYNC,BORINGSSL"; FLOOR_OPS="FloorBench"
  if [[ $NARROW == 1 ]]; then
    PROTOCOLS="TLSv1.3"; KEYS="EC_P256"; SUITES="TLS_AES_128_GCM_SHA256,TLS_CHACHA20_POLY1305_SHA256"
    BULK_IMPLS="SUNJSSE,BCJSSE_JDK,ASYNC_SYNC,BORINGSSL"; FLOOR_OPS="FloorBench.(x25519|ecdsa|floor)"
  fi
  if has handshake; then
    # both client placements (HandshakeBench.threading): own = the figure to compare with the floor,
    # same = the figure of earlier runs
    hs_jmh "$e" "jmh-handshake$sfx" HandshakeBench -p "impl=${OTHERS}ASYNC_SYNC,ASYNC_OFFLOAD" -p "protocol=$PROTOCOLS" -p "key=$KEYS" \
        -p threading=own,same
  fi
  # resumed against full handshakes in one JVM, next to the other providers: only the native engine resumes
  if has resumed && [[ $e == native ]]; then
    hs_jmh "$e" "jmh-resumed$sfx" HandshakeBench -p protocol=TLSv1.3 -p key=EC_P256,RSA_2048 -p resumed=false,true -p threading=own \
        -p "impl=${RESUME_OTHERS}ASYNC_SYNC,ASYNC_OFFLOAD"
  fi
  if has handoff; then
    if [[ $e == bc && $NARROW == 0 ]]; then
      "$JAVA" -Xms512m -Xmx512m -Djdk.tls.namedGroups=x25519,secp256r1,secp384r1 -Ddev.asyncjsse.tls13=bc "${PROBE_JVM[@]}" -cp "$CP" \
          dev.asyncjsse.bench.HandoffProbe $PROBE_ROUNDS 2>&1 | grep -v "^WARNING\|^INFO\|^[A-Z][a-z][a-z] [0-9]" | relative | tee "$OUT/handoff.txt"
    fi
    # Offloaded vs inline in steady state (the client on its own thread): each configuration in its own JVM for $STEADY_HANDSHAKES handshakes,
    # alternated $STEADY_ROUNDS times; per run the median server CPU of the batches in the second half (after
    # the JIT has settled).
    for round in $(seq 1 $STEADY_ROUNDS); do
      for impl in ASYNC_SYNC ASYNC_OFFLOAD_INLINE; do
        "$JAVA" -Xms512m -Xmx512m -Djdk.tls.namedGroups=x25519,secp256r1,secp384r1 -Ddev.asyncjsse.tls13=$e "${PROBE_JVM[@]}" -cp "$CP" \
            dev.asyncjsse.bench.HandshakeProbe $impl TLSv1.3 EC_P256 $STEADY_HANDSHAKES 2>/dev/null | grep " after " \
          | python3 -c 'import sys,statistics; v=[float(l.split("server CPU")[1].split()[0]) for l in sys.stdin]; h=v[len(v)//2:]; print(sys.argv[1], "median server CPU of the last %d batches of 250: %.1f us" % (len(h), statistics.median(h)))' "$impl"
      done
    done | relative | tee "$OUT/handoff-steady$sfx.txt"
    if [[ $e == bc && $NARROW == 0 ]]; then
      # The decorator's cost: BCJSSE (JDK JCA) and AsyncJSSE both with BCJSSE's PKIX key manager and both
      # on the JDK's primitives (dev.asyncjsse.crypto=jdk), interleaved: what remains is the decorator.
      for proto in TLSv1.3 TLSv1.2; do
        "$JAVA" -Xms512m -Xmx512m -Djdk.tls.namedGroups=x25519,secp256r1,secp384r1 -Dbench.asyncKeyManager=bcjsse \
            -Ddev.asyncjsse.crypto=jdk -Ddev.asyncjsse.tls13=bc "${PROBE_JVM[@]}" -cp "$CP" \
            dev.asyncjsse.bench.HandoffProbe $PROBE_ROUNDS BCJSSE_JDK ASYNC_SYNC $proto EC_P256 2>&1 | grep -v "^WARNING\|^INFO\|^[A-Z][a-z][a-z] [0-9]" || true
      done | relative | tee "$OUT/decorator.txt"
    fi
  fi
  if has bulk; then
    if [[ $e == bc ]]; then
      "$JAVA" -cp "$CP" org.openjdk.jmh.Main "BulkBench.wrapUnwrap|$FLOOR_OPS" -p "impl=$BULK_IMPLS" -p "suite=$SUITES" \
          "${JMH_SETTINGS[@]}" -jvmArgsPrepend "-Ddev.asyncjsse.tls13=bc" \
          -rf json -rff "$OUT/jmh-bulk-floor.json" | relative | tee "$OUT/jmh-bulk-floor.txt"
      relative_json "$OUT/jmh-bulk-floor.json"
      "$JAVA" -cp "$CP" org.openjdk.jmh.Main "BulkBench.serverSide" -p "impl=SUNJSSE,ASYNC_SYNC,BORINGSSL" -p "suite=$SUITES" \
          "${JMH_SETTINGS[@]}" -jvmArgsPrepend "-Ddev.asyncjsse.tls13=bc" \
          -rf json -rff "$OUT/jmh-bulk-server.json" | relative | tee "$OUT/jmh-bulk-server.txt"
      relative_json "$OUT/jmh-bulk-server.json"
    else
      "$JAVA" -cp "$CP" org.openjdk.jmh.Main BulkBench -p impl=ASYNC_SYNC -p "suite=$SUITES" "${JMH_SETTINGS[@]}" -jvmArgsPrepend "-Ddev.asyncjsse.tls13=$e" \
          -rf json -rff "$OUT/jmh-bulk$sfx.json" | relative | tee "$OUT/jmh-bulk$sfx.txt"
      relative_json "$OUT/jmh-bulk$sfx.json"
    fi
  fi
  if has parked; then
    count=$PARKED_COUNT
    if [[ $JDK_TAG == jdk17 && $e == bc && $count -gt 1000 ]]; then
      count=1000  # on the BCJSSE path each parked handshake holds a platform thread on JDK 17; the pool caps parks (EAGAIN beyond)
    fi
    "$JAVA" -Xmx2g -Ddev.asyncjsse.tls13=$e -cp "$CP" dev.asyncjsse.bench.ParkedMemory --count "$count" | relative | tee "$OUT/parked$sfx.txt"
  fi
done
if has load; then
  "$JAVA" -Xms512m -Xmx512m -cp "$CP" dev.asyncjsse.bench.LoadHarness "${LOAD_ARGS[@]}" --out "$OUT/load.csv" | relative | tee "$OUT/load.txt"
fi
if has plot; then
  python3 "$HERE/report.py" "$RESULTS"
  "$JAVA" -Djava.awt.headless=true -cp "$CP" dev.asyncjsse.bench.Plot "$RESULTS" "$RESULTS/handshakes-vs-latency.png"
fi
