#!/usr/bin/env bash
# Reproduce docs/results/seqmnist.md: the three seqMNIST tasks, truncations
# tau = 1, 2, 4, 7 and full BPTT (28), cRNN and ccRNN, 3 seeds, one process at a time.
#
#   examples/seqmnist/reproduce.sh            (from the repository root, after building)
#
# Environment: BUILD (build dir, default build), DATA (IDX folder, default data/mnist;
# fetched with get-mnist.sh if empty), OUT (default results/seqmnist), EPOCHS (default
# 100 for class, 150 for line, 60 for digit: the CPU budget of the documented sweep),
# TASKS ("class line digit"), DOCS (if set: copy summaries, CSVs and figures there).
set -euo pipefail
build=${BUILD:-build}
data=${DATA:-data/mnist}
out=${OUT:-results/seqmnist}
tasks=${TASKS:-class line digit}
prog="$build/examples/seqmnist/seqmnist"
[ -x "$prog" ] || { echo "reproduce.sh: build first ($prog not found)" >&2; exit 1; }
if ! ls "$data"/train-images*idx3-ubyte* >/dev/null 2>&1; then
    "$(dirname "$0")/get-mnist.sh" --out "$data"
fi
for task in $tasks; do
    case $task in
        class) epochs=${EPOCHS:-100} ;;
        line) epochs=${EPOCHS:-150} ;;
        *) epochs=${EPOCHS:-60} ;;
    esac
    echo "== $task: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
    /usr/bin/time -f "$task: %U s user, %S s system, %e s wall" \
        "$prog" --task "$task" --data "$data" --epochs "$epochs" --seeds 3 \
        --bptt 1,2,4,7,28 --out "$out/$task"
    if [ -n "${DOCS:-}" ]; then
        mkdir -p "$DOCS/$task"
        cp "$out/$task"/*.svg "$out/$task"/*.csv "$out/$task"/summary.md "$DOCS/$task/"
    fi
done
