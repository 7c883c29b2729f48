#!/usr/bin/env bash
# Runs the race tests against deliberately broken copies of the code: every patch in
# jcstress-tests/mutants/ breaks one thing in scheduler-core or scheduler-sync, and the jcstress
# test(s) its "# test:" header names must catch it (see docs/jcstress-mutants.md for the format).
#
# Usage: jcstress-tests/run-mutants.sh [mode] [patches]
#   mode     jcstress preset for each run (as for run-stress.sh): quick (default), sanity, default, ...
#   patches  which patches, by file name: a glob ('TwoThieves*', '*.steal-*') or, when no file name
#            matches it as a glob, an extended regex ('^(GoIdle|Spinner)', 'reverse|cas'); default: all
#
# Per patch, one at a time:
#   1. a throw-away copy of the committed tree of HEAD ($MUTANTS_REV to pick another revision) goes to
#      jcstress-tests/target/mutants/<patch-name>/ (git archive: the caller's working tree, index and
#      .git are not touched, and uncommitted changes are not in the copy; the patches themselves are
#      read from the caller's working tree);
#   2. git apply the patch there (in a scratch repository, so paths are taken from the copy's root);
#   3. build the jcstress jar there: ./mvnw -B -q -pl jcstress-tests -am package -DskipTests (the
#      reactor builds scheduler-core and scheduler-sync too; nothing is installed into ~/.m2);
#   4. JCSTRESS_VERBOSE=1 run-stress.sh <mode> '<test: regex>' in the copy, bounded by
#      $JCSTRESS_TIMEOUT (seconds, default 900 here) per patch; the build is bounded by
#      $MUTANTS_BUILD_TIMEOUT (default 900);
#   5. keep its console log as jcstress-tests/target/mutants/<patch-name>.log and delete the copy
#      ($MUTANTS_KEEP=1 keeps it, for a look at the HTML report).
#
# Verdict per patch:
#   caught     run-stress failed and a named test saw a forbidden outcome (samples > 0)
#   MISSED     run-stress passed: the named tests ran and saw no forbidden outcome
#   ERROR      the patch did not apply, the build failed or timed out, the run timed out, or it failed
#              without a forbidden outcome (a test error, a crashed fork)
#   SKIPPED    none of the named tests ran: jcstress skips a test with more actors than the machine
#              has CPUs (a patch naming a three-actor test and its two-actor companion is judged by
#              the companion; the summary lists the tests that did not run)
# A patch whose header says "# expect: none" records a mutant the named test is known not to catch
# (another defence masks it; its "# note:" says which): "survived (expected)" when the run passes,
# "CAUGHT (expected none)" when it fails with a forbidden outcome, which means the note is wrong.
#
# Prints a table (patch, test, expect, verdict, forbidden outcomes seen with their samples) and writes
# it to jcstress-tests/target/mutants/summary.md. Exit status: 0 if every patch was caught (or, with
# "expect: none", survived as expected); 1 otherwise, or if no patch matched.
# Time, quick mode on 2 shared cores: about 25 s to build a copy and a minute to run one test, so
# some 80 s a patch; the 24 patches of the gmpj.core tests took 33 min.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
mode="${1:-quick}"
select="${2:-}"
rev="${MUTANTS_REV:-HEAD}"
export JCSTRESS_TIMEOUT="${JCSTRESS_TIMEOUT:-900}"
build_limit="${MUTANTS_BUILD_TIMEOUT:-900}"
patches_dir="$here/mutants"
work="$here/target/mutants"
summary="$work/summary.md"

die() {
    echo "run-mutants: $*" >&2
    exit 1
}

command -v git >/dev/null || die "git is needed"
commit="$(git -C "$root" rev-parse --verify "$rev^{commit}" 2>/dev/null)" || die "no revision '$rev' in $root"
[[ -d "$patches_dir" ]] || die "no patch directory $patches_dir"

# The patches to run: every *.patch, or those whose file name matches the glob, or else the regex.
all=()
for f in "$patches_dir"/*.patch; do
    [[ -e "$f" ]] && all+=("$(basename "$f")")
done
chosen=()
if [[ -z "$select" ]]; then
    chosen=("${all[@]}")
else
    for name in "${all[@]}"; do
        # shellcheck disable=SC2053 # a glob on purpose
        [[ "$name" == $select ]] && chosen+=("$name")
    done
    if (( ${#chosen[@]} == 0 )); then
        for name in "${all[@]}"; do
            grep -Eq -- "$select" <<<"$name" && chosen+=("$name")
        done
    fi
fi
(( ${#chosen[@]} > 0 )) || die "no patch in $patches_dir matches '${select:-*}'"

# The value of header key $2 ("test", "what", "expect", "note") of patch $1, or "".
header() {
    sed -n "/^diff --git/q; s/^# $2: *//p" "$1" | head -1
}

# Reads a verbose jcstress console log; prints "RAN <test>	<samples>" for every test in its final
# results and "FORBIDDEN <test>	<outcomes>" for every test that saw forbidden outcomes, each as
# "`result` samples" with the test's total: "`1, 1` 45,919 of 59,404,554".
read_results() {
    awk '
      function commas(n,   s) { s = sprintf("%d", n); while (s ~ /[0-9][0-9][0-9][0-9]/) sub(/[0-9][0-9][0-9]([,]|$)/, ",&", s); return s }
      /^RUN RESULTS:/ { on = 1; next }
      !on { next }
      /^\.+ \[[A-Z ]+\] / {
        name = $3; sub(/.*\./, "", name)
        skip = (name in seen); seen[name] = 1; intable = 0
        if (!skip) order[++n] = name
        next
      }
      skip { next }
      /RESULT +SAMPLES +FREQ +EXPECT +DESCRIPTION/ { intable = 1; next }
      intable && /^ *$/ { intable = 0; next }
      intable && match($0, /[ ]+[0-9,]+[ ]+[<>]?[0-9.]+%[ ]+(Acceptable|Interesting|Forbidden)[ ]+/) {
        result = substr($0, 1, RSTART - 1); gsub(/^ +| +$/, "", result)
        split(substr($0, RSTART, RLENGTH), f, " +")
        samples = f[2]; gsub(/,/, "", samples); total[name] += samples
        if (f[4] == "Forbidden" && samples + 0 > 0) {
          forbidden[name] = forbidden[name] (nforbidden[name]++ ? "; " : "") "`" result "` " f[2]
        }
      }
      END {
        for (i = 1; i <= n; i++) {
          printf "RAN %s\t%s\n", order[i], commas(total[order[i]])
          if (order[i] in forbidden) printf "FORBIDDEN %s\t%s of %s\n", order[i], forbidden[order[i]], commas(total[order[i]])
        }
      }
    ' "$1"
}

mkdir -p "$work"
current=""
cleanup() {
    if [[ -n "$current" && -d "$current" && -z "${MUTANTS_KEEP:-}" ]]; then
        rm -rf "$current"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

rows=()
failures=0
started_all=$SECONDS
echo "run-mutants: ${#chosen[@]} patch(es), mode=$mode, revision $(git -C "$root" rev-parse --short "$commit"), \
JCSTRESS_TIMEOUT=${JCSTRESS_TIMEOUT}s per run"

for name in "${chosen[@]}"; do
    patch="$patches_dir/$name"
    base="${name%.patch}"
    tests="$(header "$patch" test)"
    expect="$(header "$patch" expect)"
    copy="$work/$base"
    log="$work/$base.log"
    started=$SECONDS
    verdict="" seen="" none_in="" outcomes="" ran="" skipped="" detail=""
    echo
    echo "run-mutants: === $name: $(header "$patch" what)"

    if [[ -z "$tests" || -z "$expect" ]]; then
        verdict=ERROR detail="no '# test:' or '# expect:' header"
    else
        rm -rf "$copy" "$log"
        mkdir -p "$copy"
        current="$copy"
        git -C "$root" archive "$commit" | tar -x -C "$copy"
        git -C "$copy" init -q
        if ! git -C "$copy" apply "$patch" 2>"$log"; then
            verdict=ERROR detail="the patch does not apply to $(git -C "$root" rev-parse --short "$commit"): $(head -1 "$log")"
        elif ! (cd "$copy" && timeout --kill-after=30 "$build_limit" ./mvnw -B -q -pl jcstress-tests -am package -DskipTests) >>"$log" 2>&1; then
            verdict=ERROR detail="the build failed or timed out (see $log)"
        else
            set +e
            (cd "$copy" && JCSTRESS_VERBOSE=1 jcstress-tests/run-stress.sh "$mode" "$tests") >>"$log" 2>&1
            rc=$?
            set -e
            results="$(read_results "$log")"
            ran="$(sed -n 's/^RAN \([^\t]*\)\t.*/\1/p' <<<"$results" | paste -sd' ' -)"
            none_in="$(sed -n 's/^RAN \([^\t]*\)\t\(.*\)/\1: none in \2/p' <<<"$results" | paste -sd'|' - | sed 's/|/<br>/g')"
            seen="$(sed -n 's/^FORBIDDEN \([^\t]*\)\t/\1: /p' <<<"$results" | paste -sd'|' - | sed 's/|/<br>/g')"
            listed="$(cd "$copy/jcstress-tests/target" && timeout 300 "$(sed -n 's/^run-stress: mode=.* java=\([^ ]*\) (.*/\1/p' "$log" | head -1)" \
                --add-exports=java.base/jdk.internal.vm=ALL-UNNAMED -jar jcstress.jar -l -t "$tests" 2>/dev/null \
                | grep -E '^[a-z][A-Za-z0-9_.]*\.[A-Z][A-Za-z0-9_]*$' | sed 's/.*\.//' || true)"
            for t in $listed; do
                [[ " $ran " == *" $t "* ]] || skipped+="${skipped:+ }$t"
            done
            if grep -q 'did not finish within' "$log"; then
                verdict=ERROR detail="timed out after ${JCSTRESS_TIMEOUT} s"
            elif [[ -z "$listed" ]]; then
                verdict=ERROR detail="no test matches '$tests'"
            elif [[ -z "$ran" ]]; then
                verdict=SKIPPED detail="did not run: $skipped (more actors than this machine's $(nproc) CPUs)"
            elif (( rc != 0 )) && [[ -n "$seen" ]]; then
                verdict=caught
            elif (( rc != 0 )); then
                verdict=ERROR detail="run-stress failed without a forbidden outcome: $(grep -m1 'run-stress: FAILED' "$log" || echo 'see the log')"
            else
                verdict=MISSED
            fi
            if [[ -n "$skipped" && "$verdict" != SKIPPED ]]; then
                detail="${detail:+$detail; }did not run: $skipped"
            fi
        fi
        if [[ -z "${MUTANTS_KEEP:-}" ]]; then
            rm -rf "$copy"
        fi
        current=""
    fi

    if [[ "$expect" == none ]]; then
        case "$verdict" in
            MISSED) verdict="survived (expected)" ;;
            caught) verdict="CAUGHT (expected none)" ;;
        esac
    fi
    case "$verdict" in
        caught | "survived (expected)") ;;
        *) failures=$((failures + 1)) ;;
    esac
    secs=$((SECONDS - started))
    outcomes="${seen:-$none_in}"
    echo "run-mutants: $name: $verdict${outcomes:+: $outcomes}${detail:+ ($detail)} [${secs} s]"
    # a | inside a table cell must be escaped
    cell_tests="${tests//|/\\|}" cell_expect="${expect//|/\\|}" cell_detail="${detail//|/\\|}"
    rows+=("| \`$name\` | \`$cell_tests\` | \`$cell_expect\` | **$verdict** | ${outcomes:-no run}${cell_detail:+ ($cell_detail)} | ${secs} s |")
done

total=$((SECONDS - started_all))
{
    echo "# Mutant run"
    echo
    echo "\`jcstress-tests/run-mutants.sh $mode${select:+ '$select'}\` on $(date -u +%Y-%m-%d), revision" \
        "$(git -C "$root" rev-parse --short "$commit"), $(nproc) CPUs, JCSTRESS_TIMEOUT=${JCSTRESS_TIMEOUT} s:" \
        "${#chosen[@]} patch(es), $failures not as expected, $((total / 60)) min $((total % 60)) s."
    echo
    echo "| patch | test | expect | verdict | forbidden outcomes seen (samples of the test's total) | time |"
    echo "|---|---|---|---|---|---:|"
    printf '%s\n' "${rows[@]}"
} >"$summary"
echo
cat "$summary"
echo
echo "run-mutants: summary written to $summary"
(( failures == 0 ))
