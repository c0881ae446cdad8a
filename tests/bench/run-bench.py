#!/usr/bin/python3
"""Side-by-side benchmark for issue 5: libccrnn (ccrnn-bench) against the PyTorch
references (torch_ccrnn.py, torch_online.py in $CCRNN_SHARED_DIR/bench) on identical
configurations, in one run, as ratios.

For each thread count and configuration it runs ccrnn-bench (which measures the BLIS
sgemm ceiling in the same process) and then torch_ccrnn.py / torch_online.py with the
arguments docs/performance.md lists and the same --threads, interleaved so both see the
same load;
with --repeat N everything runs N times and the medians are compared (the "range"
column shows the per-repeat speed-ups).  It then runs the memory report (ccrnn-bench --memory, a
fresh process) and the steady-state allocation test, and prints one table with each
issue target marked met / missed.

Usage: tests/bench/run-bench.py [--build-dir DIR] [--shared DIR] [--threads 1,2]
                                [--repeat N] [--clock wall|cpu] [--wait-idle S] [--markdown]
Environment: CCRNN_BUILD_DIR (default <repo>/build-bench, else <repo>/build),
             CCRNN_SHARED_DIR (default: a directory `shared` beside the repository).
"""
import argparse
import os
import re
import shlex
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
PYTHON = "/usr/bin/python3"  # Debian's python3-torch lives here, not in a pyenv python

PAPER = ["--B", "50", "--I", "28", "--H", "50", "--O", "2", "--L", "1", "--seq", "28", "--T", "7"]
TORCH = {
    "paper": ("torch_ccrnn.py", PAPER + ["--S", "400"]),
    "paper-crnn": ("torch_ccrnn.py", PAPER + ["--S", "0"]),
    "large": ("torch_ccrnn.py", ["--B", "64", "--I", "128", "--H", "512", "--O", "16",
                                 "--S", "1024", "--seq", "64", "--T", "16", "--batches", "5"]),
    "online-learn": ("torch_online.py", ["--learn", "1"]),
    "online-infer": ("torch_online.py", ["--learn", "0"]),
}
CONFIGS = list(TORCH)


def find_build_dir(arg):
    cands = [arg, os.environ.get("CCRNN_BUILD_DIR"),
             os.path.join(REPO, "build-bench"), os.path.join(REPO, "build")]
    for d in cands:
        if d and os.path.exists(os.path.join(d, "tests", "bench", "ccrnn-bench")):
            return os.path.abspath(d)
    sys.exit("run-bench: no ccrnn-bench found; build first (meson setup BUILD && ninja -C BUILD)"
             " and pass --build-dir or CCRNN_BUILD_DIR")


def find_shared_dir(arg):
    d = arg or os.environ.get("CCRNN_SHARED_DIR") or os.path.join(REPO, "..", "shared")
    d = os.path.abspath(d)
    if not os.path.exists(os.path.join(d, "bench", "torch_ccrnn.py")):
        sys.exit(f"run-bench: {d}/bench/torch_ccrnn.py not found; "
                 "pass --shared or set CCRNN_SHARED_DIR")
    return d


def run(cmd, env=None, ok=(0,)):
    """Runs cmd (echoed to stderr, so the exact commands are on record)."""
    print("$ " + shlex.join(cmd), file=sys.stderr, flush=True)
    p = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if p.returncode not in ok:
        sys.stderr.write(p.stdout + p.stderr)
        sys.exit(f"run-bench: command failed ({p.returncode}): {' '.join(cmd)}")
    return p


def cpu_idle(seconds=1.0):
    """Fraction of all CPUs idle over `seconds` (from /proc/stat): other engineers share
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


def run_libccrnn(bench, threads, config, clock):
    out = run([bench, "--threads", str(threads), "--config", config, "--clock", clock]).stdout
    res, peak = {}, None
    for line in out.splitlines():
        if line.startswith("PEAK"):
            peak = float(kv(line)["gflops_best"])
        elif line.startswith("RESULT"):
            d = kv(line)
            res[d["config"]] = (float(d["median_s"]), float(d["flops"]), float(d["frac"]))
        elif line.startswith("INFO"):
            info = line
    return res, peak, info


# --clock cpu: the reference scripts run unchanged except that time.perf_counter reads
# the process CPU-time clock, like ccrnn-bench --clock cpu.
CPU_SHIM = ("import runpy, sys, time; time.perf_counter = time.process_time; "
            "sys.argv = sys.argv[1:]; runpy.run_path(sys.argv[0], run_name='__main__')")


def run_torch(shared, config, threads, clock):
    script, args = TORCH[config]
    path = os.path.join(shared, "bench", script)
    pre = [PYTHON, path] if clock == "wall" else [PYTHON, "-c", CPU_SHIM, path]
    out = run(pre + args + ["--threads", str(threads)]).stdout
    m = re.search(r"torch_ms_per_batch ([0-9.]+)", out)
    if m:
        return float(m.group(1)) * 1e-3
    m = re.search(r"torch_online_us_per_step ([0-9.]+)", out)
    if m:
        return float(m.group(1)) * 1e-6
    sys.exit(f"run-bench: unexpected PyTorch output: {out!r}")


def fmt_time(config, s):
    return f"{s * 1e6:.1f} us" if config.startswith("online") else f"{s * 1e3:.2f} ms"


def verdict(ok):
    return "met" if ok else "MISSED"


def evaluate(config, threads, ratio, frac, lib1, lib2):
    """Target text and verdict for one row (targets are 1-thread unless stated)."""
    if threads == 1:
        if config in ("paper", "paper-crnn"):
            return ">= 2.5x PyTorch", verdict(ratio >= 2.5)
        if config == "large":
            return "> 1x PyTorch, >= 75% BLIS", verdict(ratio > 1.0 and frac >= 0.75)
        if config == "online-learn":
            return ">= 15x PyTorch", verdict(ratio >= 15.0)
        if config == "online-infer":
            return ">= 8x PyTorch", verdict(ratio >= 8.0)
    if threads == 2 and config == "large" and lib1 and lib2:
        scale = lib1 / lib2
        return f">= 1.6x 1-thread (is {scale:.2f}x)", verdict(scale >= 1.6)
    return "-", "-"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build-dir")
    ap.add_argument("--shared")
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    ap.add_argument("--clock", choices=("wall", "cpu"), default="wall",
                    help="cpu: time both sides on the process CPU-time clock (1 thread only; "
                         "for a machine loaded by other jobs)")
    ap.add_argument("--wait-idle", type=float, default=0.0, metavar="SECONDS",
                    help="before each block, wait up to SECONDS for >= 90%% idle CPUs")
    a = ap.parse_args()
    build = find_build_dir(a.build_dir)
    shared = find_shared_dir(a.shared)
    bench = os.path.join(build, "tests", "bench", "ccrnn-bench")
    threads = [int(t) for t in a.threads.split(",")]
    if a.clock == "cpu" and threads != [1]:
        sys.exit("run-bench: --clock cpu sums the CPU time of all threads; use it with --threads 1")

    lib = {t: {c: [] for c in CONFIGS} for t in threads}
    fracs = {t: {c: [] for c in CONFIGS} for t in threads}
    torch = {t: {c: [] for c in CONFIGS} for t in threads}
    peaks = {t: [] for t in threads}
    flops, info = {}, ""
    idles, after = [], []
    # Interleaved per configuration (libccrnn, then PyTorch, same threads), so both
    # sides of a ratio see the same load on this shared machine.
    for _ in range(a.repeat):
        for t in threads:
            idles.append(wait_idle(a.wait_idle))
            for c in CONFIGS:
                res, peak, info = run_libccrnn(bench, t, c, a.clock)
                peaks[t].append(peak)
                lib[t][c].append(res[c][0])
                fracs[t][c].append(res[c][2])
                flops[c] = res[c][1]
                torch[t][c].append(run_torch(shared, c, t, a.clock))
            after.append(cpu_idle())

    tv = run([PYTHON, "-c", "import torch; print(torch.__version__)"]).stdout.strip()
    print(f"{info}  torch={tv}  repeat={a.repeat}  clock={a.clock}")
    print("CPU idle before / after each block (1 s samples, both cores): " +
          ", ".join(f"{100 * x:.0f}/{100 * y:.0f}%" for x, y in zip(idles, after)) +
          f"; loadavg now {os.getloadavg()[0]:.2f}")
    for t in threads:
        p = peaks[t]
        print(f"BLIS sgemm ceiling, {t} thread(s): median {statistics.median(p):.1f} GFLOP/s, "
              f"range {min(p):.1f}-{max(p):.1f} over {len(p)} ccrnn-bench runs")
    rows = []
    med = {t: {c: statistics.median(lib[t][c]) for c in CONFIGS} for t in threads}
    for t in threads:
        for c in CONFIGS:
            lt, tt = med[t][c], statistics.median(torch[t][c])
            ratio = tt / lt
            gf = flops[c] / lt * 1e-9
            frac = statistics.median(fracs[t][c])  # each against its own process's ceiling
            spread = [tr / lr for tr, lr in zip(torch[t][c], lib[t][c])]
            target, ok = evaluate(c, t, ratio, frac, med.get(1, {}).get(c), med.get(2, {}).get(c))
            rows.append((c, str(t), fmt_time(c, lt), fmt_time(c, tt), f"{ratio:.2f}x",
                         f"{min(spread):.2f}-{max(spread):.2f}", f"{gf:.2f}", f"{100 * frac:.1f}%",
                         target, ok))
    head = ("config", "thr", "libccrnn", "PyTorch", "speed-up", "range", "GFLOP/s", "of BLIS",
            "target", "status")
    print_table(head, rows, a.markdown)
    memory(bench, a.markdown)
    allocations(build)


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


def memory(bench, markdown):
    out = run([bench, "--memory"]).stdout
    line = next(l for l in out.splitlines() if l.startswith("MEMORY"))
    d = kv(line)
    ratio = float(d["ratio"])
    print(f"\nmemory (large, 1 thread): peak RSS {d['peak_rss_mib']} MiB vs parameters "
          f"{d['params_mib']} + gradients {d['grads_mib']} + Adam state {d['adam_state_mib']} + "
          f"window tape {d['tape_mib']} = {d['model_mib']} MiB -> {ratio:.2f}x "
          f"(target <= 1.3x: {verdict(ratio <= 1.3)}); VmHWM {d['vm_hwm_mib']} MiB; "
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


if __name__ == "__main__":
    main()
