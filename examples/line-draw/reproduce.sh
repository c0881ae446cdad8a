#!/usr/bin/env bash
# Reproduce docs/results/line-draw/: the line-drawing task at the paper's setting
# (10 seeds, no synthetic gradient at the sequence end) for 50 epochs, with the cRNN,
# the ccRNN and three ccRNNs that each change one reference quirk (batch-mean
# cerebellar loss, separate clips, the end injection).  PAPER_SIZE=1: 100 epochs and
# also the ablated and IO-lesioned ccRNNs (about 2.5 times the CPU).
# Each seed is one job; the seeds' CSVs are merged and `line-draw --report-only` writes
# the summary, the paired statistics and the figures.
#
#   examples/line-draw/reproduce.sh [--quick] [--jobs N]
#
# Normally run by docs/results/reproduce.sh (see there for the hook convention and the
# environment: BUILD, RESULTS, RUN_JOBS, QUICK).  --quick: 2 seeds, 3 epochs, small test
# set, results only under $RESULTS/line-draw.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
. "$root/examples/common/hook-args.sh" "$@"
build=${BUILD:-$root/build}
results=${RESULTS:-$root/results}
run_jobs=${RUN_JOBS:-$root/docs/results/reproduce.sh}
hook_program line-draw

out="$results/line-draw"
if [ "$quick" = 1 ]; then
    seeds="1 2"
    opts=(--paper --model all,quirks --ablate-at 2 --io-lesion-at 2 --train-size 200 --valid-size 100 --test-size 200)
    epochs=3
elif [ "${PAPER_SIZE:-0}" = 1 ]; then
    seeds="1 2 1243 34521 135235 236236 7 12 1115 987"
    opts=(--paper --model all,quirks --ablate-at 50 --io-lesion-at 50)
    epochs=100
else
    seeds="1 2 1243 34521 135235 236236 7 12 1115 987"
    opts=(--paper --model both,quirks)
    epochs=50
fi
rm -rf "$out"
mkdir -p "$out"
joblist="$out/jobs.tsv"
: >"$joblist"
for s in $seeds; do
    printf 'line-draw seed %s\t%q %s --seeds %s, --epochs %s --out %q\n' "$s" "$prog" \
        "${opts[*]}" "$s" "$epochs" "$out/seed-$s" >>"$joblist"
done
"$run_jobs" --run-jobs "$joblist" --jobs "$jobs"

for f in curves.csv clip.csv runs.csv trajectories.csv; do
    first=1
    for s in $seeds; do
        if [ $first = 1 ]; then cat "$out/seed-$s/$f"; first=0; else tail -n +2 "$out/seed-$s/$f"; fi
    done >"$out/$f"
done
list=$(echo "$seeds" | tr ' ' ',')
case $list in *,*) ;; *) list="$list," ;; esac
"$prog" "${opts[@]}" --seeds "$list" --epochs "$epochs" --out "$out" --report-only >"$out/report.log"
echo "line-draw: summary in $out/summary.txt"

if [ "$quick" = 0 ]; then
    docs="$root/docs/results/line-draw"
    mkdir -p "$docs"
    cp "$out"/*.svg "$out"/*.csv "$out"/summary.txt "$out"/epochs.md "$docs/"
    echo "line-draw: copied the figures and tables to $docs"
fi
