#!/usr/bin/env bash
# Measures a SoftHSM2 token through SunPKCS11 twice: loaded in the JVM, and exported by p11-kit
# server over a unix socket (p11-kit-client.so in the JVM). For each: the latency of one signature
# on one thread and on SIGNERS threads at once, and the full TLS 1.3 handshakes per second of an
# AsyncJSSE server on Netty that signs on the token (HsmBench). Needs softhsm2, p11-kit,
# p11-kit-modules. JAVA_HOME picks the JDK (17 or later) that builds and runs it.
# Usage, from a clone: dropin-tests/scripts/hsm-bench.sh [SECONDS] [CLIENTS] [OFFLOADER_THREADS] [SIGNERS]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
seconds="${1:-20}"; clients="${2:-8}"; threads="${3:-2}"; signers="${4:-4}"
cd "$root"
mvn -q -B -ntp -pl dropin-tests -am test-compile dependency:build-classpath \
    -Dmdep.outputFile=target/bench-classpath.txt -DincludeScope=test
cp="dropin-tests/target/test-classes:dropin-tests/target/classes:$(cat dropin-tests/target/bench-classpath.txt)"
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"

client=""
for c in /usr/lib/x86_64-linux-gnu/pkcs11/p11-kit-client.so /usr/lib/aarch64-linux-gnu/pkcs11/p11-kit-client.so; do
  [[ -f "$c" ]] && { client="$c"; break; }
done
[[ -n "$client" ]] || { echo "p11-kit-client.so not found: apt-get install -y p11-kit-modules" >&2; exit 1; }
command -v p11-kit >/dev/null || { echo "p11-kit not found: apt-get install -y p11-kit" >&2; exit 1; }

dir="$(mktemp -d /tmp/asyncjsse-hsm-bench.XXXXXX)"
server=""
cleanup() {
  if [[ -n "$server" ]]; then pkill -KILL -P "$server" 2>/dev/null || true; kill -KILL "$server" 2>/dev/null || true; fi
  rm -rf "$dir"
}
trap cleanup EXIT
dropin-tests/scripts/softhsm-token.sh "$dir" >/dev/null 2>"$dir/token.log" || { cat "$dir/token.log" >&2; exit 1; }
export SOFTHSM2_CONF="$dir/softhsm2.conf"
library="$(sed -n 's/^library = //p' "$dir/pkcs11.cfg")"

# Every handshake is a full one, so that each signs on the token: with tickets the clients would resume.
jvm_options=(-Dslf4j.internal.verbosity=ERROR -Ddev.asyncjsse.tickets.count=0)

# what the figures depend on, for the record
"$java" -version 2>&1 | head -1
echo "$(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at start"

echo "== in-process token ($library)"
"$java" "${jvm_options[@]}" -cp "$cp" dev.asyncjsse.dropin.HsmBench "$dir/pkcs11.cfg" ec "$seconds" "$clients" "$threads" "$signers"

p11-kit server --foreground --provider "$library" --name "$dir/p11.sock" "pkcs11:token=asyncjsse" >"$dir/server.log" 2>&1 &
server=$!
disown "$server"   # no job-control message when the cleanup kills it
for _ in $(seq 100); do [[ -S "$dir/p11.sock" ]] && break; sleep 0.1; done
printf 'name = NetHSM\nlibrary = %s\nslotListIndex = 0\n' "$client" > "$dir/remote.cfg"
echo "== the same token over p11-kit's socket ($client)"
P11_KIT_SERVER_ADDRESS="unix:path=$dir/p11.sock" \
  "$java" "${jvm_options[@]}" -cp "$cp" dev.asyncjsse.dropin.HsmBench "$dir/remote.cfg" ec "$seconds" "$clients" "$threads" "$signers" | tee "$dir/remote.out"

# The token's side: the p11-kit server and the p11-kit-remote process that served the JVM's
# connection (reaped by the server once the JVM is gone, so its time is in the server's cutime/cstime).
operations="$(sed -n 's/^token operations: //p' "$dir/remote.out")"
for _ in $(seq 50); do [[ -z "$(pgrep -P "$server")" ]] && break; sleep 0.1; done
ticks="$(awk '{ print $14 + $15 + $16 + $17 }' "/proc/$server/stat")"
echo "load average $(cut -d' ' -f1-3 /proc/loadavg) at end"
awk -v t="$ticks" -v hz="$(getconf CLK_TCK)" -v n="$operations" \
  'BEGIN { printf "p11-kit server side: %.2f s CPU for %d token operations = %.0f us per operation\n", t / hz, n, t / hz * 1e6 / n }'
