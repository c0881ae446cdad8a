#!/usr/bin/python3
"""Side-by-side benchmark: libccrnn (ccrnn-bench) against the project's PyTorch reference
(tests/bench/torch-reference.py) on identical configurations, in one run, as ratios.

For each thread count and configuration it runs ccrnn-bench (which measures the BLIS
sgemm ceiling in the same process) and then torch-reference.py with the same sizes,
repetitions, --threads and --clock, interleaved so both see the same load.  Every size
is passed to both programs from the table below (ccrnn-bench --size), so the two sides
cannot drift apart.  With --repeat N everything runs N times and the medians are
compared (the "range" column shows the per-repeat speed-ups).  The standard run then
runs the memory report (ccrnn-bench --memory, a fresh process) and the steady-state
allocation test, and prints one table with each issue target marked met / missed.

--scaling runs the grid H x B instead (H in 50 128 256 512 1024, B in 1 8 64; I 28,
O 2, S = 8H, L 1, seq 28, T 7: the paper's shape with the cerebellum eight times the
cortex, as paper's S = 400 for H = 50) and prints, per thread count, the time per batch
on both sides, the ratio, libccrnn's GFLOP/s and its fraction of the ceiling.

Usage: tests/bench/run-bench.py [--build-dir DIR] [--threads 1,2] [--repeat N]
                                [--clock wall|cpu] [--wait-idle S] [--markdown]
                                [--config a,b,...] [--scaling [--scaling-H ..] [--scaling-B ..]]
Environment: CCRNN_BUILD_DIR (default <repo>/build-bench, else <repo>/build).
"""
import argparse
import os
import re
import shlex
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, replace

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
PYTHON = "/usr/bin/python3"  # Debian's python3-torch lives here, not in a pyenv python
TORCH_REF = os.path.join(HERE, "torch-reference.py")


@dataclass(frozen=True)
class Config:
    name: str
    kind: str  # batch, online-learn, online-infer
    B: int
    I: int
    H: int
    O: int
    S: int
    L: int
    seq: int
    T: int
    reps: int    # timed batches, or online steps
    warmup: int  # untimed ones first

    def lib_args(self):
        spec = ",".join(f"{k}={getattr(self, k)}" for k in
                        ("name", "kind", "B", "I", "H", "O", "S", "L", "seq", "T", "reps",
                         "warmup"))
        return ["--size", spec]

    def torch_args(self):
        if self.kind == "batch":
            return ["batch", "--B", str(self.B), "--I", str(self.I), "--H", str(self.H),
                    "--O", str(self.O), "--S", str(self.S), "--L", str(self.L),
                    "--seq", str(self.seq), "--T", str(self.T), "--batches", str(self.reps),
                    "--warmup", str(self.warmup)]
        return ["online", "--learn", "1" if self.kind == "online-learn" else "0",
                "--I", str(self.I), "--H", str(self.H), "--O", str(self.O), "--S", str(self.S),
                "--L", str(self.L), "--steps", str(self.reps), "--warmup", str(self.warmup)]

    def online(self):
        return self.kind != "batch"


# The standard configurations (the first five are issue 5's, the same sizes and
# repetitions as ccrnn-bench's built-in ones; h1024 is issue 17's).
PAPER = Config("paper", "batch", 50, 28, 50, 2, 400, 1, 28, 7, 30, 3)
CONFIGS = [
    PAPER,
    replace(PAPER, name="paper-crnn", S=0),
    Config("large", "batch", 64, 128, 512, 16, 1024, 1, 64, 16, 5, 1),
    Config("h1024", "batch", 64, 128, 1024, 16, 2048, 1, 64, 16, 5, 1),
    Config("online-learn", "online-learn", 1, 28, 50, 2, 400, 1, 2000, 1, 2000, 100),
    Config("online-infer", "online-infer", 1, 28, 50, 2, 400, 1, 2000, 1, 2000, 100),
]

SCALING_H = (50, 128, 256, 512, 1024)
SCALING_B = (1, 8, 64)


def scaling_config(H, B):
    """A grid point: the paper's shape (I 28, O 2, L 1, seq 28, T 7) with S = 8H.  The
    repetitions aim at ~1.5 s of timed batches per side (estimated from FLOPs at
    40 GFLOP/s plus ~12 passes over the parameters at 6 GB/s), 3 to 20 batches."""
    c = Config(f"H{H}-B{B}", "batch", B, 28, H, 2, 8 * H, 1, 28, 7, 0, 1)
    params = 4 * H * (c.I + H + 1) + c.O * (H + 1) + 2 * (2 * H * c.S) + c.S + 2 * H
    est = batch_flops(c) / 40e9 + params * 4 * 12 / 6e9
    return replace(c, reps=max(3, min(20, int(1.5 / est))), warmup=1 if est > 0.1 else 2)


def batch_flops(c):
    """FLOPs of one batch as tests/bench/bench-model.c counts them (for the repetition
    estimate only; the tables use the count ccrnn-bench reports)."""
    K = (c.seq + c.T - 1) // c.T
    fwd = 2 * c.B * (c.I + c.H) * 4 * c.H + 2 * c.B * c.H * c.O
    bwd = 2 * c.B * (c.I + c.H) * 4 * c.H + 2 * c.B * 4 * c.H * c.H + 4 * c.B * c.O * c.H
    d = [2 * c.H] + [c.S] * c.L + [2 * c.H]
    mn = [sum(d[l] * d[l + 1] for l in range(first, c.L + 1)) for first in (0, 1)]
    cb_f = 2 * c.B * mn[0] if c.S else 0
    cb_l = 2 * c.B * (mn[0] + mn[1]) if c.S else 0
    return c.seq * (fwd + bwd) + (K + 1) * cb_f + K * cb_l


def find_build_dir(arg):
    cands = [arg, os.environ.get("CCRNN_BUILD_DIR"),
             os.path.join(REPO, "build-bench"), os.path.join(REPO, "build")]
    for d in cands:
        if d and os.path.exists(os.path.join(d, "tests", "bench", "ccrnn-bench")):
            return os.path.abspath(d)
    sys.exit("run-bench: no ccrnn-bench found; build first (meson setup BUILD && ninja -C BUILD)"
             " and pass --build-dir or CCRNN_BUILD_DIR")


def run(cmd, env=None, ok=(0,)):
    """Runs cmd (echoed to stderr, so the exact commands are on record)."""
    print("$ " + shlex.join(cmd), file=sys.stderr, flush=True)
    p = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if p.returncode not in ok:
        sys.stderr.write(p.stdout + p.stderr)
        sys.exit(f"run-bench: command failed ({p.returncode}): {' '.join(cmd)}")
    return p


def cpu_idle(seconds=1.0):
    """Fraction of all CPUs idle over `seconds` (from /proc/stat): other jobs may share
    the machine, so every block records how quiet it was."""
    def snap():
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:]]
        return v[3] + v[4], sum(v)
    i0, t0 = snap()
    time.sleep(seconds)
    i1, t1 = snap()
    return (i1 - i0) / max(1, t1 - t0)


def wait_idle(limit, need=0.9):
    """Waits up to `limit` seconds for the machine to be at least `need` idle."""
    start = time.time()
    idle = cpu_idle()
    while idle < need and time.time() - start < limit:
        idle = cpu_idle(2.0)
    return idle


def kv(line):
    return dict(f.split("=", 1) for f in line.split()[1:] if "=" in f)


def run_libccrnn(bench, threads, cfg, clock):
    """(seconds per unit, FLOPs per unit, fraction of the ceiling, ceiling GFLOP/s, INFO)."""
    out = run([bench, "--threads", str(threads), "--clock", clock] + cfg.lib_args()).stdout
    peak = res = info = None
    for line in out.splitlines():
        if line.startswith("PEAK"):
            peak = float(kv(line)["gflops_best"])
        elif line.startswith("RESULT"):
            d = kv(line)
            if d["config"] == cfg.name:
                res = (float(d["median_s"]), float(d["flops"]), float(d["frac"]))
        elif line.startswith("INFO"):
            info = line
    if res is None or peak is None:
        sys.exit(f"run-bench: unexpected ccrnn-bench output: {out!r}")
    return res + (peak, info)


def run_torch(cfg, threads, clock):
    out = run([PYTHON, TORCH_REF] + cfg.torch_args() +
              ["--threads", str(threads), "--clock", clock]).stdout
    m = re.search(r"torch_ms_per_batch ([0-9.]+)", out)
    if m:
        return float(m.group(1)) * 1e-3
    m = re.search(r"torch_online_us_per_step ([0-9.]+)", out)
    if m:
        return float(m.group(1)) * 1e-6
    sys.exit(f"run-bench: unexpected PyTorch output: {out!r}")


def fmt_time(cfg, s):
    return f"{s * 1e6:.1f} us" if cfg.online() else f"{s * 1e3:.2f} ms"


def verdict(ok):
    return "met" if ok else "MISSED"


def evaluate(name, threads, ratio, frac, lib1, lib2):
    """Target text and verdict for one row: issue 17's targets where it sets one, else
    issue 5's (named)."""
    if threads == 1:
        if name == "paper":
            return ">= 3.5x PyTorch, >= 60% BLIS", verdict(ratio >= 3.5 and frac >= 0.60)
        if name == "paper-crnn":
            return ">= 2.5x PyTorch (issue 5)", verdict(ratio >= 2.5)
        if name in ("large", "h1024"):
            return ">= 1.6x PyTorch, >= 80% BLIS", verdict(ratio >= 1.6 and frac >= 0.80)
        if name == "online-learn":
            return ">= 15x PyTorch (issue 5)", verdict(ratio >= 15.0)
        if name == "online-infer":
            return ">= 8x PyTorch (issue 5)", verdict(ratio >= 8.0)
    if threads == 2 and name in ("large", "h1024") and lib1 and lib2:
        scale = lib1 / lib2
        return (f">= 1.8x 1-thread (is {scale:.2f}x), >= 1.5x PyTorch",
                verdict(scale >= 1.8 and ratio >= 1.5))
    return "-", "-"


def measure(bench, configs, threads, a):
    """Runs every configuration at every thread count, --repeat times, interleaved.
    Returns per (threads, name): lists of libccrnn seconds, PyTorch seconds, fractions;
    the FLOPs per unit; the ceilings per thread count; the INFO line; idle samples."""
    keys = [(t, c.name) for t in threads for c in configs]
    lib, torch, fracs = ({k: [] for k in keys} for _ in range(3))
    peaks = {t: [] for t in threads}
    flops, info, idle = {}, "", []
    for _ in range(a.repeat):
        for t in threads:
            before = wait_idle(a.wait_idle)
            for c in configs:
                sec, fl, frac, peak, info = run_libccrnn(bench, t, c, a.clock)
                peaks[t].append(peak)
                lib[(t, c.name)].append(sec)
                fracs[(t, c.name)].append(frac)
                flops[c.name] = fl
                torch[(t, c.name)].append(run_torch(c, t, a.clock))
            idle.append((before, cpu_idle()))
    return lib, torch, fracs, flops, peaks, info, idle


def print_header(info, peaks, idle, a):
    tv = run([PYTHON, "-c", "import torch; print(torch.__version__)"]).stdout.strip()
    print(f"{info}  torch={tv}  repeat={a.repeat}  clock={a.clock}")
    print("CPU idle before / after each block (1 s samples, all cores): " +
          ", ".join(f"{100 * x:.0f}/{100 * y:.0f}%" for x, y in idle) +
          f"; loadavg now {os.getloadavg()[0]:.2f}")
    for t, p in peaks.items():
        print(f"BLIS sgemm ceiling, {t} thread(s): median {statistics.median(p):.1f} GFLOP/s, "
              f"range {min(p):.1f}-{max(p):.1f} over {len(p)} ccrnn-bench runs")


def ratio_cells(lib_s, torch_s):
    """Median ratio PyTorch / libccrnn (of the medians) and the per-repeat range."""
    ratio = statistics.median(torch_s) / statistics.median(lib_s)
    spread = [tr / lr for tr, lr in zip(torch_s, lib_s)]
    return f"{ratio:.2f}x", f"{min(spread):.2f}-{max(spread):.2f}", ratio


def standard(bench, build, configs, threads, a):
    lib, torch, fracs, flops, peaks, info, idle = measure(bench, configs, threads, a)
    print_header(info, peaks, idle, a)
    med = {k: statistics.median(v) for k, v in lib.items()}
    rows = []
    for t in threads:
        for c in configs:
            k = (t, c.name)
            lt, tt = med[k], statistics.median(torch[k])
            r_txt, spread, ratio = ratio_cells(lib[k], torch[k])
            frac = statistics.median(fracs[k])  # each against its own process's ceiling
            target, ok = evaluate(c.name, t, ratio, frac, med.get((1, c.name)),
                                  med.get((2, c.name)))
            rows.append((c.name, str(t), fmt_time(c, lt), fmt_time(c, tt), r_txt, spread,
                         f"{flops[c.name] / lt * 1e-9:.2f}", f"{100 * frac:.1f}%", target, ok))
    head = ("config", "thr", "libccrnn", "PyTorch", "speed-up", "range", "GFLOP/s", "of BLIS",
            "target", "status")
    print_table(head, rows, a.markdown)
    if a.config is None:  # the full run: memory and allocations as well
        memory(bench)
        allocations(build)


def scaling(bench, threads, a):
    grid = [scaling_config(H, B) for H in a.scaling_H for B in a.scaling_B]
    print("scaling grid: I 28, O 2, S = 8H, L 1, seq 28, T 7; per point: " +
          ", ".join(f"{c.name} S{c.S} x{c.reps}" for c in grid), file=sys.stderr)
    lib, torch, fracs, flops, peaks, info, idle = measure(bench, grid, threads, a)
    print_header(info, peaks, idle, a)
    print("grid: I 28, O 2, S = 8H, L 1, seq 28, T 7 (K = 4 windows); times per training "
          "batch, medians")
    head = ("thr", "H", "B", "S", "batches", "libccrnn", "PyTorch", "speed-up", "range",
            "GFLOP/s", "of BLIS", "PyTorch GFLOP/s")
    for t in threads:
        rows = []
        for c in grid:
            k = (t, c.name)
            lt, tt = statistics.median(lib[k]), statistics.median(torch[k])
            r_txt, spread, _ = ratio_cells(lib[k], torch[k])
            fl = flops[c.name]
            rows.append((str(t), str(c.H), str(c.B), str(c.S), str(c.reps), fmt_time(c, lt),
                         fmt_time(c, tt), r_txt, spread, f"{fl / lt * 1e-9:.2f}",
                         f"{100 * statistics.median(fracs[k]):.1f}%", f"{fl / tt * 1e-9:.2f}"))
        print(f"\n{t} thread(s): BLIS sgemm ceiling median "
              f"{statistics.median(peaks[t]):.1f} GFLOP/s")
        print_table(head, rows, a.markdown)


def print_table(head, rows, markdown):
    if markdown:
        print("| " + " | ".join(head) + " |")
        print("|" + "---|" * len(head))
        for r in rows:
            print("| " + " | ".join(r) + " |")
        return
    w = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(head)]
    print("  ".join(h.ljust(w[i]) for i, h in enumerate(head)))
    for r in rows:
        print("  ".join(x.ljust(w[i]) for i, x in enumerate(r)))


def memory(bench):
    out = run([bench, "--memory"]).stdout
    line = next(l for l in out.splitlines() if l.startswith("MEMORY"))
    d = kv(line)
    ratio = float(d["ratio"])
    print(f"\nmemory (large, 1 thread): peak RSS {d['peak_rss_mib']} MiB vs parameters "
          f"{d['params_mib']} + gradients {d['grads_mib']} + Adam state {d['adam_state_mib']} + "
          f"window tape {d['tape_mib']} = {d['model_mib']} MiB -> {ratio:.2f}x "
          f"(target <= 1.2x: {verdict(ratio <= 1.2)}); VmHWM {d['vm_hwm_mib']} MiB; "
          f"ru_maxrss at start {d['rss_at_start_mib']} MiB (inherited across exec), "
          f"after create {d['rss_after_create_mib']} MiB, benchmark's own data "
          f"{d['host_data_mib']} MiB")


def allocations(build):
    exe = os.path.join(build, "tests", "bench", "test-no-alloc")
    if not os.path.exists(exe):
        print("\nallocations: test-no-alloc not built")
        return
    for t in (1, 2):
        p = run([exe, str(t)], ok=(0, 1))
        print(f"\nallocations, {t} thread(s) (tests/bench/test-no-alloc {t}): "
              f"{verdict(p.returncode == 0)}")
        print("  " + p.stdout.strip().replace("\n", "\n  "))


def int_list(s):
    try:
        v = [int(x) for x in s.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated integers: {s!r}")
    if not v or min(v) < 1:
        raise argparse.ArgumentTypeError(f"expected positive integers: {s!r}")
    return v


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build-dir")
    ap.add_argument("--threads", type=int_list, default=[1, 2])
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--markdown", action="store_true", help="print the tables as Markdown")
    ap.add_argument("--clock", choices=("wall", "cpu"), default="wall",
                    help="cpu: time both sides on the process CPU-time clock (1 thread only; "
                         "for a machine loaded by other jobs)")
    ap.add_argument("--wait-idle", type=float, default=0.0, metavar="SECONDS",
                    help="before each block, wait up to SECONDS for >= 90%% idle CPUs")
    ap.add_argument("--config", help="only these standard configurations (comma-separated: " +
                    " ".join(c.name for c in CONFIGS) + "); skips the memory and "
                    "allocation reports")
    ap.add_argument("--scaling", action="store_true",
                    help="run the H x B scaling grid instead of the standard configurations")
    ap.add_argument("--scaling-H", type=int_list, default=list(SCALING_H),
                    help="the grid's H values (default %(default)s)")
    ap.add_argument("--scaling-B", type=int_list, default=list(SCALING_B),
                    help="the grid's B values (default %(default)s)")
    a = ap.parse_args()
    if a.repeat < 1:
        ap.error("--repeat must be >= 1")
    if a.clock == "cpu" and a.threads != [1]:
        ap.error("--clock cpu sums the CPU time of all threads; use it with --threads 1")
    build = find_build_dir(a.build_dir)
    bench = os.path.join(build, "tests", "bench", "ccrnn-bench")
    if a.scaling:
        scaling(bench, a.threads, a)
        return
    configs = CONFIGS
    if a.config is not None:
        names = a.config.split(",")
        unknown = [n for n in names if n not in {c.name for c in CONFIGS}]
        if unknown:
            ap.error(f"unknown configuration(s): {', '.join(unknown)}")
        configs = [c for c in CONFIGS if c.name in names]
    standard(bench, build, configs, a.threads, a)


if __name__ == "__main__":
    main()
