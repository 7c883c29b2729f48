#!/usr/bin/env bash
# Compares the benchmarks of two builds of gmpj: builds benchmarks.jar for an old revision and for
# a new one (by default the working tree, uncommitted changes included), runs each selected
# benchmark with the two jars in alternating forks (old fork 1, new fork 1, old fork 2, ...: drift
# of the machine reaches both alike) and writes compare.md (gmpj.bench.CompareReport): per
# benchmark and parameters, each side's median over its forks, new / old with an interval, and a
# verdict at one processor: within 5 %, slower by X %, faster by X %, or inconclusive.
#
# Usage: scheduler-bench/compare-jars.sh OLD_REV [NEW_REV|worktree] [benchmark regex]
#   OLD_REV, NEW_REV  any git revision (HEAD~3, a branch, a commit); NEW_REV "worktree" (the
#                     default) is the working tree as it is.
#   benchmark regex   JMH's: which benchmarks to run (default: all of them, for hours); only those
#                     both jars hold are compared.
#
# Environment:
#   COMPARE_FORKS     forks of each benchmark on each side (default 5, at least 5)
#   COMPARE_JMH_ARGS  JMH's arguments for each fork, without -f (default -wi 3 -w 1s -i 5 -r 1s);
#                     e.g. add -p procs=1 to compare at one processor only
#   COMPARE_DIR       where compare.md and the runs go (default scheduler-bench/target/compare;
#                     the runs, one JMH JSON result per fork and side, in its runs/ folder)
#   JMH_LOCK_WAIT_S   how long a JMH run waits for another one on the machine to end (default 1800)
#
# A revision is built from `git archive` of it in scheduler-bench/target/compare/build/<commit>/
# with its own ./mvnw (-pl scheduler-bench -am package -DskipTests; never install), and its jar
# kept there for the next comparison against the same commit. Needs a JDK 25+ (see bench-lib.sh).
# Exits non-zero if a build or a JMH run fails.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
BENCH_SCRIPT=compare-jars
# shellcheck source=bench-lib.sh
source "$here/bench-lib.sh"

(( $# >= 1 && $# <= 3 )) || fail "usage: compare-jars.sh OLD_REV [NEW_REV|worktree] [benchmark regex]"
old_rev="$1"
new_rev="${2:-worktree}"
regex="${3:-.}"
forks="${COMPARE_FORKS:-5}"
positive COMPARE_FORKS "$forks"
(( forks >= 5 )) || fail "COMPARE_FORKS must be at least 5 (the interval of 5 paired ratios covers 93.75 %), got $forks"
read -r -a jmh_args <<< "${COMPARE_JMH_ARGS:--wi 3 -w 1s -i 5 -r 1s}"
for a in "${jmh_args[@]}"; do
    [[ "$a" != -f && "$a" != -f[0-9]* ]] || fail "COMPARE_JMH_ARGS holds '$a': forks come from COMPARE_FORKS"
done
out="${COMPARE_DIR:-$here/target/compare}"
runs="$out/runs"
builds="$here/target/compare/build"
java="$(find_java)"

# commit_of <rev>: the full commit id, or a failure naming the revision.
commit_of() {
    git -C "$root" rev-parse --verify --quiet "$1^{commit}" || fail "'$1' is not a revision of $root"
}

# build_commit <commit>: prints the path of benchmarks.jar built from that commit's tree.
build_commit() {
    local commit="$1" dir="$builds/$1"
    if [[ ! -f "$dir/scheduler-bench/target/benchmarks.jar" ]]; then
        rm -rf "$dir"
        mkdir -p "$dir"
        git -C "$root" archive --format=tar "$commit" | tar -x -C "$dir" || fail "git archive of $commit failed"
        [[ -x "$dir/mvnw" && -d "$dir/scheduler-bench" ]] || fail "$commit has no ./mvnw or no scheduler-bench module"
        echo "compare-jars: building $commit in $dir" >&2
        (cd "$dir" && ./mvnw -q -B -pl scheduler-bench -am package -DskipTests) >&2 || fail "the build of $commit failed"
    fi
    echo "$dir/scheduler-bench/target/benchmarks.jar"
}

# The working tree's jar: the new side by default, and the report's code in any case.
echo "compare-jars: building the working tree" >&2
(cd "$root" && ./mvnw -q -B -pl scheduler-bench -am package -DskipTests) || fail "the build of the working tree failed"
mkdir -p "$builds"
tree_jar="$builds/worktree-benchmarks.jar"
cp "$root/scheduler-bench/target/benchmarks.jar" "$tree_jar" # a later build cannot change it mid-run

old_commit="$(commit_of "$old_rev")"
old_jar="$(build_commit "$old_commit")"
if [[ "$new_rev" == worktree ]]; then
    new_jar="$tree_jar"
    dirty="$(git -C "$root" status --porcelain --untracked-files=no | wc -l)"
    new_text="the working tree (on $(git -C "$root" rev-parse --short HEAD), $dirty changed tracked files)"
else
    new_commit="$(commit_of "$new_rev")"
    new_jar="$(build_commit "$new_commit")"
    new_text="$new_rev ($new_commit)"
fi

# names <jar>: the benchmarks of <jar> that the regex selects, sorted.
names() {
    "$java" "${host_flags[@]}" -jar "$1" "$regex" -l 2>&1 | grep '^gmpj\.bench\.' | sort -u || true
}
old_names="$(names "$old_jar")"
new_names="$(names "$new_jar")"
benchmarks="$(comm -12 <(echo "$old_names") <(echo "$new_names") | grep . || true)"
[[ -n "$benchmarks" ]] || fail "no benchmark matching '$regex' is in both jars"
only="$(comm -3 <(echo "$old_names") <(echo "$new_names") | tr -d '\t' | grep . | xargs || true)"
[[ -z "$only" ]] || echo "compare-jars: in one jar only, not compared: $only" >&2

rm -rf "$runs"
mkdir -p "$runs"
log="$runs/compare-console.log"
props="$runs/compare.properties"
write_machine "$props"
{
    echo "old=$old_rev ($old_commit)"
    echo "new=$new_text"
    echo "jmh.args=${jmh_args[*]}, $forks forks of each side"
} >> "$props"
n=$(wc -l <<< "$benchmarks")
echo "compare-jars: $n benchmarks × $forks forks × 2 jars; jmh ${jmh_args[*]}; java $java" | tee "$log"
start=$(date +%s)
i=0
while read -r bench; do
    i=$((i + 1))
    for fork in $(seq 1 "$forks"); do
        for side in old new; do
            if [[ "$side" == old ]]; then jar="$old_jar"; else jar="$new_jar"; fi
            jmh "$runs/$side-f$fork-$i.json" -f 1 "${jmh_args[@]}" "^${bench//./\\.}\$"
        done
    done
done <<< "$benchmarks"
finish_machine "$props"
echo "compare-jars: the runs took $(( $(date +%s) - start )) s" | tee -a "$log"

"$java" -cp "$tree_jar" gmpj.bench.CompareReport "$runs" "$out/compare.md" \
    || fail "CompareReport could not turn $runs into a report"
echo "compare-jars: report in $out/compare.md"
