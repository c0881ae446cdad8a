#!/usr/bin/env bash
# Reproduce docs/results/caption.md: caption generation on MNIST digit scenes, cRNN
# against ccRNN at tau = 3, 5, 7 and full BPTT, 5 seeds, at the reduced sizes stated
# on that page.  Run from the repository root after building:
#
#   examples/caption/reproduce.sh [--quick] [--jobs N]
#
#   --quick   a smoke run in seconds (synthetic digits, 2 epochs, tiny sizes); writes
#             only into $RESULTS/caption (default results/quick/caption), never docs/
#   --jobs N  train up to N runs at once (the results do not depend on N; default 1)
#
# Environment: BUILD (default build), DATA (MNIST IDX folder, default data/mnist,
# fetched with examples/seqmnist/get-mnist.sh when empty), OUT (default
# docs/results/caption).
set -euo pipefail
build=${BUILD:-build}
data=${DATA:-data/mnist}
out=${OUT:-docs/results/caption}
. "$(dirname "${BASH_SOURCE[0]}")/../common/hook-args.sh" "$@"
hook_program caption
if [ "$quick" = 1 ]; then
    exec "$prog" --synthetic --epochs 2 --seeds 2 --bptt 3,full --embed 16 --hidden 16 \
        --cb-width 32 --batch 50 --train-images 150 --valid-images 30 --test-images 30 \
        --samples 3 --jobs "$jobs" --out "${RESULTS:-results/quick}/caption"
fi
if ! ls "$data"/train-images*idx3-ubyte* >/dev/null 2>&1; then
    "$(dirname "$0")/../seqmnist/get-mnist.sh" --out "$data"
fi
echo "== caption: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
/usr/bin/time -f "caption: %U s user, %S s system, %e s wall" \
    "$prog" --data "$data" --bptt 3,5,7,full --seeds 5 --epochs 15 --embed 64 --hidden 64 \
    --cb-width 256 --batch 100 --train-images 2000 --valid-images 300 --test-images 300 \
    --jobs "$jobs" --out "$out"
# The cerebellum's initialisation: its last layer's weight and bias both zero (the
# other tasks' rule) instead of the weight only (the reference's captioning code).
echo "== caption, --zero-last-layer: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
/usr/bin/time -f "caption --zero-last-layer: %U s user, %S s system, %e s wall" \
    "$prog" --data "$data" --bptt 3 --seeds 5 --epochs 15 --embed 64 --hidden 64 \
    --cb-width 256 --batch 100 --train-images 2000 --valid-images 300 --test-images 300 \
    --zero-last-layer --samples 0 --jobs "$jobs" --out "$out/zero-last-layer"
