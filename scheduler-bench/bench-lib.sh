# Shared by the benchmark scripts (run-bench.sh, run-scaling.sh, compare-jars.sh,
# package-device.sh), which source it: finding a JDK 25, checking numbers, JMH's host flags, the
# machine file and its cross-core probe, running JMH, and merging JMH JSON results. Set
# BENCH_SCRIPT to the script's name before sourcing it: failures are reported as
# "<BENCH_SCRIPT>: FAILED: ...".

# fail <message>: prints it on stderr and exits 1.
fail() {
    echo "${BENCH_SCRIPT:-bench}: FAILED: $*" >&2
    exit 1
}

# find_java: prints the path of a java 25+: $JAVA25_HOME, $JAVA_HOME, the java on PATH or one under
# /usr/lib/jvm, the first found; fails if there is none.
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

# positive <name> <value>: fails unless value is a whole number >= 1.
positive() {
    [[ "$2" =~ ^[0-9]+$ ]] && (( $2 >= 1 )) || fail "$1 must be a whole number >= 1, got '$2'"
}

# The JMH host JVM needs the export to load the benchmark classes; each benchmark's @Fork adds it
# (and its heap size) to the forked JVMs itself.
# shellcheck disable=SC2034 # used by the scripts that source this file
host_flags=(--add-exports=java.base/jdk.internal.vm=ALL-UNNAMED --enable-native-access=ALL-UNNAMED
    --sun-misc-unsafe-memory-access=allow)

# write_machine <file>: the machine and the time, now, before the first benchmark: a report
# describes the run, not wherever and whenever it is generated. Values the system does not give
# stay empty, which the reports show as "unknown". Add "finished=..." when the run ends.
write_machine() {
    {
        echo "nproc=$(nproc 2>/dev/null || getconf _NPROCESSORS_ONLN 2>/dev/null || true)"
        echo "cpu.model=$(awk -F': *' '/^model name/ {print $2; exit}' /proc/cpuinfo 2>/dev/null || true)"
        echo "memory.kb=$(awk '/^MemTotal:/ {print $2; exit}' /proc/meminfo 2>/dev/null || true)"
        echo "loadavg=$(cut -d ' ' -f 1-3 /proc/loadavg 2>/dev/null || true)"
        echo "started=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
    } > "$1"
}

# finish_machine <file>: adds the time the run finished.
finish_machine() {
    echo "finished=$(date -u +%Y-%m-%dT%H:%M:%SZ)" >> "$1"
}

# cross_core <file> <when>: measures the round trip of a cache line between two cores now
# (gmpj.bench.CrossCoreProbe of $jar on $java, about a second with the JVM's start), which appends
# crosscore.<when>.ns and crosscore.method to the machine file and prints one line, appended to
# $log. A probe that fails only warns: the report then says "unknown" for that figure.
cross_core() {
    local out
    if out="$("$java" -cp "$jar" gmpj.bench.CrossCoreProbe "$1" "$2" 2>&1)"; then
        echo "${BENCH_SCRIPT:-bench}: at the $2: $out" | tee -a "$log"
    else
        echo "${BENCH_SCRIPT:-bench}: WARNING: the cross-core probe failed at the $2: $out" | tee -a "$log" >&2
    fi
}

# jmh <json> <JMH arguments...>: one JMH run of $jar on $java into <json>, its output appended to
# $log; fails the script if JMH fails. JMH refuses to start while another JMH run on the machine
# holds its lock (/tmp/jmh.lock): then jmh waits for it, trying again every 10 s for up to
# $JMH_LOCK_WAIT_S seconds (default 1800) before it fails. With jmh_limit_s set (seconds), waiting
# and running together are stopped after that long, JMH's forked JVM with them, and jmh returns 124
# instead of failing.
jmh() {
    local json="$1" rc start limit=() waited=0 lock_wait="${JMH_LOCK_WAIT_S:-1800}" left
    shift
    start=$(date +%s)
    echo "${BENCH_SCRIPT:-bench}: jmh $*" | tee -a "$log"
    while :; do
        limit=()
        if [[ -n "${jmh_limit_s:-}" ]]; then
            left=$(( jmh_limit_s - ($(date +%s) - start) ))
            (( left > 0 )) || { rc=124; break; }
            limit=(timeout --kill-after=10 "$left")
        fi
        rm -f "$log.last"
        set +e
        "${limit[@]}" "$java" "${host_flags[@]}" -jar "$jar" "$@" -foe true -rf json -rff "$json" 2>&1 \
            | tee -a "$log" "$log.last"
        rc=${PIPESTATUS[0]}
        set -e
        if (( rc != 0 )) && grep -q 'Unable to acquire the JMH lock' "$log.last" && (( waited < lock_wait )); then
            rm -f "$log.last"
            echo "${BENCH_SCRIPT:-bench}: another JMH run holds the lock; trying again in 10 s" | tee -a "$log"
            sleep 10
            waited=$(( waited + 10 ))
            continue
        fi
        rm -f "$log.last"
        break
    done
    echo "${BENCH_SCRIPT:-bench}: that JMH run took $(( $(date +%s) - start )) s" | tee -a "$log"
    if [[ -n "${jmh_limit_s:-}" ]] && (( rc == 124 || rc == 137 )); then
        echo "${BENCH_SCRIPT:-bench}: stopped after ${jmh_limit_s} s" | tee -a "$log"
        return 124
    fi
    (( rc == 0 )) || fail "JMH exited with status $rc (see $log)"
    [[ -s "$json" ]] || fail "JMH wrote no result file $json (see $log)"
}

# merge <out> <json...>: the JSON arrays JMH wrote (a "[" line first, a "]" line last, then
# blank lines) as one array; the reports parse the result, so a bad merge fails the report.
merge() {
    local out="$1" f body sep=""
    shift
    {
        echo "["
        for f in "$@"; do
            body="$(< "$f")" # without the trailing newlines
            [[ "$body" == "["$'\n'*$'\n'"]" ]] \
                || fail "$f does not look like a JMH JSON result (a '[' line first, a ']' line last)"
            body="${body#"["$'\n'}"
            [[ -z "$sep" ]] || echo "$sep"
            printf '%s\n' "${body%$'\n'"]"}"
            sep=","
        done
        echo "]"
    } > "$out"
}
