#!/usr/bin/env bash
# Runs gmpj's JMH suite and turns the result into docs/benchmarks.md and docs/benchmarks.png
# (or into $BENCH_REPORT_DIR, see below).
#
# Usage: scheduler-bench/run-bench.sh [quick|full] [extra JMH arguments...]
#   quick  every benchmark, one short iteration (-f 1 -wi 1 -w 200ms -i 1 -r 200ms): a smoke test
#          that every benchmark runs and checks its result; its numbers are not worth quoting
#   full   (default) -f 1 -wi 3 -w 1s -i 5 -r 1s, or $JMH_FULL_ARGS if set; the committed report
#          comes from this mode on a quiet machine
#   Extra arguments go to JMH after the mode's, e.g. a benchmark regex: run-bench.sh quick Skynet
#
# Environment:
#   BENCH_REPORT_DIR  where benchmarks.md and benchmarks.png go (default: docs/ of the repository,
#                     the committed report). A smoke run that must leave the working tree as it
#                     found it, like CI's, sets it under scheduler-bench/target/, e.g.
#                     BENCH_REPORT_DIR=scheduler-bench/target/bench-report scheduler-bench/run-bench.sh quick
#   JMH_FULL_ARGS     JMH arguments of the full mode (see above).
#
# Builds scheduler-bench/target/benchmarks.jar first if it is missing (delete it to force a rebuild).
# JSON result: scheduler-bench/target/jmh-result.json; console log beside it (jmh-console.log).
# Needs a JDK 25+: $JAVA25_HOME, $JAVA_HOME, the java on PATH or one under /usr/lib/jvm, first found.
# Exits non-zero if JMH fails (a benchmark that throws, e.g. on a wrong skynet sum, fails the run).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
mode="${1:-full}"
shift || true
jar="$here/target/benchmarks.jar"
result="$here/target/jmh-result.json"
log="$here/target/jmh-console.log"
report_dir="${BENCH_REPORT_DIR:-$root/docs}"

fail() {
    echo "run-bench: FAILED: $*" >&2
    exit 1
}

find_java() {
    local candidate version
    for candidate in "${JAVA25_HOME:+$JAVA25_HOME/bin/java}" "${JAVA_HOME:+$JAVA_HOME/bin/java}" \
        "$(command -v java || true)" /usr/lib/jvm/*/bin/java; do
        [[ -n "$candidate" && -x "$candidate" ]] || continue
        version="$("$candidate" -XshowSettings:properties -version 2>&1 | awk -F' = ' '/java.specification.version/ {print $2}')"
        if [[ "${version%%.*}" =~ ^[0-9]+$ ]] && (( ${version%%.*} >= 25 )); then
            echo "$candidate"
            return
        fi
    done
    fail "no JDK 25+ found; set JAVA25_HOME to one (continuations need jdk.internal.vm of JDK 25)"
}

case "$mode" in
    quick) jmh_args=(-f 1 -wi 1 -w 200ms -i 1 -r 200ms) ;;
    full) read -r -a jmh_args <<< "${JMH_FULL_ARGS:--f 1 -wi 3 -w 1s -i 5 -r 1s}" ;;
    *) fail "unknown mode '$mode'; use quick or full" ;;
esac

java="$(find_java)"

if [[ ! -f "$jar" ]]; then
    echo "run-bench: building $jar"
    (cd "$root" && ./mvnw -q -B -pl scheduler-bench -am package -DskipTests)
fi

# The JMH host JVM needs the export to load the benchmark classes; each benchmark's @Fork adds it
# (and its heap size) to the forked JVMs itself.
host_flags=(--add-exports=java.base/jdk.internal.vm=ALL-UNNAMED --enable-native-access=ALL-UNNAMED
    --sun-misc-unsafe-memory-access=allow)

mkdir -p "$here/target"
rm -f "$result"
echo "run-bench: mode=$mode jmh=${jmh_args[*]} $* java=$java ($("$java" -version 2>&1 | head -1))" | tee "$log"
start=$(date +%s)
set +e
"$java" "${host_flags[@]}" -jar "$jar" "${jmh_args[@]}" -foe true -rf json -rff "$result" "$@" 2>&1 | tee -a "$log"
rc=${PIPESTATUS[0]}
set -e
echo "run-bench: JMH took $(( $(date +%s) - start )) s" | tee -a "$log"
(( rc == 0 )) || fail "JMH exited with status $rc (see $log)"
[[ -s "$result" ]] || fail "JMH wrote no result file $result (see $log)"

"$java" -Djava.awt.headless=true -cp "$jar" gmpj.bench.BenchReport "$result" "$report_dir/benchmarks.md" "$report_dir/benchmarks.png" \
    || fail "BenchReport could not turn $result into a report"
echo "run-bench: report in $report_dir/benchmarks.md and $report_dir/benchmarks.png"
