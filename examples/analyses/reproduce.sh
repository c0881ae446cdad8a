#!/usr/bin/env bash
# Reproduce docs/results/analyses.md: the paper's predictions on line drawing and
# seqMNIST classification (gradient alignment, activity, lesions, mossy fibres, width).
#
#   examples/analyses/reproduce.sh [--quick] [--jobs N]    (from the repository root,
#                                                          after building)
# --quick: 2 seeds and a few epochs of each experiment (about a CPU-minute in all), to
#          check the pipeline, not to reproduce the numbers.
# --jobs N: run N experiments at once (default 1).
# Environment: BUILD (build dir, default build), DATA (MNIST IDX folder, default
# data/mnist; fetched with examples/seqmnist/get-mnist.sh if empty), OUT (default
# results/analyses), DOCS (if set: copy each experiment's summary, CSVs and SVGs to
# $DOCS/<experiment>/).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/../common/hook-args.sh" "$@"
build=${BUILD:-build}
data=${DATA:-data/mnist}
out=${OUT:-results/analyses}
hook_program analyses
if ! ls "$data"/train-images*idx3-ubyte* >/dev/null 2>&1; then
    "$(dirname "$0")/../seqmnist/get-mnist.sh" --out "$data"
fi

if [ $quick = 1 ]; then
    line="--seeds 2 --epochs 10 --test-size 1000"
    ref="--seeds 2 --epochs 10 --at 4 --test-size 1000"
    class="--seeds 2 --epochs 4 --max-train 2000"
    sweep="--seeds 2 --epochs 5 --test-size 1000"
else
    line="--seeds 5 --epochs 100"
    ref="--seeds 3 --epochs 100 --at 40"
    class="--seeds 3 --epochs 40"
    sweep="--seeds 3 --epochs 100"
fi
# name and arguments of each experiment (one figure set each; see analyses.md)
experiments=(
    "study-line|study --task line --lesions ablate,frozen $line"
    "study-line-reference|study --task line --lesions reference $ref"
    "study-class|study --task class --data $data $class"
    "sweep-line|sweep --task line --fibres 2,8,0 --widths 50,100,400 $sweep"
)

run_one() {
    local name=$1 args=$2
    mkdir -p "$out/$name"
    echo "== $name: analyses $args ($(date -u '+%H:%M:%S UTC'))"
    # shellcheck disable=SC2086
    /usr/bin/time -f "$name: %U s user, %S s system, %e s wall" \
        "$prog" $args --out "$out/$name" > "$out/$name/log.txt" 2>&1 \
        || { echo "$name failed: see $out/$name/log.txt" >&2; return 1; }
    tail -n 1 "$out/$name/log.txt"
    if [ -n "${DOCS:-}" ]; then
        mkdir -p "$DOCS/$name"
        cp "$out/$name"/*.svg "$out/$name"/*.csv "$out/$name"/summary.md "$DOCS/$name/"
    fi
}

status=0
for e in "${experiments[@]}"; do
    while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n || status=1; done
    run_one "${e%%|*}" "${e#*|}" &
done
while [ "$(jobs -rp | wc -l)" -gt 0 ]; do wait -n || status=1; done
exit $status
