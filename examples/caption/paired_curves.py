#!/usr/bin/env python3
"""Per-epoch paired differences ccRNN - cRNN of the validation cross-entropy, from the
curves.csv the caption program writes: for each truncation and the chosen epochs, the
mean and SEM over seeds of the per-seed difference and how many seeds favour the
ccRNN.  (The test statistics with p-values are in summary.md.)

Usage: paired_curves.py CURVES_CSV [EPOCH ...]   (default: 1 3 5 10 and the last)
"""
import csv
import math
import sys


def main():
    path = sys.argv[1]
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    val = {(r["tau"], r["model"], r["seed"], int(r["epoch"])): float(r["valid_xent"]) for r in rows}
    last = max(int(r["epoch"]) for r in rows)
    epochs = [int(e) for e in sys.argv[2:]] or sorted({e for e in (1, 3, 5, 10, last) if e <= last})
    taus = list(dict.fromkeys(r["tau"] for r in rows))
    print("| τ | epoch | seeds | ccRNN − cRNN validation CE (mean ± SEM) | ccRNN lower in |")
    print("|---|---|---|---|---|")
    for tau in taus:
        seeds = sorted({k[2] for k in val if k[0] == tau and k[1] == "ccrnn"}, key=int)
        if not seeds:
            continue
        for e in epochs:
            d = [val[(tau, "ccrnn", s, e)] - val[(tau, "crnn", s, e)] for s in seeds]
            n = len(d)
            mean = sum(d) / n
            sem = math.sqrt(sum((x - mean) ** 2 for x in d) / (n - 1) / n) if n > 1 else float("nan")
            wins = sum(x < 0 for x in d)
            print(f"| {tau} | {e} | {n} | {mean:+.4f} ± {sem:.4f} | {wins}/{n} |")


main()
