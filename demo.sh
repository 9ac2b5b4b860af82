#!/usr/bin/env bash
# Runs the demo HTTPS server. Builds the demo first when it was never built or a source or pom has
# changed since (into the modules' target/ directories; nothing is installed into ~/.m2).
# Arguments go to the server: ./demo.sh --help, ./demo.sh --port 9443 --offload-latency-ms 20.
# JAVA_OPTS adds JVM options, e.g. JAVA_OPTS=-XX:StartFlightRecording=filename=demo.jfr ./demo.sh
set -euo pipefail
cd "$(dirname "$0")"

classpath_file=examples/target/demo-classpath.txt
sources=(pom.xml testkit/pom.xml testkit/src/main provider/pom.xml provider/src/main examples/pom.xml examples/src/main)
up_to_date() {
  [[ -f "$classpath_file" && -d examples/target/classes ]] || return 1
  [[ -z "$(find "${sources[@]}" -newer "$classpath_file" -print -quit)" ]] || return 1
  local entry entries
  IFS=: read -r -a entries < "$classpath_file"
  for entry in "${entries[@]}"; do [[ -e "$entry" ]] || return 1; done   # e.g. after a mvn clean of one module
}
if ! up_to_date; then
  echo "demo.sh: building the demo (first run, or a source changed) ..." >&2
  mvn -q -B -ntp -Dstyle.color=never -pl examples -am package dependency:build-classpath -Dmaven.test.skip=true \
      -Dmdep.outputFile=target/demo-classpath.txt -DincludeScope=runtime >&2
  # build-classpath leaves the file untouched when the class path is the same, and its time is
  # what the next start compares the sources with
  touch "$classpath_file"
fi
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
# shellcheck disable=SC2086 # JAVA_OPTS holds several options
exec "$JAVA" ${JAVA_OPTS:-} -cp "examples/target/classes:$(cat "$classpath_file")" dev.asyncjsse.examples.DemoServer "$@"
