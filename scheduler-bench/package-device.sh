#!/usr/bin/env bash
# Builds a self-contained bundle of the procs-scaling suite for a machine with no JDK and no
# network: a jlinked Java 25 runtime with only the modules the benchmarks need, benchmarks.jar,
# run-scaling.sh and bench-lib.sh, and run.sh, the one command to run there:
#
#   <bundle>/run.sh <output folder>     (or with $OUT set: <bundle>/run.sh)
#
# which runs the full scaling suite (run-scaling.sh full) with the bundled runtime, its JMH runs
# limited to SCALING_DEADLINE_S seconds in all (default 420, so that the whole command ends within
# 8 minutes), and writes the JSON results, the console log, the machine file and scaling.md into
# the output folder. The bundled runtime has no java.desktop (the charts alone need it, and it
# would take the bundle past its size limit), so the report there has no charts: back on a machine
# with a JDK, `run-scaling.sh report <output folder>` writes the report with its charts. Any
# run-scaling.sh variable (SCALING_PROCS, SCALING_JMH_ARGS, ...) still applies; SCALING_MODE=quick
# runs the quick mode instead.
#
# Usage: scheduler-bench/package-device.sh [--check]
#   --check  then runs the bundle here in quick mode on its own runtime, at 1 and 2 processors,
#            into scheduler-bench/target/device-check/: that the runtime holds every module the
#            benchmarks need.
# Environment:
#   DEVICE_BUNDLE_DIR  where the bundle goes (default scheduler-bench/target/device-bundle; replaced)
#   DEVICE_BUNDLE_MAX_MIB  the most the bundle may take, in MiB (default 64): larger fails the build
# Needs a JDK 25+ with jlink and jdeps (see bench-lib.sh for how it is found) whose runtime can be
# linked (JDK 24+ links from its own runtime image when it has no jmods folder).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
BENCH_SCRIPT=package-device
# shellcheck source=bench-lib.sh
source "$here/bench-lib.sh"

check=false
case "${1:-}" in
    "") ;;
    --check) check=true ;;
    *) fail "unknown argument '$1'; the only one is --check" ;;
esac
bundle="${DEVICE_BUNDLE_DIR:-$here/target/device-bundle}"
max_mib="${DEVICE_BUNDLE_MAX_MIB:-64}"
positive DEVICE_BUNDLE_MAX_MIB "$max_mib"

java="$(find_java)"
jdk_bin="$(dirname "$java")"
[[ -x "$jdk_bin/jlink" && -x "$jdk_bin/jdeps" ]] || fail "$jdk_bin has no jlink or jdeps: JAVA25_HOME must be a JDK, not a runtime"

echo "package-device: building benchmarks.jar"
(cd "$root" && ./mvnw -q -B -pl scheduler-bench -am package -DskipTests)
jar="$here/target/benchmarks.jar"

# The modules the jar's classes refer to, as jdeps finds them, less java.desktop, which only the
# reports' charts use (the bundle writes its report without them); plus the ones the benchmarks
# reach without a static reference: java.management and jdk.management for the virtual-thread
# scheduler's MXBean, jdk.unsupported for sun.misc.Unsafe in JMH and JCTools.
found="$("$jdk_bin/jdeps" --ignore-missing-deps --multi-release 25 --print-module-deps "$jar")" \
    || fail "jdeps could not read $jar"
modules="$(tr ',' '\n' <<< "$found,java.base,java.management,jdk.management,jdk.unsupported" \
    | grep -v -x -e java.desktop -e '' | sort -u | paste -sd, -)"
echo "package-device: jdeps found $found; linking $modules"

rm -rf "$bundle"
mkdir -p "$(dirname "$bundle")"
"$jdk_bin/jlink" --add-modules "$modules" --strip-debug --no-header-files --no-man-pages --compress zip-9 \
    --output "$bundle/jdk" || fail "jlink failed"
cp "$jar" "$here/run-scaling.sh" "$here/bench-lib.sh" "$bundle/"
cat > "$bundle/run.sh" <<'EOF'
#!/usr/bin/env bash
# Runs gmpj's procs-scaling suite on the runtime of this bundle (made by package-device.sh) and
# writes its results and scaling.md into the folder given, or $OUT.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${1:-${OUT:-}}"
[[ -n "$out" ]] || { echo "usage: run.sh <output folder> (or set OUT)" >&2; exit 2; }
mkdir -p "$out"
export JAVA25_HOME="$here/jdk" SCALING_JAR="$here/benchmarks.jar" SCALING_WORK_DIR="$out" SCALING_REPORT_DIR="$out"
export SCALING_DEADLINE_S="${SCALING_DEADLINE_S:-420}"
exec "$here/run-scaling.sh" "${SCALING_MODE:-full}"
EOF
chmod +x "$bundle/run.sh" "$bundle/run-scaling.sh"

bytes="$(du -sb "$bundle" | cut -f1)"
mib="$(awk -v b="$bytes" 'BEGIN {printf "%.1f", b / 1048576}')"
echo "package-device: $bundle: $mib MiB (runtime $(du -sh "$bundle/jdk" | cut -f1), jar $(du -sh "$bundle/benchmarks.jar" | cut -f1))"
(( bytes <= max_mib * 1048576 )) || fail "the bundle takes $mib MiB, more than DEVICE_BUNDLE_MAX_MIB=$max_mib"
"$bundle/jdk/bin/java" --list-modules | sed 's/^/package-device: module /'

if $check; then
    out="$here/target/device-check"
    rm -rf "$out"
    echo "package-device: checking the bundle: quick mode at 1 and 2 processors into $out"
    # The bundle's own java only: no JAVA_HOME, no java on PATH for find_java to fall back on.
    env -u JAVA_HOME PATH=/usr/bin:/bin SCALING_MODE=quick SCALING_PROCS=1,2 "$bundle/run.sh" "$out" \
        || fail "the bundle's quick run failed (see $out/scaling-console.log)"
    [[ -s "$out/scaling.md" ]] || fail "the bundle's quick run wrote no $out/scaling.md"
    echo "package-device: the bundle ran every workload; report in $out/scaling.md"
fi
