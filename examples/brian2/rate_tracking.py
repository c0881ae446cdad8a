#!/usr/bin/python3
"""rate_tracking: libccrnn inside a Brian2 simulation, one learning step per clock tick.

A population of N noisy leaky integrate-and-fire neurons (Brian2, numpy code
generation) receives one input current, the drive u.  A ccRNN controller (libccrnn,
through its Python binding) runs in a Brian2 `network_operation` at the simulation's
own clock: every tick it reads the population rate r (each neuron's spike trace,
averaged), learns from the tracking error of its last command, and sets the drive for
the next tick.  The goal is to make r follow a target rate trajectory r*(t).

The learning signal is the host's: the loss (r - r*)^2 / R^2 (R = 50 Hz) after each
tick, and dL/du = 2 (r - r*) / R^2 times an assumed gain of the population (its rate
rises with the drive; the value need not be right, Adam's step does not depend on the
gradient's scale).  With one-tick truncation windows the cortex's own gradient never
crosses a tick; the cerebellum (ccRNN) predicts the gradient of the future error at
each window end.

Phases, all at the simulation clock: `before` (the untrained controller drives the
population, no learning), `train` (online learning), `after` (the trained controller,
no learning).  Prints the tracking error (RMS, Hz) of each phase, the paired
ccRNN - cRNN comparison over seeds, and the cost per tick (CPU time of the thread) of the
libccrnn calls, of the rest of the network_operation, and of Brian2's own step; writes runs.csv, trace.csv and rate-tracking.svg to --out.

    python3 examples/brian2/rate_tracking.py --seeds 3 --out results/brian2
"""
import argparse
import csv
import hashlib
import math
import os
import sys
import time
import warnings

import numpy as np

warnings.filterwarnings("ignore")  # Debian's pythran and Brian2 warn on import
try:
    import brian2 as b2
except ImportError:  # the test suite reports "skipped" (exit 77)
    print("SKIP: Brian2 is not installed (Debian: apt-get install python3-brian)")
    sys.exit(77)

import ccrnn

RATE_SCALE = 50.0  # Hz: inputs and loss are in units of R
TAU_R = 0.020      # s: time constant of the spike traces that give the population rate
COLORS = {"crnn": "#1f77b4", "ccrnn": "#d62728", "target": "#444444"}


def target_rate(t):
    """r*(t) in Hz at time t (s): a slow and a faster oscillation around 20 Hz."""
    return 20.0 + 10.0 * math.sin(2 * math.pi * t / 1.0) + 5.0 * math.sin(2 * math.pi * t / 0.37)


class Controller:
    """A ccRNN (or cRNN) that learns online at batch 1, one window per tick."""

    def __init__(self, cerebellum, seed, hidden=16, cb_width=128, lr=1e-3, gain=1.0,
                 optimizer="adam"):
        self.cx = ccrnn.Cortex("lstm", n_in=2, n_hidden=hidden, n_out=1, max_batch=1,
                               max_window=1, seed=seed)
        self.opt = ccrnn.Optimizer(optimizer, lr=lr, clip_norm=1.0)
        self.opt.add_cortex(self.cx)
        self.cb = None
        z = self.cx.state_size
        if cerebellum:
            self.cb = ccrnn.Cerebellum(z, z, n_hidden_layers=1, width=cb_width, max_batch=1,
                                       seed=seed + 1000)
            self.opt.add_cerebellum(self.cb)
        self.cx.reset(1)
        self.gain = gain
        # every buffer is made once: the tick itself creates no array
        self.x = np.zeros((1, 2), np.float32)
        self.u = np.zeros((1, 1), np.float32)
        self.du = np.zeros((1, 1), np.float32)
        self.dz_end = np.zeros((1, z), np.float32)
        self.dz_start = np.zeros((1, z), np.float32)
        self.pending = False  # a forward awaits its learning step

    def learn(self, rate, target):
        """The learning step for the last command, now that its effect is seen."""
        if not self.pending:
            return
        self.du[0, 0] = 2.0 * (rate - target) / RATE_SCALE ** 2 * self.gain
        self.cx.output_grad(0, self.du)
        if self.cb is None:
            self.cx.backward(None, start_grad=False)
        else:
            self.cb.synthetic_gradient(self.cx, 0.1, out=self.dz_end)
            self.cx.backward(self.dz_end, out=self.dz_start)
            self.cb.synthetic_gradient_learn(self.cx, self.dz_start)
        self.opt.step()
        self.pending = False

    def act(self, rate, next_target, training):
        """The drive for the next tick, from the measured and the wanted rate."""
        self.x[0, 0] = next_target / RATE_SCALE
        self.x[0, 1] = rate / RATE_SCALE
        if training:
            self.cx.begin_window()
        self.cx.forward(self.x, out=self.u)
        self.pending = training
        return float(self.u[0, 0])

    def set_training(self, on):
        self.cx.training = on
        self.pending = False


def build_network(n, seed, dt_ms):
    """The spiking population: noisy LIF neurons, one shared drive, spike traces."""
    b2.prefs.codegen.target = "numpy"
    b2.defaultclock.dt = dt_ms * b2.ms
    b2.seed(seed)
    eqs = """
    dv/dt = (mu + drive - v) / tau + sigma * sqrt(2 / tau) * xi : 1 (unless refractory)
    ds/dt = -s / tau_r : 1
    mu : 1 (constant)
    drive : 1 (shared)
    """
    G = b2.NeuronGroup(n, eqs, threshold="v > 1", reset="v = 0; s += 1",
                       refractory=2 * b2.ms, method="euler",
                       namespace={"tau": 10 * b2.ms, "tau_r": TAU_R * b2.second, "sigma": 0.3})
    rng = np.random.RandomState(seed)
    G.mu = 0.6 + 0.2 * rng.rand(n)  # heterogeneous excitability
    G.v = rng.rand(n)
    return G


def alloc_counter():
    """The test's allocation-counting shim (alloc_count.c), when it is preloaded."""
    path = os.environ.get("RATE_TRACKING_COUNT_ALLOC")
    if not path:
        return None
    import ctypes
    shim = ctypes.CDLL(path)
    shim.alloc_count_get.restype = ctypes.c_ulong
    return shim


def run(model, seed, args):
    """One run of the three phases; returns a dict of results and the trace."""
    G = build_network(args.neurons, seed, args.dt)
    tau_r = TAU_R
    ctl = Controller(model == "ccrnn", seed, hidden=args.hidden, lr=args.lr,
                     optimizer=args.optimizer, gain=args.gain)
    dt = args.dt * 1e-3
    state = {"phase": "before", "lib": 0.0, "op": 0.0, "ticks": 0, "sq": {}, "n": {},
             "trace": []}
    phases = [("before", args.before), ("train", args.train), ("after", args.after)]

    # With the numpy target these are the arrays Brian2 integrates: reading and writing
    # them in place is much cheaper than going through G.s and G.drive every tick.
    traces = G.variables["s"].get_value()
    drive = G.variables["drive"].get_value()
    clock_t = b2.defaultclock.variables["t"].get_value()

    @b2.network_operation(when="start")
    def tick():
        if counter and state["ticks"] == 0:
            counter.alloc_count_set(1)  # from the first tick on (creation allocates)
        t0 = time.thread_time()
        now = float(clock_t[0])
        rate = float(np.mean(traces)) / tau_r  # Hz: the population rate, filtered
        goal = target_rate(now)
        training = state["phase"] == "train"
        l0 = time.thread_time()
        ctl.learn(rate, goal)
        u = ctl.act(rate, target_rate(now + dt), training)
        l1 = time.thread_time()
        drive[0] = u
        ph = state["phase"]
        state["sq"][ph] = state["sq"].get(ph, 0.0) + (rate - goal) ** 2
        state["n"][ph] = state["n"].get(ph, 0) + 1
        if state["ticks"] % args.trace_every == 0:
            state["trace"].append((ph, now, goal, rate, u))
        state["ticks"] += 1
        state["lib"] += l1 - l0
        state["op"] += time.thread_time() - t0

    net = b2.Network(G, tick)
    counter = alloc_counter()
    cpu = 0.0  # CPU time of this thread in net.run: Brian2's step plus the operation
    for phase, seconds in phases:
        state["phase"] = phase
        ctl.set_training(phase == "train")
        c0 = time.thread_time()
        net.run(seconds * b2.second, namespace={})
        cpu += time.thread_time() - c0
    if counter:
        counter.alloc_count_set(0)
        print("allocation events by libccrnn during the %d ticks: %d"
              % (state["ticks"], counter.alloc_count_get()))
    ticks = state["ticks"]
    rms = {ph: math.sqrt(state["sq"][ph] / state["n"][ph]) for ph, _ in phases}
    return {
        "model": model, "seed": seed, "rms": rms, "ticks": ticks,
        "lib_us": 1e6 * state["lib"] / ticks,
        "glue_us": 1e6 * (state["op"] - state["lib"]) / ticks,
        "brian_us": 1e6 * (cpu - state["op"]) / ticks,
        "trace": state["trace"],
    }


# ---- statistics over seeds (numpy only) ------------------------------------------------

def mean_sem(v):
    v = np.asarray(v, float)
    return v.mean(), (v.std(ddof=1) / math.sqrt(len(v)) if len(v) > 1 else float("nan"))


def wilcoxon_exact_p(d):
    """Two-sided exact Wilcoxon signed-rank p-value (zeros dropped, mid-ranks for ties),
    by enumerating the 2^n sign patterns (n <= 16)."""
    d = np.asarray([x for x in d if x != 0], float)
    n = len(d)
    if n == 0:
        return 1.0
    order = np.argsort(np.abs(d), kind="stable")
    ranks = np.empty(n)
    a = np.abs(d)[order]
    i = 0
    while i < n:
        j = i
        while j + 1 < n and a[j + 1] == a[i]:
            j += 1
        ranks[order[i:j + 1]] = (i + j) / 2 + 1
        i = j + 1
    w = ranks[d > 0].sum()
    centre = ranks.sum() / 2
    signs = (np.arange(2 ** n)[:, None] >> np.arange(n)) & 1
    sums = signs @ ranks
    return float(np.mean(np.abs(sums - centre) >= abs(w - centre) - 1e-9))


def paired_line(a, b):
    """ccRNN (a) - cRNN (b) per seed: mean +- SEM, Wilcoxon p, seeds where a is lower."""
    d = np.asarray(a) - np.asarray(b)
    m, e = mean_sem(d)
    return "%+.2f +- %.2f Hz (Wilcoxon p = %.3g; ccRNN lower in %d/%d seeds)" % (
        m, e, wilcoxon_exact_p(d), int(np.sum(d < 0)), len(d))


# ---- outputs -------------------------------------------------------------------------------

def write_csvs(out, results):
    with open(os.path.join(out, "runs.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["model", "seed", "rms_before_hz", "rms_train_hz", "rms_after_hz", "ticks",
                    "lib_us_per_tick", "glue_us_per_tick", "brian2_us_per_tick", "digest"])
        for r in results:
            w.writerow([r["model"], r["seed"], "%.6g" % r["rms"]["before"],
                        "%.6g" % r["rms"]["train"], "%.6g" % r["rms"]["after"], r["ticks"],
                        "%.2f" % r["lib_us"], "%.2f" % r["glue_us"], "%.2f" % r["brian_us"],
                        r["digest"]])
    with open(os.path.join(out, "trace.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["model", "seed", "phase", "t_s", "target_hz", "rate_hz", "drive"])
        for r in results:
            for ph, t, goal, rate, u in r["trace"]:
                w.writerow([r["model"], r["seed"], ph, "%.4f" % t, "%.4f" % goal,
                            "%.4f" % rate, "%.5g" % u])


def plot(path, results, args):
    """Target and population rate over time, before and after learning, first seed."""
    first = results[0]["seed"]
    runs = [r for r in results if r["seed"] == first]
    W, H, left, top, pw, ph = 900, 170 + 190 * len(runs), 70, 50, 360, 150
    parts = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" '
             'font-family="sans-serif"><rect width="100%%" height="100%%" fill="white"/>'
             % (W, H),
             '<text x="%d" y="24" font-size="15">Brian2 population rate (thin) against the '
             'target (dashed), before and after online learning; seed %d</text>'
             % (left, first)]
    ymax = 60.0
    for i, r in enumerate(runs):
        for j, phase in enumerate(("before", "after")):
            rows = [x for x in r["trace"] if x[0] == phase]
            if not rows:
                continue
            x0, y0 = left + j * (pw + 80), top + i * (ph + 40)
            t = np.array([x[1] for x in rows])
            t = t - t[0]
            span = max(t[-1], 1e-9)

            def pts(vals):
                return " ".join("%.1f,%.1f" % (x0 + pw * tt / span,
                                               y0 + ph * (1 - min(max(v, 0), ymax) / ymax))
                                for tt, v in zip(t, vals))
            parts.append('<rect x="%d" y="%d" width="%d" height="%d" fill="none" '
                         'stroke="#888"/>' % (x0, y0, pw, ph))
            parts.append('<text x="%d" y="%d" font-size="12">%s, %s learning: RMS error '
                         '%.1f Hz</text>' % (x0, y0 - 6, r["model"] == "ccrnn" and "ccRNN" or
                                             "cRNN", phase, r["rms"][phase]))
            parts.append('<polyline fill="none" stroke="%s" stroke-width="1.2" stroke-dasharray='
                         '"5,3" points="%s"/>' % (COLORS["target"], pts([x[2] for x in rows])))
            parts.append('<polyline fill="none" stroke="%s" stroke-width="1.2" points="%s"/>'
                         % (COLORS[r["model"]], pts([x[3] for x in rows])))
            for v in (0, 20, 40, 60):
                y = y0 + ph * (1 - v / ymax)
                parts.append('<text x="%d" y="%.1f" font-size="10" text-anchor="end">%d Hz'
                             '</text>' % (x0 - 4, y + 3, v))
            parts.append('<text x="%d" y="%d" font-size="10" text-anchor="end">%.1f s</text>'
                         % (x0 + pw, y0 + ph + 12, span))
    parts.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(parts) + "\n")


def digest(r):
    """A fingerprint of a run's trajectory, for the determinism check."""
    h = hashlib.sha256()
    for row in r["trace"]:
        h.update(repr(row).encode())
    return h.hexdigest()[:16]


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", default="both", choices=("crnn", "ccrnn", "both"))
    p.add_argument("--seeds", default="3", help="a count (seeds 1..N) or a list '4,7'")
    p.add_argument("--neurons", type=int, default=200)
    p.add_argument("--dt", type=float, default=0.5, help="simulation clock (ms)")
    p.add_argument("--before", type=float, default=2.0, help="seconds before learning")
    p.add_argument("--train", type=float, default=20.0, help="seconds of online learning")
    p.add_argument("--after", type=float, default=2.0, help="seconds after learning")
    p.add_argument("--hidden", type=int, default=16, help="LSTM units")
    p.add_argument("--lr", type=float, default=1e-4, help="Adam learning rate")
    p.add_argument("--optimizer", default="adam", choices=("adam", "sgd", "rmsprop"))
    p.add_argument("--gain", type=float, default=1.0,
                   help="the host's assumed d(rate)/d(drive) in units of R")
    p.add_argument("--trace-every", type=int, default=10, help="ticks between trace rows")
    p.add_argument("--short", action="store_true",
                   help="the test suite's setting: 1 seed, 100 neurons, 0.5 + 4 + 0.5 s")
    p.add_argument("--out", default="results/brian2")
    a = p.parse_args(argv)
    if a.short:
        a.seeds, a.neurons, a.before, a.train, a.after = "1", 100, 0.5, 4.0, 0.5
    if "," in a.seeds:
        a.seed_list = [int(s) for s in a.seeds.split(",") if s]
    else:
        a.seed_list = list(range(1, int(a.seeds) + 1))
    return a


def main(argv=None):
    warnings.filterwarnings("ignore")
    b2.prefs.logging.console_log_level = "ERROR"
    args = parse_args(sys.argv[1:] if argv is None else argv)
    models = ["crnn", "ccrnn"] if args.model == "both" else [args.model]
    os.makedirs(args.out, exist_ok=True)
    print("rate_tracking (Brian2 %s, numpy target, libccrnn %s): %d neurons, clock %.2f ms, "
          "%g + %g + %g s per run (before, learning, after)" % (
              b2.__version__, ccrnn.version(), args.neurons, args.dt, args.before,
              args.train, args.after))
    results = []
    for seed in args.seed_list:
        for model in models:
            r = run(model, seed, args)
            r["digest"] = digest(r)
            results.append(r)
            print("  %-5s seed %-3d RMS error before %5.2f Hz, learning %5.2f Hz, after "
                  "%5.2f Hz | per tick: libccrnn %.1f us, Python glue %.1f us, Brian2 %.1f us"
                  " | %s" % (model, seed, r["rms"]["before"], r["rms"]["train"],
                             r["rms"]["after"], r["lib_us"], r["glue_us"], r["brian_us"],
                             r["digest"]))
            sys.stdout.flush()
    print("\nsummary over %d seed(s): RMS tracking error, mean +- SEM" % len(args.seed_list))
    for model in models:
        rs = [r for r in results if r["model"] == model]
        line = ", ".join("%s %.2f +- %.2f Hz" % ((ph,) + mean_sem([r["rms"][ph] for r in rs]))
                         for ph in ("before", "train", "after"))
        cost = "libccrnn %.1f us, glue %.1f us, Brian2 %.1f us per tick" % tuple(
            np.mean([r[k] for r in rs]) for k in ("lib_us", "glue_us", "brian_us"))
        print("  %-5s %s; %s" % (model, line, cost))
    if len(models) == 2 and len(args.seed_list) > 1:
        for ph in ("train", "after"):
            a = [r["rms"][ph] for r in results if r["model"] == "ccrnn"]
            b = [r["rms"][ph] for r in results if r["model"] == "crnn"]
            print("  ccRNN - cRNN, %s: %s" % (ph, paired_line(a, b)))
    write_csvs(args.out, results)
    plot(os.path.join(args.out, "rate-tracking.svg"), results, args)
    print("files: %s/{runs,trace}.csv, rate-tracking.svg" % args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
