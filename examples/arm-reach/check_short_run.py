#!/usr/bin/python3
"""A short arm-reach run completes, writes parseable outputs and reports latency.

Usage: check_short_run.py ARM_REACH_BINARY WORK_DIR
Trains both models for 200 reaches on one seed, then parses the CSV files and both
SVG figures (as XML), checks the shapes of the tables, that the measured latencies
are positive, that a rerun gives the same errors (determinism), and that bad options
exit with status 2.  It does not judge which model learns better: that needs the
longer runs reported in docs/embedding.md.
"""
import csv
import math
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET


def fail(msg):
    print("FAIL:", msg)
    sys.exit(1)


def rows(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def run(binary, out):
    shutil.rmtree(out, ignore_errors=True)
    cmd = [binary, "--seeds", "1", "--trials", "200", "--block", "50", "--out", out]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=100)
    if done.returncode != 0:
        fail("%s exited %d: %s" % (cmd, done.returncode, done.stderr))
    print(done.stdout)
    return rows(os.path.join(out, "runs.csv"))


def main():
    binary, work = sys.argv[1], sys.argv[2]
    out = os.path.join(work, "arm-reach-short")
    runs = run(binary, out)
    if [r["model"] for r in runs] != ["crnn", "ccrnn"]:
        fail("runs.csv models %s" % [r["model"] for r in runs])
    for r in runs:
        for key in ("final_error_cm", "move_error_cm"):
            if not (math.isfinite(float(r[key])) and float(r[key]) >= 0):
                fail("runs.csv %s = %s" % (key, r[key]))
        for key in ("train_tick_median_us", "train_tick_p99_us", "train_tick_mean_us",
                    "inference_tick_median_us"):
            if not float(r[key]) > 0:
                fail("runs.csv %s = %s" % (key, r[key]))
        if float(r["train_tick_p99_us"]) < float(r["train_tick_median_us"]):
            fail("p99 below the median")
    curves = rows(os.path.join(out, "curves.csv"))
    if len(curves) != 2 * 4:  # 2 models x 200/50 blocks
        fail("curves.csv has %d rows" % len(curves))
    paths = rows(os.path.join(out, "paths.csv"))
    if len(paths) != 2 * 8 * 21:  # models x targets x (ticks + 1)
        fail("paths.csv has %d rows" % len(paths))
    for name in ("learning-curves.svg", "reach-paths.svg"):
        root = ET.parse(os.path.join(out, name)).getroot()
        if not root.tag.endswith("svg") or len(list(root.iter())) < 20:
            fail("%s is not a drawing" % name)
    again = run(binary, out + "-again")
    for a, b in zip(runs, again):
        if (a["final_error_cm"], a["move_error_cm"]) != (b["final_error_cm"], b["move_error_cm"]):
            fail("a rerun gave other errors: %s vs %s" % (a, b))
    for bad in (["--bptt", "0"], ["--delay", "30"], ["--model", "x"]):
        if subprocess.run([binary] + bad, capture_output=True).returncode != 2:
            fail("%s did not exit with 2" % bad)
    shutil.rmtree(out, ignore_errors=True)
    shutil.rmtree(out + "-again", ignore_errors=True)
    print("PASS")


if __name__ == "__main__":
    main()
