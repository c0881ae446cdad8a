#!/usr/bin/env python3
"""Extra statistics from an `analyses study` folder, for docs/results/analyses.md.

Usage: summarize.py STUDY_DIR [FIRST_LATE_EPOCH]
Prints, with mean +- SEM over seeds and a paired t-test (numpy only; scipy is not
assumed):
  - the gradient alignment averaged over the late epochs (default: the second half)
    and over the first 10 epochs, per seed and overall;
  - the ccRNN's cortex against the cRNN's at the last recorded epoch, per activity
    measure (paired by seed).
"""
import csv
import math
import sys
from collections import defaultdict

import numpy as np


def t_test_p(d):
    """Two-sided p of the one-sample t-test of mean(d) = 0 (Student's t by series)."""
    d = np.asarray(d, float)
    n = len(d)
    if n < 2 or d.std(ddof=1) == 0:
        return float("nan")
    t = d.mean() / (d.std(ddof=1) / math.sqrt(n))
    df = n - 1
    # regularised incomplete beta via continued fraction (Numerical-Recipes style)
    x = df / (df + t * t)
    a, b = df / 2.0, 0.5

    def betacf(a, b, x):
        qab, qap, qam = a + b, a + 1, a - 1
        c, d_ = 1.0, 1 - qab * x / qap
        d_ = 1 / (d_ if abs(d_) > 1e-300 else 1e-300)
        h = d_
        for m in range(1, 300):
            m2 = 2 * m
            aa = m * (b - m) * x / ((qam + m2) * (a + m2))
            d_ = 1 + aa * d_
            d_ = 1 / (d_ if abs(d_) > 1e-300 else 1e-300)
            c = 1 + aa / c
            h *= d_ * c
            aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
            d_ = 1 + aa * d_
            d_ = 1 / (d_ if abs(d_) > 1e-300 else 1e-300)
            c = 1 + aa / c
            de = d_ * c
            h *= de
            if abs(de - 1) < 1e-12:
                break
        return h

    lbeta = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)
    front = math.exp(lbeta + a * math.log(x) + b * math.log(1 - x))
    ib = front * betacf(a, b, x) / a if x < (a + 1) / (a + b + 2) else \
        1 - front * betacf(b, a, 1 - x) / b
    return ib


def ms(v):
    v = np.asarray(v, float)
    return f"{v.mean():.3f} ± {v.std(ddof=1) / math.sqrt(len(v)):.3f}" if len(v) > 1 else \
        f"{v.mean():.3f}"


def main():
    folder = sys.argv[1]
    rows = list(csv.DictReader(open(f"{folder}/alignment.csv")))
    last = max(int(r["epoch"]) for r in rows)
    first_late = int(sys.argv[2]) if len(sys.argv) > 2 else last // 2 + 1
    cols = [c for c in rows[0] if c not in ("seed", "epoch")]
    per = defaultdict(lambda: defaultdict(list))
    for r in rows:
        e = int(r["epoch"])
        for c in cols:
            v = float(r[c])
            if not math.isfinite(v):
                continue
            if e >= first_late:
                per[("late", c)][r["seed"]].append(v)
            if e <= 10:
                per[("early", c)][r["seed"]].append(v)
    print(f"alignment: mean over epochs 1-10 ('early') and {first_late}-{last} ('late'), "
          "per seed, then mean ± SEM over seeds and t-test p of mean = 0")
    for span in ("early", "late"):
        for c in cols:
            seeds = per[(span, c)]
            means = [np.mean(v) for v in seeds.values()]
            if not means:
                continue
            print(f"  {span:5s} {c:22s} {ms(means)}  (p = {t_test_p(means):.4f}; "
                  f"{sum(m > 0 for m in means)}/{len(means)} seeds > 0)")
    act = list(csv.DictReader(open(f"{folder}/activity.csv")))
    e_last = max(int(r["epoch"]) for r in act)
    print(f"activity at epoch {e_last}: ccRNN cortex − cRNN cortex, paired by seed")
    for m in ("population_correlation", "mean_abs_correlation", "sparsity", "coding_space"):
        cc = {r["seed"]: float(r[m]) for r in act if int(r["epoch"]) == e_last and
              r["model"] == "ccrnn" and r["population"] == "cortex"}
        cr = {r["seed"]: float(r[m]) for r in act if int(r["epoch"]) == e_last and
              r["model"] == "crnn"}
        d = [cc[s] - cr[s] for s in cc]
        print(f"  {m:24s} ccRNN {ms(list(cc.values()))}  cRNN {ms(list(cr.values()))}  "
              f"diff {ms(d)} (t-test p = {t_test_p(d):.4f}; ccRNN lower in "
              f"{sum(x < 0 for x in d)}/{len(d)})")


if __name__ == "__main__":
    main()
