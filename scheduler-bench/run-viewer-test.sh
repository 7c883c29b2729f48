#!/usr/bin/env bash
# Opens gmpj's trace viewer in a real headless browser and checks that it draws the trace.
#
# Usage: scheduler-bench/run-viewer-test.sh [--update-screenshot]
#
# Builds scheduler-bench (./mvnw package, tests skipped), records an execution trace of the tour's
# uneven work on 4 processors (gmpj.bench.TraceUnevenWork) into scheduler-bench/target/viewer-test/
# as trace.json and trace.html, then:
#   1. reads trace.json with Python's json module, as any consumer of the Chrome trace format would,
#      and checks that every event has ph and pid, every event but metadata a ts, and every flow
#      end ("f") the flow start ("s") of its id, earlier in time;
#   2. opens trace.html in headless Chromium (--dump-dom) and checks what the page sets on <body>
#      once drawn: data-rendered="true", data-lanes equal to the processors, data-slices above 0
#      and no data-error;
#   3. takes a 1400x800 screenshot, trace.png; with --update-screenshot copies it to
#      docs/trace-viewer.png.
# Prints "viewer test: PASSED", or "viewer test: FAILED: <why>" and exits 1.
#
# Without a Chromium on PATH it installs Debian's (apt-get update; apt-get install chromium, or
# chromium-headless-shell if only that is offered), which needs root and the network; if that is
# not possible it prints "viewer test: SKIPPED (<why>)" and exits 0. Not part of ./mvnw verify.
# Needs a JDK 25+ (as run-bench.sh finds it) and python3.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
jar="$here/target/benchmarks.jar"
out="$here/target/viewer-test"
procs=4

BENCH_SCRIPT="viewer test"
# shellcheck source=bench-lib.sh
source "$here/bench-lib.sh"

update=false
for arg in "$@"; do
    case "$arg" in
        --update-screenshot) update=true ;;
        *) fail "unknown argument '$arg'; usage: run-viewer-test.sh [--update-screenshot]" ;;
    esac
done

skip() {
    echo "viewer test: SKIPPED ($*)"
    exit 0
}

# find_browser: prints the path of a Chromium that runs headless, or fails.
find_browser() {
    local b
    for b in chromium chromium-headless-shell chromium-browser google-chrome; do
        if command -v "$b" > /dev/null 2>&1; then
            command -v "$b"
            return 0
        fi
    done
    return 1
}

# apt_candidate <package>: succeeds if apt can install the package.
apt_candidate() {
    local candidate
    candidate="$(apt-cache policy "$1" 2> /dev/null | awk '/Candidate:/ {print $2}')"
    [[ -n "$candidate" && "$candidate" != "(none)" ]]
}

rm -rf "$out"
mkdir -p "$out"
if ! browser="$(find_browser)"; then
    command -v apt-get > /dev/null 2>&1 || skip "no Chromium on PATH and no apt-get to install one"
    [[ "$(id -u)" == 0 ]] || skip "no Chromium on PATH, and installing one with apt-get needs root"
    apt_log="$out/apt.log"
    echo "viewer test: no Chromium on PATH, installing Debian's (log: $apt_log)"
    apt_start=$(date +%s)
    timeout 300 apt-get update > "$apt_log" 2>&1 || skip "apt-get update failed or took over 5 min (no network?), see $apt_log"
    if apt_candidate chromium; then
        package=chromium
    elif apt_candidate chromium-headless-shell; then
        package=chromium-headless-shell
    else
        skip "apt offers neither chromium nor chromium-headless-shell"
    fi
    DEBIAN_FRONTEND=noninteractive timeout 600 apt-get install -y -q "$package" >> "$apt_log" 2>&1 \
        || skip "apt-get install $package failed, see $apt_log"
    browser="$(find_browser)" || skip "installed $package but found no browser to run"
    echo "viewer test: installed $package in $(( $(date +%s) - apt_start )) s"
fi
command -v python3 > /dev/null 2>&1 || fail "python3 is needed to check the trace's JSON and the page"
echo "viewer test: browser $browser ($("$browser" --version 2> /dev/null || echo 'version unknown'))"

java="$(find_java)"
(cd "$root" && ./mvnw -B -q -pl scheduler-bench -am -DskipTests package) || fail "the build failed"
"$java" "${host_flags[@]}" -cp "$jar" gmpj.bench.TraceUnevenWork "$out" "$procs" \
    || fail "recording the trace of the uneven work failed"

# 1. The JSON as a standard consumer reads it.
python3 - "$out/trace.json" << 'EOF' || fail "trace.json is not a sound Chrome trace (above)"
import collections, json, sys

with open(sys.argv[1], encoding="utf-8") as f:
    trace = json.load(f)
events = trace["traceEvents"]
phases = collections.Counter()
starts = {}
problems = []
for i, e in enumerate(events):
    ph = e.get("ph")
    phases[ph] += 1
    need = ("ph", "pid") if ph == "M" else ("ph", "ts", "pid")
    missing = [k for k in need if k not in e]
    if missing:
        problems.append(f"event {i} lacks {', '.join(missing)}: {e}")
    if ph == "s":
        starts[e["id"]] = e["ts"]
ends = 0
for i, e in enumerate(events):
    if e.get("ph") == "f":
        ends += 1
        if e.get("id") not in starts:
            problems.append(f"flow end {i} has no flow start of id {e.get('id')}")
        elif e["ts"] < starts[e["id"]]:
            problems.append(f"flow end {i} comes before its start: {e}")
counts = ", ".join(f"{ph}: {n}" for ph, n in sorted(phases.items()))
print(f"viewer test: trace.json: {len(events)} events ({counts}); "
      f"{ends} flow ends, each with its start; {len(problems)} problem(s)")
for p in problems[:20]:
    print("  " + p)
if problems or phases["X"] == 0:
    sys.exit(1)
EOF

# 2. The page in the browser.
url="file://$out/trace.html"
browser_flags=(--headless --no-sandbox --disable-gpu --disable-dev-shm-usage --hide-scrollbars
    --user-data-dir="$out/browser-profile" --virtual-time-budget=5000)
timeout 180 "$browser" "${browser_flags[@]}" --dump-dom "$url" > "$out/dom.html" 2> "$out/browser.log" \
    || fail "$browser could not open $url, see $out/browser.log"
python3 - "$out/dom.html" "$procs" << 'EOF' || fail "the viewer did not draw the trace (above; the DOM is in $out/dom.html)"
import html.parser, sys

class Body(html.parser.HTMLParser):
    attrs = None
    def handle_starttag(self, tag, attrs):
        if tag == "body" and self.attrs is None:
            self.attrs = dict(attrs)

page = Body()
with open(sys.argv[1], encoding="utf-8") as f:
    page.feed(f.read())
a = page.attrs or {}
procs = sys.argv[2]
print("viewer test: page: " + ", ".join(f"{k}={a.get(k)}" for k in
      ("data-rendered", "data-lanes", "data-slices", "data-rects", "data-arrows", "data-error")))
errors = []
if "data-error" in a:
    errors.append("the page shows an error: " + a["data-error"])
if a.get("data-rendered") != "true":
    errors.append("the page did not finish its first drawing (no data-rendered=\"true\")")
if a.get("data-lanes") != procs:
    errors.append(f"{a.get('data-lanes')} processor lanes drawn, expected {procs}")
if not (a.get("data-slices") or "").isdigit() or int(a["data-slices"]) <= 0:
    errors.append(f"no goroutine slice drawn (data-slices={a.get('data-slices')})")
for e in errors:
    print("  " + e)
sys.exit(1 if errors else 0)
EOF

# 3. A picture of it.
timeout 180 "$browser" "${browser_flags[@]}" --screenshot="$out/trace.png" --window-size=1400,800 "$url" \
    > /dev/null 2>> "$out/browser.log" || fail "$browser could not take a screenshot of $url, see $out/browser.log"
[[ -s "$out/trace.png" ]] || fail "no screenshot in $out/trace.png"
if $update; then
    cp "$out/trace.png" "$root/docs/trace-viewer.png"
    echo "viewer test: screenshot copied to docs/trace-viewer.png"
else
    echo "viewer test: screenshot in $out/trace.png"
fi
echo "viewer test: PASSED"
