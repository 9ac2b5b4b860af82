#!/usr/bin/env bash
# Builds AsyncJSSE (if needed) and runs the demo HTTPS server. Arguments go to the server,
# e.g. ./demo.sh --port 8443 --offload-latency-ms 20
set -euo pipefail
cd "$(dirname "$0")"
mvn -q -B -ntp install -DskipTests
exec mvn -q -B -ntp -pl examples exec:java -Dexec.mainClass=dev.asyncjsse.examples.DemoServer -Dexec.args="$*"
