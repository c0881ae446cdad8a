#!/usr/bin/env bash
# The measurements of docs/scale-out.md: speed-up of a sweep and of data-parallel
# training at 1 and 2 ranks, and the per-shard compute and Allreduce times behind the
# projection to N ranks.  Every timing is repeated (REPEATS, default 3) with the load
# average printed before it, because the machine may be shared; the programs print CPU
# time beside wall time (the CPU time is what a step takes on a core of its own).
#
#   examples/mpi/measure.sh BUILD_DIR [MNIST_DIR] > scale-out.log 2>&1
set -euo pipefail
build=${1:?usage: measure.sh BUILD_DIR [MNIST_DIR]}
mnist=${2:-data/mnist}
repeats=${REPEATS:-3}
mpi=${MPIRUN:-mpirun --oversubscribe}
out=$(mktemp -d)
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
sweep=$build/examples/mpi/ccrnn-sweep
train=$build/examples/mpi/ccrnn-dp-train
bench=$build/examples/mpi/ccrnn-dp-bench

load() { printf 'load average: %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"; }
timed() { # label, command...: wall seconds of the command
    local label=$1; shift
    load
    local t0 t1
    t0=$(date +%s.%N)
    "$@" > "$out/last.log" 2>&1 || { tail -n 20 "$out/last.log"; exit 1; }
    t1=$(date +%s.%N)
    awk -v l="$label" -v a="$t0" -v b="$t1" 'BEGIN { printf "%-44s %8.2f s wall\n", l, b - a }'
    grep -h '^ccrnn-sweep:' "$out/last.log" || true
}

echo "== machine: $(nproc) cores; $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2)"
echo "== sweep: line-draw, 2 seeds x (cRNN, ccRNN), 5 epochs"
ld="--seeds 2 --model both --epochs 5 --test-size 2000"
for r in $(seq "$repeats"); do
    timed "round $r: 1 rank " $mpi -np 1 "$sweep" line-draw $ld --out "$out/sweep-1"
    timed "round $r: 2 ranks" $mpi -np 2 "$sweep" line-draw $ld --out "$out/sweep-2"
done

echo "== data-parallel: line-draw ccRNN (paper size), 3 epochs of 16 steps"
for r in $(seq "$repeats"); do
    for n in 1 2; do
        load
        $mpi -np $n "$train" --task line-draw --epochs 3 --out "$out/dp-ld-$n" |
            sed -n "s/^epoch/round $r, $n rank(s): epoch/p"
    done
done

if [ -e "$mnist/train-images-idx3-ubyte" ] || [ -e "$mnist/train-images-idx3-ubyte.gz" ]; then
    echo "== data-parallel: seqMNIST class ccRNN, H 256 (cerebellum 512), 1 epoch of 20 steps"
    for r in $(seq "$repeats"); do
        for n in 1 2; do
            load
            $mpi -np $n "$train" --task seqmnist-class --data "$mnist" --hidden 256 \
                --epochs 1 --train 1000 --valid 500 --test 500 --out "$out/dp-sq-$n" |
                sed -n "s/^epoch/round $r, $n rank(s): epoch/p"
        done
    done
fi

echo "== compute per shard (1 process) and the Allreduce (2 processes)"
for model in "--shape line-draw" "--shape seqmnist" "--shape seqmnist --hidden 256" \
             "--shape seqmnist --hidden 512"; do
    echo "-- $model"
    load
    "$bench" $model --steps 3
    for r in $(seq "$repeats"); do
        load
        $mpi -np 2 "$bench" $model --reps 50
    done
done
rm -rf "$out"
