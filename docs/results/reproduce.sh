#!/usr/bin/env bash
# Reproduce every figure and table of docs/results/ with one command.
#
#   docs/results/reproduce.sh [--quick] [--jobs N] [--build DIR] [--only NAMES]
#
# Run from anywhere after building (meson setup build && meson compile -C build).  It
# runs, one after the other, every examples/NAME/reproduce.sh that exists (line-draw,
# seqmnist, and those other examples add), each running its independent training runs
# N at a time (--jobs, default: every core), and prints one line per finished run, so
# the progress shows in a log file as well as on a terminal.
#
#   --quick        a few epochs on small data: checks the whole pipeline in well under two
#                  minutes (meson test --suite results runs it); writes only under the
#                  results folder, never into docs/results
#   --jobs N       runs in parallel (default: the number of online cores)
#   --build DIR    the meson build folder (default: build, relative to the repository)
#   --only NAMES   comma-separated example names (e.g. line-draw,seqmnist); default all
#   --results DIR  where runs write (default: results/ in the repository; quick:
#                  results/quick/)
#
# The hook convention (for anyone adding an example): examples/NAME/reproduce.sh is an
# executable script called from the repository root as
#     examples/NAME/reproduce.sh [--quick] --jobs N
# with these environment variables set:
#     BUILD      absolute path of the build folder (programs under $BUILD/examples/...)
#     RESULTS    absolute path of a folder the hook may write into ($RESULTS/NAME/...)
#     RUN_JOBS   this script's path: "$RUN_JOBS" --run-jobs FILE --jobs N runs the jobs of
#                FILE (one per line: a label, a TAB, a shell command run from the
#                repository root) N at a time, printing a line as each one finishes, and
#                fails if any job failed (each job's output is in $RESULTS/logs/)
#     QUICK      1 with --quick, else 0
# In full mode a hook writes the files its docs/results page shows (under
# docs/results/); with --quick it writes nothing outside $RESULTS.  It exits non-zero
# on any failure.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)

# ---- the job runner ----------------------------------------------------------------------

now() { date +%s.%N; }

run_jobs() {
    local file=$1 jobs=$2 logs=${RESULTS:-$root/results}/logs
    local total i=0 running=0 failed=0 reported=0
    mkdir -p "$logs"
    total=$(grep -c $'\t' "$file" || true)
    local status
    status=$(mktemp -d)
    report() { # print the lines of jobs that have finished since the last call
        local f
        for f in "$status"/*.done; do
            [ -e "$f" ] || continue
            reported=$((reported + 1))
            local line
            line=$(cat "$f")
            rm -f "$f"
            case $line in *FAILED*) failed=$((failed + 1)) ;; esac
            printf '[%*d/%d] %s %s\n' "${#total}" "$reported" "$total" "$(date -u +%H:%M:%S)" "$line"
        done
    }
    while IFS=$'\t' read -r label cmd; do
        [ -n "${cmd:-}" ] || continue
        i=$((i + 1))
        local log
        log="$logs/$(printf '%s' "$label" | tr -c 'A-Za-z0-9._=-' '_').log"
        (
            t0=$(now)
            if (cd "$root" && bash -c "$cmd") >"$log" 2>&1 </dev/null; then
                st="done"
            else
                st="FAILED (exit $?, log $log)"
            fi
            secs=$(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.0f", b - a }')
            printf '%s: %s in %s s\n' "$label" "$st" "$secs" >"$status/$i.tmp"
            mv "$status/$i.tmp" "$status/$i.done"
        ) &
        running=$((running + 1))
        if [ "$running" -ge "$jobs" ]; then
            wait -n || true
            running=$((running - 1))
            report
        fi
    done <"$file"
    while [ "$running" -gt 0 ]; do
        wait -n || true
        running=$((running - 1))
        report
    done
    report
    rmdir "$status" 2>/dev/null || true
    if [ "$failed" -gt 0 ]; then
        echo "$failed of $total runs failed" >&2
        return 1
    fi
}

# ---- arguments ---------------------------------------------------------------------------

quick=0
jobs=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1)
build=build
only=""
results=""
job_file=""
while [ $# -gt 0 ]; do
    case $1 in
        --quick) quick=1 ;;
        --jobs) jobs=${2:?--jobs needs a number}; shift ;;
        --build) build=${2:?--build needs a folder}; shift ;;
        --only) only=${2:?--only needs names}; shift ;;
        --results) results=${2:?--results needs a folder}; shift ;;
        --run-jobs) job_file=${2:?--run-jobs needs a file}; shift ;;
        -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "reproduce.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
    esac
    shift
done
case $jobs in '' | *[!0-9]* | 0) echo "reproduce.sh: --jobs must be a positive number" >&2; exit 2 ;; esac

if [ -n "$job_file" ]; then
    run_jobs "$job_file" "$jobs"
    exit
fi

case $build in /*) ;; *) build="$root/$build" ;; esac
[ -d "$build/examples" ] || { echo "reproduce.sh: build first (no $build/examples)" >&2; exit 1; }
if [ -z "$results" ]; then
    results="$root/results"
    [ "$quick" = 1 ] && results="$root/results/quick"
fi
mkdir -p "$results"
results=$(cd "$results" && pwd)

export BUILD="$build" RESULTS="$results" RUN_JOBS="$here/reproduce.sh" QUICK="$quick"
flags=(--jobs "$jobs")
[ "$quick" = 1 ] && flags=(--quick "${flags[@]}")

start=$(now)
n=0
for hook in "$root"/examples/*/reproduce.sh; do
    [ -x "$hook" ] || continue
    name=$(basename "$(dirname "$hook")")
    if [ -n "$only" ] && [[ ",$only," != *",$name,"* ]]; then continue; fi
    n=$((n + 1))
    t0=$(now)
    echo "== $name: examples/$name/reproduce.sh ${flags[*]} ($(date -u '+%Y-%m-%d %H:%M:%S UTC'))"
    (cd "$root" && "$hook" "${flags[@]}")
    echo "== $name finished in $(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.0f", b - a }') s"
done
[ "$n" -gt 0 ] || { echo "reproduce.sh: no examples/*/reproduce.sh matched '$only'" >&2; exit 1; }
echo "== all $n finished in $(awk -v a="$start" -v b="$(now)" 'BEGIN { printf "%.0f", b - a }') s wall, --jobs $jobs$([ "$quick" = 1 ] && echo ', --quick')"
