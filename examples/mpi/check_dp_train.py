#!/usr/bin/env python3
"""ccrnn-dp-train over 2 ranks follows the 1-rank run of the same seed.

Usage: check_dp_train.py WORK_DIR CCRNN_DP_TRAIN MPIRUN [MPIRUN_ARGS...]

Trains a ccRNN on line drawing for 3 short epochs, once in one process and once over
2 ranks, and compares the training, cerebellar and validation losses of every epoch:
the summed shard gradients equal the whole batch's to float32 rounding, so the curves
agree to a relative 1e-5 (rounding grows a little over the steps).
"""
import csv
import os
import subprocess
import sys


def train(cmd, out):
    p = subprocess.run(cmd + ["--out", out], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True)
    print(p.stdout)
    if p.returncode != 0:
        print("FAIL: %s exited with %d" % (" ".join(cmd), p.returncode))
        sys.exit(1)
    with open(os.path.join(out, "curves.csv"), newline="") as f:
        return list(csv.DictReader(f))


def main():
    work, binary = sys.argv[1], sys.argv[2]
    mpirun = sys.argv[3:]
    args = ["--task", "line-draw", "--model", "ccrnn", "--epochs", "3", "--train", "200",
            "--valid", "50", "--test", "100", "--batch", "20"]
    one = train([binary] + args, os.path.join(work, "dp-1"))
    two = train(mpirun + [binary] + args, os.path.join(work, "dp-2"))
    if len(one) != 3 or len(two) != 3:
        print("FAIL: expected 3 epochs in each curves.csv")
        sys.exit(1)
    worst = 0.0
    for a, b in zip(one, two):
        if (a["ranks"], b["ranks"]) != ("1", "2"):
            print("FAIL: ranks column %s, %s" % (a["ranks"], b["ranks"]))
            sys.exit(1)
        for key in ("train_loss", "cb_loss", "valid_loss"):
            x, y = float(a[key]), float(b[key])
            worst = max(worst, abs(x - y) / max(abs(x), 1e-12))
    print("largest relative difference of the losses, 1 vs 2 ranks: %.3g (tolerance 1e-5)" % worst)
    if worst > 1e-5:
        print("FAIL")
        sys.exit(1)
    print("PASS")


if __name__ == "__main__":
    main()
