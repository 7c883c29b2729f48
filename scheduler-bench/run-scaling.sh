#!/usr/bin/env bash
# Runs the procs-scaling suite, gmpj against JDK virtual threads at 1, 2, 4, 8 and 16 processors
# (carriers), and turns the result into a report: scaling.md, scaling.png (speed-ups) and
# scaling-ratios.png (gmpj / virtual threads), by gmpj.bench.ScalingReport.
#
# Usage: scheduler-bench/run-scaling.sh [quick|full] [extra JMH arguments...]
#        scheduler-bench/run-scaling.sh report <folder>
#   quick  one short iteration per benchmark (-f 1 -wi 1 -w 200ms -i 1 -r 200ms): a smoke test that
#          every workload runs at every count; with one iteration JMH gives no error, so no verdict.
#          Report: scheduler-bench/target/scaling-report/ unless SCALING_REPORT_DIR says otherwise.
#   full   (default) $SCALING_JMH_ARGS (default -wi 3 -w 500ms -i 5 -r 500ms) in $SCALING_FORKS forks
#          (default 1): about 5 minutes on 16 cores, 7 on 2. Report: docs/ of the repository unless
#          SCALING_REPORT_DIR says otherwise.
#   report the report again from a finished run's folder (its scaling-result.json and
#          scaling-machine.properties, e.g. the $OUT of a device run), charts included; into
#          SCALING_REPORT_DIR, default docs/.
#   Extra arguments go to every JMH run after the mode's (not -f, not -p procs: see below).
#
# Each workload (ScalingReport --workloads lists them, with their JMH regex) runs in a JMH
# invocation of its own, so that a time limit loses only the workloads it cuts. The virtual-thread
# side sets the JDK scheduler's parallelism at run time, in each fork before its first virtual
# thread (VirtualThreadScheduler), so one invocation covers every count.
#
# Environment:
#   SCALING_PROCS       processor counts, comma-separated (default 1,2,4,8,16)
#   SCALING_WORKLOADS   workload keys to run, space-separated (default all)
#   SCALING_JMH_ARGS    iteration arguments of the full mode, without -f (default above)
#   SCALING_FORKS       forks of the full mode (default 1)
#   SCALING_DEADLINE_S  seconds all JMH runs may take together: a workload is not started, or is
#                       stopped, when they are up (default: no limit)
#   SCALING_JAR         the benchmarks jar (default scheduler-bench/target/benchmarks.jar, built if missing)
#   SCALING_WORK_DIR    where the JSON results, the console log and the machine file go
#                       (default scheduler-bench/target/scaling)
#   SCALING_REPORT_DIR  where scaling.md and its charts go (defaults above)
#   SCALING_NOTE        a line for the head of the report, e.g. what kind of run this was
#   JMH_LOCK_WAIT_S     how long a JMH run waits for another one on the machine to end (default 1800)
# Needs a JDK 25+ (see bench-lib.sh); a runtime without java.desktop writes the report without charts.
# Exits non-zero if JMH fails (a benchmark that throws, e.g. on a wrong skynet sum, fails the run).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
BENCH_SCRIPT=run-scaling
# shellcheck source=bench-lib.sh
source "$here/bench-lib.sh"

mode="${1:-full}"
shift || true
jar="${SCALING_JAR:-$here/target/benchmarks.jar}"
work="${SCALING_WORK_DIR:-$here/target/scaling}"
procs="${SCALING_PROCS:-1,2,4,8,16}"
[[ "$procs" =~ ^[0-9]+(,[0-9]+)*$ ]] || fail "SCALING_PROCS must be counts separated by commas, got '$procs'"

case "$mode" in
    quick)
        jmh_args=(-f 1 -wi 1 -w 200ms -i 1 -r 200ms)
        report_dir="${SCALING_REPORT_DIR:-$here/target/scaling-report}"
        ;;
    full)
        read -r -a jmh_args <<< "${SCALING_JMH_ARGS:--wi 3 -w 500ms -i 5 -r 500ms}"
        for a in "${jmh_args[@]}"; do
            [[ "$a" != -f && "$a" != -f[0-9]* ]] || fail "SCALING_JMH_ARGS holds '$a': forks come from SCALING_FORKS"
        done
        forks="${SCALING_FORKS:-1}"
        positive SCALING_FORKS "$forks"
        jmh_args=(-f "$forks" "${jmh_args[@]}")
        report_dir="${SCALING_REPORT_DIR:-$root/docs}"
        ;;
    report)
        (( $# == 1 )) || fail "report needs the folder of a finished run, e.g. run-scaling.sh report \$OUT"
        work="$1"
        report_dir="${SCALING_REPORT_DIR:-$root/docs}"
        ;;
    *) fail "unknown mode '$mode'; use quick, full or report <folder>" ;;
esac
for a in "$@"; do
    [[ "$mode" == report || ( "$a" != -f && "$a" != -f[0-9]* && "$a" != procs=* ) ]] \
        || fail "extra argument '$a': forks come from the mode and SCALING_FORKS, counts from SCALING_PROCS"
done
if [[ -n "${SCALING_DEADLINE_S:-}" ]]; then
    positive SCALING_DEADLINE_S "$SCALING_DEADLINE_S"
fi

java="$(find_java)"
result="$work/scaling-result.json"
machine="$work/scaling-machine.properties"
log="$work/scaling-console.log"

if [[ ! -f "$jar" ]]; then
    [[ -z "${SCALING_JAR:-}" ]] || fail "SCALING_JAR names $jar, which does not exist"
    echo "run-scaling: building $jar"
    (cd "$root" && ./mvnw -q -B -pl scheduler-bench -am package -DskipTests)
fi

report() {
    "$java" -Djava.awt.headless=true -cp "$jar" gmpj.bench.ScalingReport "$result" "$report_dir/scaling.md" \
        "$report_dir/scaling.png" "$machine" || fail "ScalingReport could not turn $result into a report"
    echo "run-scaling: report in $report_dir/scaling.md"
}

if [[ "$mode" == report ]]; then
    [[ -s "$result" ]] || fail "$result is missing or empty"
    [[ -s "$machine" ]] || fail "$machine is missing or empty"
    report
    exit 0
fi

mkdir -p "$work"
rm -f "$work"/scaling-*.json "$machine"
echo "run-scaling: mode=$mode procs=$procs jmh=${jmh_args[*]} $* java=$java ($("$java" -version 2>&1 | head -1))" \
    | tee "$log"
workloads="$("$java" -cp "$jar" gmpj.bench.ScalingReport --workloads)" \
    || fail "ScalingReport could not list the workloads"
wanted="${SCALING_WORKLOADS:-$(awk '{print $1}' <<< "$workloads" | xargs)}"
for key in $wanted; do
    grep -q "^$key " <<< "$workloads" || fail "SCALING_WORKLOADS names '$key'; the workloads are: $(awk '{print $1}' <<< "$workloads" | xargs)"
done

write_machine "$machine"
[[ -z "${SCALING_NOTE:-}" ]] || echo "note=${SCALING_NOTE//$'\n'/ }" >> "$machine"
start=$(date +%s)
parts=()
not_run=()
while read -r key regex extra; do
    [[ " $wanted " == *" $key "* ]] || continue
    jmh_limit_s=""
    if [[ -n "${SCALING_DEADLINE_S:-}" ]]; then
        jmh_limit_s=$(( SCALING_DEADLINE_S - ($(date +%s) - start) ))
        if (( jmh_limit_s < 10 )); then
            echo "run-scaling: $key not started: the ${SCALING_DEADLINE_S} s are up" | tee -a "$log"
            not_run+=("$key")
            continue
        fi
    fi
    json="$work/scaling-$key.json"
    read -r -a extra_args <<< "$extra"
    if jmh "$json" "${jmh_args[@]}" -p "procs=$procs" "${extra_args[@]}" "$@" "$regex"; then
        parts+=("$json")
    else
        not_run+=("$key")
    fi
done <<< "$workloads"
finish_machine "$machine"
echo "run-scaling: JMH took $(( $(date +%s) - start )) s in all${not_run[*]:+; not run or stopped: ${not_run[*]}}" \
    | tee -a "$log"
(( ${#parts[@]} > 0 )) || fail "no workload finished (see $log)"
merge "$result" "${parts[@]}"
report
