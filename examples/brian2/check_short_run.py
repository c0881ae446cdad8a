#!/usr/bin/python3
"""The Brian2 example in its short mode: learning helps, same seed same output, and
libccrnn allocates nothing per tick.

Usage: check_short_run.py WORK_DIR   (env: CCRNN_LIBRARY, PYTHONPATH for ccrnn;
ALLOC_COUNT_SHIM: the alloc_count shared object, preloaded with LD_PRELOAD)
Exit 77 (skipped) with a message when Brian2 is not installed.

1. A short run (1 seed, both models): for each model the RMS tracking error after
   learning is below the one before learning, and its cost figures are positive.
2. Two shorter ccRNN runs with the same seed give identical errors and trajectory
   digests; the second runs with the shim preloaded and counts the allocations made by
   libccrnn (and BLIS) from the first simulated tick to the last: there must be none.
"""
import csv
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def fail(msg):
    print("FAIL:", msg)
    sys.exit(1)


def run(out, extra_env=None, args=("--short",)):
    env = dict(os.environ)
    env.update(extra_env or {})
    cmd = [sys.executable, os.path.join(HERE, "rate_tracking.py"), "--out", out] + list(args)
    done = subprocess.run(cmd, capture_output=True, text=True, env=env)  # meson times it
    if done.returncode == 77:
        print(done.stdout.strip())
        sys.exit(77)
    if done.returncode != 0:
        fail("%s exited %d:\n%s\n%s" % (cmd, done.returncode, done.stdout, done.stderr))
    print(done.stdout)
    with open(os.path.join(out, "runs.csv"), newline="") as f:
        return list(csv.DictReader(f)), done.stdout


def main():
    try:
        import brian2  # noqa: F401
    except ImportError:
        print("SKIP: Brian2 is not installed (Debian: apt-get install python3-brian)")
        sys.exit(77)
    work = sys.argv[1]
    out = os.path.join(work, "brian2-short")
    rows, _ = run(out)
    if [r["model"] for r in rows] != ["crnn", "ccrnn"]:
        fail("runs.csv models %s" % [r["model"] for r in rows])
    for r in rows:
        before, after = float(r["rms_before_hz"]), float(r["rms_after_hz"])
        if not after < before:
            fail("%s: tracking error after learning %.2f Hz is not below %.2f Hz before"
                 % (r["model"], after, before))
        for k in ("lib_us_per_tick", "brian2_us_per_tick"):
            if not float(r[k]) > 0:
                fail("%s %s = %s" % (r["model"], k, r[k]))
    # Two shorter ccRNN runs with the same seed, the second under the counting shim
    # (it only counts; the results must not change): same output, no allocation.
    brief = ("--model", "ccrnn", "--seeds", "1", "--neurons", "100", "--before", "0.2",
             "--train", "0.6", "--after", "0.2")
    once, _ = run(out + "-once", args=brief)
    shim = os.environ.get("ALLOC_COUNT_SHIM")
    env = {"LD_PRELOAD": shim, "RATE_TRACKING_COUNT_ALLOC": shim} if shim else None
    again, text = run(out + "-again", env, brief)
    keys = ("rms_before_hz", "rms_train_hz", "rms_after_hz", "digest")
    if [[r[k] for k in keys] for r in once] != [[r[k] for k in keys] for r in again]:
        fail("the same seed gave another run:\n%s\n%s" % (once, again))
    if shim:
        lines = [l for l in text.splitlines() if l.startswith("allocation events")]
        if not lines:
            fail("the counting run printed no allocation count")
        if lines[0].split()[-1] != "0":
            fail("libccrnn allocated during the simulation: %s" % lines[0])
    else:
        print("ALLOC_COUNT_SHIM not set: allocation check not run")
    for d in (out, out + "-once", out + "-again"):
        shutil.rmtree(d, ignore_errors=True)
    print("PASS")


if __name__ == "__main__":
    main()
