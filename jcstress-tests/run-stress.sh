#!/usr/bin/env bash
# Runs gmpj's jcstress tests and fails if any test saw a FORBIDDEN outcome or had an error.
#
# Usage: jcstress-tests/run-stress.sh [mode] [test-regex]
#   mode        jcstress preset: sanity (default; about 2 min on 2 cores), quick, default, tough, stress
#   test-regex  jcstress -t selector; default: every gmpj test ('gmpj\.')
#
# Builds jcstress-tests/target/jcstress.jar first if it is missing (delete it to force a rebuild).
# Console log, HTML report and result blob go to jcstress-tests/target/jcstress-results/.
# Needs a JDK 25+: $JAVA25_HOME, $JAVA_HOME, the java on PATH or one under /usr/lib/jvm, first found.
# $JCSTRESS_VERBOSE=1 makes jcstress print every test's outcomes (summarize.sh turns them into docs).
# $JCSTRESS_TIMEOUT (seconds, default 3600) bounds the whole run: a wedged scheduler can hang a fork
# in jcstress's warm-up, where jcstress has no timeout of its own.
#
# Verdict: jcstress's exit status (it ends with "AssertionError: TEST FAILURES" and status 1 when a
# test fails), and, to be safe, its console summary: the run passes only if it printed
# "Failed tests: No matches." and "Error tests: No matches.".
# Tests with more actors than the machine has CPUs are skipped by jcstress (it says so); this script
# repeats that warning but does not fail on it.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
mode="${1:-sanity}"
filter="${2:-gmpj\.}"
limit="${JCSTRESS_TIMEOUT:-3600}"
jar="$here/target/jcstress.jar"
out="$here/target/jcstress-results"

fail() {
    echo "run-stress: FAILED: $*" >&2
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

java="$(find_java)"

if [[ ! -f "$jar" ]]; then
    echo "run-stress: building $jar"
    (cd "$root" && ./mvnw -q -B -pl jcstress-tests -am package -DskipTests)
fi

# Continuations live in jdk.internal.vm. The host JVM needs the export to load the tests; the forked
# test JVMs get it through -jvmArgsPrepend, which keeps jcstress's own matrix of JVM flags.
host_flags=(--add-exports=java.base/jdk.internal.vm=ALL-UNNAMED --enable-native-access=ALL-UNNAMED)
fork_flags="--add-exports=java.base/jdk.internal.vm=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow"

mkdir -p "$out"
log="$out/console.log"
export XDG_CACHE_HOME="$here/target/jcstress-cache" # jcstress unpacks JNA under $XDG_CACHE_HOME

echo "run-stress: mode=$mode tests=$filter java=$java ($("$java" -version 2>&1 | head -1))" | tee "$log"
set +e
verbose=()
[[ -n "${JCSTRESS_VERBOSE:-}" ]] && verbose=(-v) # print every test's outcome table (for summarize.sh)
(cd "$out" && timeout --kill-after=30 "$limit" "$java" "${host_flags[@]}" -jar "$jar" -m "$mode" -t "$filter" \
    "${verbose[@]}" -r "$out/report" -jvmArgsPrepend "$fork_flags") 2>&1 | tee -a "$log"
rc=${PIPESTATUS[0]}
set -e

(( rc != 124 && rc != 137 )) || fail "jcstress did not finish within ${limit} s (a hung fork?); see $log"
(( rc == 0 )) || fail "jcstress exited with status $rc (see $log)"
grep -q 'RUN RESULTS:' "$log" || fail "jcstress printed no summary (see $log)"
if grep -q 'No scheduling is possible' "$log"; then
    echo "run-stress: WARNING: tests with more actors than this machine's CPUs were skipped (see $log)" >&2
fi
grep -q 'Failed tests: No matches\.' "$log" || fail "a test saw a FORBIDDEN outcome: see 'Failed tests' above, or $out/report/index.html"
grep -q 'Error tests: No matches\.' "$log" || fail "a test had an error: see 'Error tests' above, or $out/report/index.html"
echo "run-stress: passed (report: $out/report/index.html)"
