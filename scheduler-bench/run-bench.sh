#!/usr/bin/env bash
# Runs gmpj's JMH suite and turns the result into a report: benchmarks.md and benchmarks.png.
#
# Usage: scheduler-bench/run-bench.sh [quick|full] [extra JMH arguments...]
#   quick  every benchmark, one short iteration (-f 1 -wi 1 -w 200ms -i 1 -r 200ms): a smoke test
#          that every benchmark runs and checks its result; its numbers are not worth quoting, and
#          with one iteration JMH gives no error, so no target gets a verdict. Report:
#          scheduler-bench/target/bench-report/ unless BENCH_REPORT_DIR says otherwise.
#   full   (default) -wi 3 -w 1s -i 5 -r 1s (or $JMH_FULL_ARGS), in two JMH runs: the benchmarks
#          that a target of the report reads (BenchReport --targeted-regex lists them) in
#          $JMH_TARGET_FORKS forks (default 3), so that their error bars are narrow enough for a
#          verdict, then the others in $JMH_FORKS forks (default 1). About 30 minutes on 2 cores.
#          Report: docs/ of the repository (the committed report; run it on a quiet machine)
#          unless BENCH_REPORT_DIR says otherwise.
#   Extra arguments go to every JMH run after the mode's, e.g. a benchmark regex:
#   run-bench.sh quick 'Skynet|Sleepers'. Not -f: the mode sets it (full mode: the variables below).
#
# Environment:
#   BENCH_REPORT_DIR   where benchmarks.md and benchmarks.png go (defaults above)
#   JMH_FULL_ARGS      JMH iteration arguments of the full mode, without -f (default above)
#   JMH_TARGET_FORKS   forks of the full mode's benchmarks that a target reads (default 3)
#   JMH_FORKS          forks of the full mode's other benchmarks (default 1)
#   JMH_LOCK_WAIT_S    how long a JMH run waits for another one on the machine to end (default 1800)
#
# Builds scheduler-bench/target/benchmarks.jar first if it is missing (delete it to force a rebuild).
# In scheduler-bench/target/: the JSON result jmh-result.json (in full mode merged from
# jmh-result-targeted.json and jmh-result-others.json), the console log jmh-console.log, and
# jmh-machine.properties: the machine the benchmarks ran on and when they started and finished,
# written before the first benchmark, with the cross-core round trip (gmpj.bench.CrossCoreProbe)
# measured just before the first benchmark and just after the last, which the report reads for
# its machine rows.
# Needs a JDK 25+: $JAVA25_HOME, $JAVA_HOME, the java on PATH or one under /usr/lib/jvm, first found.
# Exits non-zero if JMH fails (a benchmark that throws, e.g. on a wrong skynet sum, fails the run).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
mode="${1:-full}"
shift || true
jar="$here/target/benchmarks.jar"
result="$here/target/jmh-result.json"
targeted_result="$here/target/jmh-result-targeted.json"
others_result="$here/target/jmh-result-others.json"
machine="$here/target/jmh-machine.properties"
log="$here/target/jmh-console.log"

BENCH_SCRIPT=run-bench
# shellcheck source=bench-lib.sh
source "$here/bench-lib.sh"

case "$mode" in
    quick)
        jmh_args=(-f 1 -wi 1 -w 200ms -i 1 -r 200ms)
        report_dir="${BENCH_REPORT_DIR:-$here/target/bench-report}"
        ;;
    full)
        read -r -a jmh_args <<< "${JMH_FULL_ARGS:--wi 3 -w 1s -i 5 -r 1s}"
        for a in "${jmh_args[@]}"; do
            [[ "$a" != -f && "$a" != -f[0-9]* ]] \
                || fail "JMH_FULL_ARGS holds '$a': forks come from JMH_TARGET_FORKS and JMH_FORKS"
        done
        target_forks="${JMH_TARGET_FORKS:-3}"
        forks="${JMH_FORKS:-1}"
        positive JMH_TARGET_FORKS "$target_forks"
        positive JMH_FORKS "$forks"
        report_dir="${BENCH_REPORT_DIR:-$root/docs}"
        ;;
    *) fail "unknown mode '$mode'; use quick or full" ;;
esac

java="$(find_java)"

if [[ ! -f "$jar" ]]; then
    echo "run-bench: building $jar"
    (cd "$root" && ./mvnw -q -B -pl scheduler-bench -am package -DskipTests)
fi

# How many benchmark methods the given JMH filters select.
count_benchmarks() {
    "$java" "${host_flags[@]}" -jar "$jar" "$@" -l 2>&1 | grep -cE '^gmpj\.(bench|core)\.' || true
}

mkdir -p "$here/target"
rm -f "$result" "$targeted_result" "$others_result" "$machine"
echo "run-bench: mode=$mode jmh=${jmh_args[*]} $* java=$java ($("$java" -version 2>&1 | head -1))" | tee "$log"

write_machine "$machine"
cross_core "$machine" start

start=$(date +%s)
if [[ "$mode" == quick ]]; then
    jmh "$result" "${jmh_args[@]}" "$@"
else
    targeted="$("$java" -cp "$jar" gmpj.bench.BenchReport --targeted-regex)" \
        || fail "BenchReport could not list the benchmarks that targets read"
    # Two exclusions split the benchmarks the extra arguments select: ^(?!T$) drops every benchmark
    # but the targeted ones, ^T$ drops the targeted ones (JMH matches -e against the full name).
    only_targeted=(-e "^(?!${targeted}\$)")
    no_targeted=(-e "^${targeted}\$")
    n_targeted=$(count_benchmarks "$@" "${only_targeted[@]}")
    n_others=$(count_benchmarks "$@" "${no_targeted[@]}")
    echo "run-bench: $n_targeted benchmark methods with a target in $target_forks forks," \
        "$n_others others in $forks" | tee -a "$log"
    (( n_targeted + n_others > 0 )) || fail "no benchmark matches the arguments '$*'"
    parts=()
    if (( n_targeted > 0 )); then
        jmh "$targeted_result" -f "$target_forks" "${jmh_args[@]}" "$@" "${only_targeted[@]}"
        parts+=("$targeted_result")
    fi
    if (( n_others > 0 )); then
        jmh "$others_result" -f "$forks" "${jmh_args[@]}" "$@" "${no_targeted[@]}"
        parts+=("$others_result")
    fi
    merge "$result" "${parts[@]}"
fi
finish_machine "$machine"
cross_core "$machine" end
echo "run-bench: JMH took $(( $(date +%s) - start )) s in all" | tee -a "$log"

"$java" -Djava.awt.headless=true -cp "$jar" gmpj.bench.BenchReport "$result" "$report_dir/benchmarks.md" \
    "$report_dir/benchmarks.png" "$machine" || fail "BenchReport could not turn $result into a report"
echo "run-bench: report in $report_dir/benchmarks.md and $report_dir/benchmarks.png"
