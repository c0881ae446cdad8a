#!/usr/bin/python3
"""The simple line-drawing task (docs/model.md §line drawing), cRNN against ccRNN, through
the Python
binding.  A port of examples/line-draw (the C program and examples/common/driver.c):
the same data streams, seeds, call sequence and arithmetic order, so the same seed
gives the same numbers (tests/ffi/test_line_draw_match.py checks it).

    CCRNN_LIBRARY=build/lib/libccrnn.so.1 PYTHONPATH=bindings/python \\
        /usr/bin/python3 examples/ffi/python/line_draw.py --seeds 1 --epochs 2

Writes curves.csv, runs.csv and trajectories.csv into --out, in the C program's
formats, and prints one line per run.
"""
import argparse
import csv
import ctypes
import math
import os
import sys
import time

import numpy as np

import ccrnn

PAPER_SEEDS = [1, 2, 1243, 34521, 135235, 236236, 7, 12, 1115, 987]
STEPS, MIN_CUE, MAX_CUE, CUES = 10, -3, 3, 7
ANGLES = {-3: 300.0, -2: 240.0, -1: 180.0, 0: 0.0, 1: 120.0, 2: 60.0, 3: 0.0}
TRAIN, VALID, TEST = 0, 1, 2
M64 = (1 << 64) - 1
_libm = ctypes.CDLL("libm.so.6")
_libm.hypot.restype = ctypes.c_double
_libm.hypot.argtypes = [ctypes.c_double, ctypes.c_double]
hypot = _libm.hypot  # C's hypot: Python's math.hypot may differ in the last bit


# ---- examples/common/rng.c: splitmix64-seeded xoshiro256** -----------------------------
def splitmix64(x):
    x = (x + 0x9E3779B97F4A7C15) & M64
    z = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
    return x, z ^ (z >> 31)


def ex_hash(a, b):
    _, h = splitmix64(a & M64)
    _, h = splitmix64((h ^ b) & M64)
    return h


def rotl(x, k):
    return ((x << k) | (x >> (64 - k))) & M64


class Rng:
    def __init__(self, seed):
        x, self.s = seed & M64, []
        for _ in range(4):
            x, z = splitmix64(x)
            self.s.append(z)

    def next(self):
        s = self.s
        result = (rotl((s[1] * 5) & M64, 7) * 9) & M64
        t = (s[1] << 17) & M64
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = rotl(s[3], 45)
        return result

    def uniform(self):
        return (self.next() >> 11) * (2.0 ** -53)

    def integer(self, lo, hi):
        span = hi - lo + 1
        limit = M64 - M64 % span
        v = self.next()
        while v >= limit:
            v = self.next()
        return lo + v % span

    def normal(self):
        u1, u2 = self.uniform(), self.uniform()
        u1 = max(u1, 1e-300)
        return math.sqrt(-2.0 * math.log(u1)) * math.cos(6.283185307179586 * u2)


# ---- the task (examples/line-draw/linedraw.c) --------------------------------------------
def endpoint(cue):
    if cue == 0:
        return 0.0, 0.0
    th = ANGLES[cue] * 3.14159265358979323846 / 180.0
    return 10.0 * math.sin(th), 10.0 * math.cos(th)


def target_path(cue):
    ex, ey = endpoint(cue)
    f = np.array([t / (STEPS - 1) for t in range(STEPS)])
    return np.stack([f * ex, f * ey], axis=1).astype(np.float32)  # (L, 2)


def sample_rng(seed, split, epoch, index):
    stream = ex_hash(seed, split * 0x100000000 + epoch)
    return Rng(ex_hash(stream, index))


def fill(seed, noise, split, epoch, first, count):
    """x (count, L, 1), y (count, L, 2) and the cues of samples first..first+count-1."""
    x = np.zeros((count, STEPS, 1), np.float32)
    y = np.empty((count, STEPS, 2), np.float32)
    cues = []
    for j in range(count):
        r = sample_rng(seed, split, epoch, first + j)
        cue = r.integer(MIN_CUE, MAX_CUE)
        x[j, 0, 0] = 0.1 * cue
        for t in range(1, STEPS):
            x[j, t, 0] = noise * r.normal() if noise > 0 else 0.0
        y[j] = target_path(cue)
        cues.append(cue)
    return x, y, cues


# ---- the model and the training loop (examples/common/driver.c, docs/model.md §learning
# procedure) ---------------------------------------------------------------------------------
class Model:
    def __init__(self, args, cerebellum, seed):
        self.args, self.B, self.L, self.tau = args, 50, STEPS, args.bptt
        self.cx = ccrnn.Cortex("lstm", 1, args.hidden, 2, max_batch=self.B,
                               max_window=min(args.bptt, STEPS), seed=seed)
        self.cx.threads = args.threads
        self.opt = ccrnn.Optimizer("adam", lr=1e-3, beta1=0.9, beta2=0.98, eps=1e-9,
                                   clip_norm=1.0)
        self.opt.add_cortex(self.cx)
        self.cb = None
        if cerebellum:  # 2H -> 400 -> 400 -> 2H, its seed derived from the run's seed
            z = self.cx.state_size
            self.cb = ccrnn.Cerebellum(z, n_hidden_layers=2, width=400, max_batch=self.B,
                                       seed=ex_hash(seed, 0xCEBE11))
            self.cb.threads = args.threads
            self.cb.loss_mean = False
            self.opt.add_cerebellum(self.cb)

    def close(self):
        self.opt.close()  # before the objects it updates
        for h in (self.cb, self.cx):
            if h is not None:
                h.close()

    def supervised(self, t):
        return t % self.args.sparse == 0

    def train_batch(self, x, y):
        """One batch: windows of tau steps, synthetic gradient at each window end."""
        B, L, tau, cx, cb = x.shape[0], self.L, self.tau, self.cx, self.cb
        reported = 0.0
        cx.reset(B)  # z = 0 for every batch
        for k in range((L - 1) // tau + 1):
            start, end = k * tau, min((k + 1) * tau, L)
            n_sup = sum(self.supervised(t) for t in range(start, end))
            cx.begin_window()  # z_k is detached
            for t in range(start, end):
                yt = cx.forward(np.ascontiguousarray(x[:, t, :]))
                if not self.supervised(t):
                    continue
                loss, dy = ccrnn.mse(yt, np.ascontiguousarray(y[:, t, :]),
                                     denom=float(B * n_sup * 2))
                reported += loss * float(n_sup * 2)
                cx.output_grad(t - start, dy)
            if cb is not None:
                dz_end = cb.synthetic_gradient(cx, self.args.sg_scale)
                dz_start = cx.backward(dz_end)
                cb.synthetic_gradient_learn(cx, dz_start)
            elif n_sup > 0:
                cx.backward(start_grad=False)
        self.opt.step()  # one clip over cortex + cerebellum, then Adam
        return reported / float(L)

    def predict(self, x):
        """Inference from the zero state over whole sequences: (count, L, 2)."""
        cx, out = self.cx, np.empty((x.shape[0], self.L, 2), np.float32)
        cx.training = False
        for first in range(0, x.shape[0], self.B):
            chunk = x[first:first + self.B]
            cx.reset(chunk.shape[0])
            for t in range(self.L):
                out[first:first + chunk.shape[0], t, :] = cx.forward(
                    np.ascontiguousarray(chunk[:, t, :]))
        cx.training = True
        return out

    def evaluate(self, seed, split, n):
        total = 0.0
        for first in range(0, n, self.B):
            count = min(self.B, n - first)
            x, y, _ = fill(seed, self.args.noise, split, 0, first, count)
            d = self.predict(x).astype(np.float64) - y.astype(np.float64)
            total += float(np.cumsum((d * d).ravel())[-1])  # sequential, as the C loop
        return total / float(n * self.L)


def measure(y, cues):
    """Endpoint error, jerk and deviation of drawn paths y (n, L, 2), as ld_measure."""
    end = jerk = dev = 0.0
    for p, cue in zip(y.astype(np.float64), cues):
        ex, ey = endpoint(cue)
        end += hypot(p[-1, 0] - ex, p[-1, 1] - ey)
        for t in range(STEPS - 3):
            for c in range(2):
                j = p[t + 3, c] - 3.0 * p[t + 2, c] + 3.0 * p[t + 1, c] - p[t, c]
                jerk += j * j
        for t in range(STEPS):
            dev += segment_distance(p[t, 0], p[t, 1], ex, ey)
    n = len(cues)
    return end / n, jerk / (n * (STEPS - 3)), dev / (n * STEPS)


def segment_distance(px, py, ex, ey):
    len2 = ex * ex + ey * ey
    s = (px * ex + py * ey) / len2 if len2 > 0 else 0.0
    s = min(max(s, 0.0), 1.0)
    return hypot(px - s * ex, py - s * ey)


def run(args, name, seed):
    t0 = time.monotonic()
    model = Model(args, name == "ccrnn", seed)
    train, valid = [], []
    try:
        for epoch in range(1, args.epochs + 1):
            loss = 0.0
            for first in range(0, args.train_size, 50):
                count = min(50, args.train_size - first)
                x, y, _ = fill(seed, args.noise, TRAIN, epoch, first, count)
                loss += model.train_batch(x, y) * float(count)
            train.append(loss / float(args.train_size))
            valid.append(model.evaluate(seed, VALID, args.valid_size))
        test = model.evaluate(seed, TEST, args.test_size)
        x, _, cues = fill(seed, args.noise, TEST, 0, 0, args.test_size)
        measures = measure(model.predict(x), cues)
        cue_x = np.zeros((CUES, STEPS, 1), np.float32)
        cue_x[:, 0, 0] = np.float32(0.1) * np.arange(MIN_CUE, MAX_CUE + 1, dtype=np.float32)
        paths = model.predict(cue_x)
    finally:
        model.close()
    return dict(train=train, valid=valid, test=test, measures=measures, paths=paths,
                seconds=time.monotonic() - t0)


def write_outputs(out, models, seeds, results):
    os.makedirs(out, exist_ok=True)
    g = "%.9g"
    with open(os.path.join(out, "curves.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["epoch", "model", "seed", "train", "validation"])
        for name in models:
            for seed in seeds:
                r = results[name, seed]
                for e, (tr, va) in enumerate(zip(r["train"], r["valid"])):
                    w.writerow([e + 1, name, seed, g % tr, g % va])
    with open(os.path.join(out, "runs.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["model", "seed", "train", "validation", "test", "endpoint_error", "jerk",
                    "deviation", "seconds"])
        for name in models:
            for seed in seeds:
                r = results[name, seed]
                w.writerow([name, seed, g % r["train"][-1], g % r["valid"][-1], g % r["test"]]
                           + [g % m for m in r["measures"]] + ["%.3f" % r["seconds"]])
    with open(os.path.join(out, "trajectories.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["model", "seed", "cue", "t", "x", "y", "target_x", "target_y"])
        for name in models:
            for seed in seeds:
                for c in range(CUES):
                    y, target = results[name, seed]["paths"][c], target_path(c + MIN_CUE)
                    for t in range(STEPS):
                        w.writerow([name, seed, c + MIN_CUE, t] + ["%.6g" % v for v in
                                   (y[t, 0], y[t, 1], target[t, 0], target[t, 1])])


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", default="both", choices=["crnn", "ccrnn", "both"])
    p.add_argument("--seeds", default="5",
                   help="a count 1..10 (the first N paper seeds) or a list like 1,2,1243")
    p.add_argument("--epochs", type=int, default=20)
    p.add_argument("--bptt", type=int, default=1, help="truncation window length")
    p.add_argument("--sparse", type=int, default=2, help="feedback at t mod S = 0")
    p.add_argument("--sg-scale", type=float, default=0.1)
    p.add_argument("--noise", type=float, default=0.0)
    p.add_argument("--hidden", type=int, default=50)
    p.add_argument("--train-size", type=int, default=800)
    p.add_argument("--valid-size", type=int, default=200)
    p.add_argument("--test-size", type=int, default=10000)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--out", default="results/line-draw-python")
    args = p.parse_args(argv)
    parts = [int(s) for s in args.seeds.split(",") if s]
    if "," not in args.seeds:  # a bare number is a count of paper seeds
        if not 1 <= parts[0] <= 10:
            p.error("--seeds count must be 1..10")
        parts = PAPER_SEEDS[:parts[0]]
    args.seed_list = parts
    return args


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    models = ["crnn", "ccrnn"] if args.model == "both" else [args.model]
    print("line-draw (Python, %s): %d model(s) x %d seed(s) x %d epochs (tau %d, feedback "
          "every %d steps)" % (ccrnn.library_path, len(models), len(args.seed_list),
                               args.epochs, args.bptt, args.sparse))
    results = {}
    for seed in args.seed_list:  # the C program's order: seeds outer, models inner
        for name in models:
            r = results[name, seed] = run(args, name, seed)
            label = "%s seed %d" % ({"crnn": "cRNN", "ccrnn": "ccRNN"}[name], seed)
            print("  %-40s train %.4f  validation %.4f  test %.4f  endpoint error %.3f  "
                  "(%.1f s)" % (label, r["train"][-1], r["valid"][-1], r["test"],
                                r["measures"][0], r["seconds"]), flush=True)
    write_outputs(args.out, models, args.seed_list, results)
    print("files: %s/{curves,runs,trajectories}.csv" % args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
