#!/usr/bin/env bash
# HTTP side by side: gmpj's HttpServerExample, the JDK's HTTP server on virtual threads
# (gmpj.bench.net.JdkHttpServerBaseline) and Go's net/http (src/main/go/httpserver), each driven by
# wrk on this machine, written up as a markdown table with the ratios gmpj/VT and gmpj/Go.
#
# Usage: scheduler-bench/run-http-bench.sh
#
# Every server listens on 127.0.0.1, answers GET / with the same 13-byte body and the same
# headers, keeps connections alive, and runs on all the machine's processors (gmpj: procs = nproc;
# virtual threads and Go: their defaults, which are nproc). Each one gets a warm-up
# (wrk at 100 connections for $HTTP_BENCH_WARMUP), then one wrk run per connection count
# (wrk -t2 -c<N> -d$HTTP_BENCH_DURATION --latency), then SIGTERM, which each answers with a graceful
# shutdown and a line saying how many requests it served.
#
# Needs wrk and, for the Go column, go: installs the missing ones with apt-get (apt-get update
# first; as root, or through sudo when it needs no password). Without wrk it prints
# "skipped: wrk not available" and exits 0; without go it runs the two Java servers only.
# Each process needs a file descriptor per connection, wrk and the server alike: the script raises
# its soft limit (ulimit -n) to the hard one if it must, and skips, saying so, a connection count
# that still does not fit with 256 to spare.
# Builds scheduler-bench/target/benchmarks.jar if it is missing or older than a source file, and the
# Go server into scheduler-bench/target/http-bench/, where the wrk and server logs go too.
# Needs a JDK 25+ (see bench-lib.sh for how it is found).
#
# Environment:
#   HTTP_BENCH_CONNS     connection counts (default "100 1000")
#   HTTP_BENCH_DURATION  each measured wrk run (default 10s)
#   HTTP_BENCH_WARMUP    each server's warm-up (default 3s)
#   HTTP_BENCH_OUT       the report (default docs/http-bench.md of the repository)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
jar="$here/target/benchmarks.jar"
work="$here/target/http-bench"
out="${HTTP_BENCH_OUT:-$root/docs/http-bench.md}"
duration="${HTTP_BENCH_DURATION:-10s}"
warmup="${HTTP_BENCH_WARMUP:-3s}"
read -r -a conns_list <<< "${HTTP_BENCH_CONNS:-100 1000}"
threads=2
fd_spare=256
log="$work/run.log"

BENCH_SCRIPT=run-http-bench
# shellcheck source=bench-lib.sh
source "$here/bench-lib.sh"

for c in "${conns_list[@]}"; do
    positive "a connection count of HTTP_BENCH_CONNS" "$c"
    (( c >= threads )) || fail "HTTP_BENCH_CONNS holds $c: wrk needs at least one connection per thread ($threads)"
done
[[ "$duration" =~ ^[0-9]+[smh]?$ ]] || fail "HTTP_BENCH_DURATION must be wrk's duration, e.g. 10s, got '$duration'"
[[ "$warmup" =~ ^[0-9]+[smh]?$ ]] || fail "HTTP_BENCH_WARMUP must be wrk's duration, e.g. 3s, got '$warmup'"

mkdir -p "$work"
: > "$log"
say() {
    echo "run-http-bench: $*" | tee -a "$log"
}

# ------------------------------------------------------------------ tools

# Installs wrk and golang-go with apt-get when missing, as root or through a sudo without password.
install_missing() {
    local missing=() as=()
    command -v wrk > /dev/null || missing+=(wrk)
    command -v go > /dev/null || missing+=(golang-go)
    (( ${#missing[@]} > 0 )) || return 0
    if ! command -v apt-get > /dev/null; then
        say "cannot install ${missing[*]}: no apt-get"
        return 0
    fi
    if (( EUID != 0 )); then
        if command -v sudo > /dev/null && sudo -n true 2> /dev/null; then
            as=(sudo -n)
        else
            say "cannot install ${missing[*]}: not root, and no sudo without a password"
            return 0
        fi
    fi
    say "installing ${missing[*]} with apt-get"
    if ! "${as[@]}" apt-get update -qq >> "$log" 2>&1 \
        || ! "${as[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >> "$log" 2>&1; then
        say "apt-get could not install ${missing[*]} (see $log)"
    fi
}

install_missing
if ! command -v wrk > /dev/null; then
    say "skipped: wrk not available (install wrk to run the HTTP benchmark)"
    exit 0
fi
servers=(gmpj vt)
go_version="not available"
if command -v go > /dev/null; then
    servers+=(go)
    go_version="$(go version | awk '{print $3}')"
else
    say "skipped: Go not available; the table has no Go column"
fi

java="$(find_java)"
if [[ ! -f "$jar" || -n "$(find "$root"/scheduler-core/src "$root"/scheduler-sync/src "$here/src/main/java" -newer "$jar" -type f -print -quit)" ]]; then
    say "building $jar"
    (cd "$root" && ./mvnw -q -B -pl scheduler-bench -am package -DskipTests) || fail "the build of $jar failed"
fi
if [[ " ${servers[*]} " == *" go "* ]]; then
    say "building the Go server ($go_version)"
    (cd "$here/src/main/go/httpserver" && go build -o "$work/go-httpserver" .) >> "$log" 2>&1 \
        || fail "go build of src/main/go/httpserver failed (see $log)"
fi

# ------------------------------------------------------------------ descriptors

most=0
for c in "${conns_list[@]}"; do
    (( c > most )) && most=$c
done
soft="$(ulimit -n)"
if [[ "$soft" != unlimited ]] && (( soft < most + fd_spare )); then
    hard="$(ulimit -Hn)"
    ulimit -n "$hard" 2> /dev/null || true
    say "raised ulimit -n from $soft to $(ulimit -n) (hard limit $hard)"
    soft="$(ulimit -n)"
fi
runnable=()
for c in "${conns_list[@]}"; do
    if [[ "$soft" == unlimited ]] || (( c + fd_spare <= soft )); then
        runnable+=("$c")
    else
        say "skipped: $c connections need $c + $fd_spare file descriptors in wrk and in the server; ulimit -n is $soft"
    fi
done
(( ${#runnable[@]} > 0 )) || fail "no connection count fits under ulimit -n $soft"

# ------------------------------------------------------------------ servers

java_flags=(--add-exports=java.base/jdk.internal.vm=ALL-UNNAMED --enable-native-access=ALL-UNNAMED
    --sun-misc-unsafe-memory-access=allow -Xms1g -Xmx1g -cp "$jar")
# Standard input of the servers: a FIFO this script holds open, so that none sees its input end
# (each would shut down); they are stopped with SIGTERM.
fifo="$work/stdin"
rm -f "$fifo"
mkfifo "$fifo"
exec 7<> "$fifo"
server_pid=""
cleanup() {
    if [[ -n "$server_pid" ]]; then
        kill -TERM "$server_pid" 2> /dev/null || true
    fi
    exec 7>&- || true
    rm -f "$fifo"
}
trap cleanup EXIT

# start_server <name>: starts it on a free port, waits for its "listening on" line; sets port.
start_server() {
    local name="$1" slog="$work/server-$1.log" waited=0 cmd
    case "$name" in
        gmpj) cmd=("$java" "${java_flags[@]}" gmpj.bench.net.HttpServerExample 0 "$(nproc)") ;;
        vt) cmd=("$java" "${java_flags[@]}" gmpj.bench.net.JdkHttpServerBaseline 0) ;;
        go) cmd=("$work/go-httpserver" 0) ;;
    esac
    : > "$slog"
    "${cmd[@]}" < "$fifo" > "$slog" 2>&1 &
    server_pid=$!
    until grep -qE 'listening on http://127\.0\.0\.1:[0-9]+' "$slog"; do
        kill -0 "$server_pid" 2> /dev/null || fail "the $name server exited before listening: $(tail -5 "$slog")"
        (( waited < 600 )) || fail "the $name server did not listen within 60 s: $(tail -5 "$slog")"
        sleep 0.1
        waited=$(( waited + 1 ))
    done
    port="$(sed -nE 's|.*listening on http://127\.0\.0\.1:([0-9]+).*|\1|p' "$slog" | head -1)"
    say "$name: $(grep -m1 'listening on' "$slog")"
}

# stop_server <name>: SIGTERM, then waits for it; sets shutdown_line.
stop_server() {
    local name="$1" slog="$work/server-$1.log"
    kill -TERM "$server_pid"
    wait "$server_pid" || true
    server_pid=""
    shutdown_line="$(grep -m1 'shut down:' "$slog" \
        || echo "shut down: nothing: it did not finish its shutdown before the JVM's hooks gave up (see scheduler-bench/target/http-bench/server-$name.log)")"
    say "$name: $shutdown_line"
}

# ------------------------------------------------------------------ wrk

# run_wrk <connections> <duration> <output>
run_wrk() {
    wrk -t"$threads" -c"$1" -d"$2" --latency --timeout 10s "http://127.0.0.1:$port/" > "$3" 2>&1 \
        || fail "wrk failed: $(tail -5 "$3")"
}

rps_of() {
    awk '/^Requests\/sec:/ {print $2}' "$1"
}

# The 99th percentile in milliseconds (wrk writes us, ms or s).
p99_of() {
    awk '$1 == "99%" {
        v = $2
        if (v ~ /us$/) { sub(/us$/, "", v); v = v / 1000 }
        else if (v ~ /ms$/) { sub(/ms$/, "", v) }
        else if (v ~ /m$/) { sub(/m$/, "", v); v = v * 60000 }
        else if (v ~ /s$/) { sub(/s$/, "", v); v = v * 1000 }
        printf "%.3f", v; exit
    }' "$1"
}

# Socket errors and non-2xx answers, "none" when wrk reported neither.
errors_of() {
    awk '/Socket errors:/ { gsub(",", ""); e = "connect " $4 ", read " $6 ", write " $8 ", timeout " $10 }
         /Non-2xx or 3xx responses:/ { n = $NF " non-2xx" }
         END { s = e; if (n != "") s = (s == "" ? n : s "; " n); print (s == "" ? "none" : s) }' "$1"
}

ratio() {
    awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b + 0 == 0) print "n/a"; else printf "%.2f", a / b }'
}

# ------------------------------------------------------------------ the run

declare -A rps p99 errs shut
write_machine "$work/machine.properties"
started="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
load_start="$(cut -d ' ' -f 1-3 /proc/loadavg 2> /dev/null || echo unknown)"
say "servers: ${servers[*]}; connections: ${runnable[*]}; wrk -t$threads -d$duration after a $warmup warm-up"
for name in "${servers[@]}"; do
    start_server "$name"
    run_wrk 100 "$warmup" "$work/wrk-$name-warmup.txt"
    for c in "${runnable[@]}"; do
        f="$work/wrk-$name-$c.txt"
        run_wrk "$c" "$duration" "$f"
        rps[$name,$c]="$(rps_of "$f")"
        p99[$name,$c]="$(p99_of "$f")"
        errs[$name,$c]="$(errors_of "$f")"
        say "$name, $c connections: ${rps[$name,$c]} requests/s, p99 ${p99[$name,$c]} ms, errors: ${errs[$name,$c]}"
    done
    stop_server "$name"
    shut[$name]="$shutdown_line"
done
finished="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
load_end="$(cut -d ' ' -f 1-3 /proc/loadavg 2> /dev/null || echo unknown)"

# ------------------------------------------------------------------ the report

label() {
    case "$1" in
        gmpj) echo "gmpj (HttpServerExample)" ;;
        vt) echo "virtual threads (JDK HttpServer)" ;;
        go) echo "Go net/http" ;;
    esac
}

machine="$work/machine.properties"
prop() {
    local v
    v="$(sed -n "s/^$1=//p" "$machine" | head -1)"
    echo "${v:-unknown}"
}

mkdir -p "$(dirname "$out")"
{
    echo "# HTTP: gmpj against virtual threads and Go"
    echo
    echo "Generated by \`scheduler-bench/run-http-bench.sh\`. wrk drives the servers in turn on one machine,"
    echo "each on all its processors, each answering \`GET /\` with the same 13-byte body (\`hello, world\\n\`)"
    echo "and the same headers (\`Date\`, \`Content-Length\`, \`Content-Type\`) over keep-alive connections:"
    echo
    echo "- **gmpj**: \`gmpj.bench.net.HttpServerExample\`, a goroutine per connection on \`gmpj.net\` (the scheduler's"
    echo "  network poller), procs = $(nproc);"
    echo "- **virtual threads**: \`gmpj.bench.net.JdkHttpServerBaseline\`, the JDK's \`com.sun.net.httpserver.HttpServer\`"
    echo "  with a virtual thread per request (its dispatcher thread reads the requests with a selector), keeping up"
    echo "  to 4096 idle connections open (\`sun.net.httpserver.maxIdleConnections\`; the JDK's default, 200, would"
    echo "  close most of 1,000);"
    if [[ " ${servers[*]} " == *" go "* ]]; then
        echo "- **Go**: \`net/http\` (\`scheduler-bench/src/main/go/httpserver\`), a goroutine per connection, $go_version."
    else
        echo "- **Go**: not run (no go command)."
    fi
    echo
    echo "Each server: a $warmup warm-up at 100 connections, then \`wrk -t$threads -c<N> -d$duration --latency\` per"
    echo "connection count, then SIGTERM and a graceful shutdown. The Java servers run with \`-Xms1g -Xmx1g\`."
    echo
    echo "**Noisy figures.** The machine is shared: other work ran beside this run (load average"
    echo "$load_start at the start, $load_end at the end), and wrk runs on the same $(nproc) cores as the server it"
    echo "drives, taking CPU time from it. One run each, no repetition: differences under a few tens of percent"
    echo "mean nothing here. Run it on a quiet machine, with wrk on other cores, for figures worth quoting."
    echo
    echo "## Machine"
    echo
    echo "| | |"
    echo "|---|---|"
    echo "| processors (nproc) | $(prop nproc) |"
    echo "| CPU | $(prop cpu.model) |"
    echo "| memory | $(awk -v kb="$(prop memory.kb)" 'BEGIN { if (kb + 0 > 0) printf "%.1f GiB", kb / 1048576; else print "unknown" }') |"
    echo "| kernel | $(uname -sr) |"
    echo "| file descriptors (ulimit -n) | $soft |"
    echo "| JDK | $("$java" -version 2>&1 | head -1) |"
    echo "| Go | $go_version |"
    echo "| wrk | $(wrk -v 2>&1 | head -1 | awk '{print $1, $2, $3}') |"
    echo "| run | $started to $finished |"
    echo
    echo "## Results"
    echo
    echo "| connections | server | requests/s | p99 latency (ms) | wrk errors |"
    echo "|--:|---|--:|--:|---|"
    for c in "${runnable[@]}"; do
        for name in "${servers[@]}"; do
            echo "| $c | $(label "$name") | ${rps[$name,$c]:-n/a} | ${p99[$name,$c]:-n/a} | ${errs[$name,$c]:-n/a} |"
        done
    done
    echo
    echo "## Ratios"
    echo
    echo "Requests/s: above 1 means gmpj served more. p99 latency: below 1 means gmpj's was lower."
    echo
    echo "| connections | gmpj | requests/s gmpj/VT | requests/s gmpj/Go | p99 gmpj/VT | p99 gmpj/Go |"
    echo "|--:|---|--:|--:|--:|--:|"
    for c in "${runnable[@]}"; do
        for g in gmpj; do
            echo "| $c | $(label "$g") | $(ratio "${rps[$g,$c]:-}" "${rps[vt,$c]:-}") | $(ratio "${rps[$g,$c]:-}" "${rps[go,$c]:-}")" \
                "| $(ratio "${p99[$g,$c]:-}" "${p99[vt,$c]:-}") | $(ratio "${p99[$g,$c]:-}" "${p99[go,$c]:-}") |"
        done
    done
    echo
    echo "## What each server said at its shutdown"
    echo
    for name in "${servers[@]}"; do
        echo "- $(label "$name"): $(sed 's/^shut down: //' <<< "${shut[$name]}")"
    done
} > "$out"
say "report in $out (wrk and server logs in $work)"
