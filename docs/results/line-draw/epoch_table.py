#!/usr/bin/env python3
"""Per-epoch view of a line-draw results folder (used for docs/results/line-draw.md).

Usage: epoch_table.py RESULTS_DIR [EPOCH ...]
Prints, for each chosen epoch, the validation MSE of every model (mean +- SEM over
seeds), how many seeds have a lower ccRNN than cRNN validation MSE at that epoch
(the runs are paired: the same seed gives the same initial cortex and the same data),
the mean validation MSE over the two halves of training, and per model the seeds whose
last-epoch validation MSE (and, from runs.csv, test MSE and ataxia measures) is
above the intact ccRNN's.  Standard library only.
"""
import collections
import csv
import math
import os
import sys


def mean_sem(v):
    m = sum(v) / len(v)
    if len(v) < 2:
        return m, float("nan")
    return m, math.sqrt(sum((x - m) ** 2 for x in v) / (len(v) - 1)) / math.sqrt(len(v))


def main():
    folder = sys.argv[1]
    epochs = [int(e) for e in sys.argv[2:]] or [10, 20, 30, 40, 50, 60, 70, 80, 90, 100]
    val = collections.defaultdict(dict)
    models = []
    with open(os.path.join(folder, "curves.csv"), newline="") as f:
        for r in csv.DictReader(f):
            if r["model"] not in models:
                models.append(r["model"])
            val[(r["model"], int(r["epoch"]))][r["seed"]] = float(r["validation"])
    last = max(e for (_, e) in val)
    epochs = [e for e in epochs if e <= last]
    print("| epoch | " + " | ".join(models) + " | seeds with ccRNN < cRNN |")
    print("|---" * (len(models) + 2) + "|")
    for e in epochs:
        cells = ["%.2f ± %.2f" % mean_sem(list(val[(m, e)].values())) for m in models]
        wins = ""
        if "crnn" in models and "ccrnn" in models:
            c, cc = val[("crnn", e)], val[("ccrnn", e)]
            wins = "%d / %d" % (sum(cc[s] < c[s] for s in c), len(c))
        print("| %d | %s | %s |" % (e, " | ".join(cells), wins))
    half = last // 2
    print()
    print("| model | validation MSE, mean of epochs 1-%d | mean of epochs %d-%d |" % (half, half + 1, last))
    print("|---|---|---|")
    for m in models:
        seeds = val[(m, 1)].keys()
        a = [sum(val[(m, e)][s] for e in range(1, half + 1)) / half for s in seeds]
        b = [sum(val[(m, e)][s] for e in range(half + 1, last + 1)) / (last - half) for s in seeds]
        print("| %s | %.2f ± %.2f | %.2f ± %.2f |" % ((m,) + mean_sem(a) + mean_sem(b)))
    if "ccrnn" in models:
        print()
        print("| model | seeds whose epoch-%d validation MSE is above the ccRNN's |" % last)
        print("|---|---|")
        cc = val[("ccrnn", last)]
        for m in models:
            if m != "ccrnn":
                v = val[(m, last)]
                print("| %s | %d / %d |" % (m, sum(v[s] > cc[s] for s in cc), len(cc)))

    runs = os.path.join(folder, "runs.csv")
    if "ccrnn" in models and os.path.exists(runs):
        with open(runs, newline="") as f:
            d = {(r["model"], r["seed"]): r for r in csv.DictReader(f)}
        seeds = [s for (m, s) in d if m == "ccrnn"]
        keys = ["test", "endpoint_error", "jerk", "deviation"]
        print()
        print("| model | seeds above the ccRNN's: " + " | ".join(keys) + " |")
        print("|---" * (len(keys) + 1) + "|")
        for m in models:
            if m != "ccrnn":
                cells = ["%d / %d" % (sum(float(d[(m, s)][k]) > float(d[("ccrnn", s)][k])
                                          for s in seeds), len(seeds)) for k in keys]
                print("| %s | %s |" % (m, " | ".join(cells)))


if __name__ == "__main__":
    main()
