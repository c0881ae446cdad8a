#!/usr/bin/env bash
# Reproduce docs/results/seqmnist/: the three seqMNIST tasks (class, line, digit) at
# every truncation of the paper, tau = 1, 2, 3, 4, 5, 7, 10 and full BPTT (28), cRNN
# and ccRNN, 5 seeds, the paper's model (--paper: no synthetic gradient at the sequence
# end) with the paper's cerebellum width 300 and the reference figures' feedback
# intervals (line and digit: every 4th step).  Each (task, tau) is one job; the jobs'
# CSVs are merged per task and `seqmnist --report-only` writes the summaries and figures.
#
#   examples/seqmnist/reproduce.sh [--quick] [--jobs N]
#
# Normally run by docs/results/reproduce.sh (see there for the hook convention and the
# environment: BUILD, RESULTS, RUN_JOBS, QUICK).  Also: DATA (IDX folder, default
# data/mnist; get-mnist.sh makes one), EPOCHS ("class line digit" epochs, default
# "10 4 4": the CPU budget of the documented run, see docs/results/seqmnist.md),
# SEEDS (default 5), TASKS (default "class line digit").
# --quick: 2 truncations, 2 seeds, 1 epoch on 100 images; without MNIST files it makes
# a small random IDX set, so the pipeline is checked anywhere (the numbers mean nothing).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
. "$root/examples/common/hook-args.sh" "$@"
build=${BUILD:-$root/build}
results=${RESULTS:-$root/results}
run_jobs=${RUN_JOBS:-$root/docs/results/reproduce.sh}
hook_program seqmnist
data=${DATA:-$root/data/mnist}
case $data in /*) ;; *) data="$root/$data" ;; esac
tasks=${TASKS:-class line digit}
out="$results/seqmnist"
rm -rf "$out"
mkdir -p "$out"

have_data() { ls "$1"/train-images*idx3-ubyte* >/dev/null 2>&1; }
if [ "$quick" = 1 ]; then
    taus="1 28"
    seeds=2
    common=(--paper --cb-width 300 --max-train 100 --max-valid 50 --max-test 50 --draw 2)
    epochs_of() { echo 1; }
    if ! have_data "$data"; then
        data="$out/random-idx"
        python3 - "$data" <<'EOF'
import os, random, struct, sys
d = sys.argv[1]
os.makedirs(d, exist_ok=True)
rng = random.Random(1)
for prefix, n in (("train", 200), ("t10k", 60)):
    with open(os.path.join(d, prefix + "-images-idx3-ubyte"), "wb") as f:
        f.write(struct.pack(">IIII", 0x803, n, 28, 28))
        f.write(bytes(rng.randrange(256) for _ in range(n * 784)))
    with open(os.path.join(d, prefix + "-labels-idx1-ubyte"), "wb") as f:
        f.write(struct.pack(">II", 0x801, n) + bytes(rng.randrange(10) for _ in range(n)))
EOF
        echo "seqmnist: no MNIST files in ${DATA:-data/mnist}; --quick uses random images"
    fi
else
    taus="1 2 3 4 5 7 10 28"
    seeds=${SEEDS:-5}
    common=(--paper --cb-width 300)
    read -r ep_class ep_line ep_digit <<<"${EPOCHS:-10 4 4}"
    epochs_of() { case $1 in class) echo "$ep_class" ;; line) echo "$ep_line" ;; *) echo "$ep_digit" ;; esac; }
    have_data "$data" || "$root/examples/seqmnist/get-mnist.sh" --out "$data"
fi

joblist="$out/jobs.tsv"
: >"$joblist"
for task in $tasks; do
    sparse=()
    [ "$task" = class ] || sparse=(--sparse 4)
    for tau in $taus; do
        printf 'seqmnist %s tau %s\t%q --task %s --data %q --bptt %s --seeds %s --epochs %s %s %s --out %q\n' \
            "$task" "$tau" "$prog" "$task" "$data" "$tau" "$seeds" "$(epochs_of "$task")" \
            "${common[*]}" "${sparse[*]}" "$out/$task/tau-$tau" >>"$joblist"
    done
done
"$run_jobs" --run-jobs "$joblist" --jobs "$jobs"

list=$(echo "$taus" | tr ' ' ',')
for task in $tasks; do
    sparse=()
    [ "$task" = class ] || sparse=(--sparse 4)
    for f in curves.csv runs.csv; do
        # the programs end their CSVs without a newline: awk restores it
        awk 'FNR > 1 || NR == 1' "$out/$task"/tau-*/"$f" >"$out/$task/$f"
    done
    cp "$out/$task"/tau-*/drawings-*.svg "$out/$task/" 2>/dev/null || true
    "$prog" --task "$task" --data "$data" --bptt "$list" --seeds "$seeds" \
        --epochs "$(epochs_of "$task")" "${common[@]}" "${sparse[@]}" --out "$out/$task" \
        --report-only >"$out/$task/report.log"
    echo "seqmnist $task: summary in $out/$task/summary.md"
    if [ "$quick" = 0 ]; then
        docs="$root/docs/results/seqmnist/$task"
        mkdir -p "$docs"
        rm -f "$docs"/*.svg
        cp "$out/$task"/*.svg "$out/$task"/*.csv "$out/$task"/summary.md "$docs/"
        echo "seqmnist $task: copied the figures and tables to $docs"
    fi
done
