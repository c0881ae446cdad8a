#!/usr/bin/python3
"""A short mujoco-reach run learns, is deterministic and writes its outputs.

Usage: check_short_run.py MUJOCO_REACH_BINARY WORK_DIR
Trains both models for 2100 reaches on one seed and checks: the endpoint error of the
last block of training reaches is below that of the first (learning happens inside
MuJoCo, for both models); every metric and latency is finite and positive; the CSV
tables have their shapes and both SVG figures parse as XML; two shorter runs (300
reaches) with the same seed give identical results; bad options exit with status 2.  Which model learns better is
not judged here: that needs the runs over seeds reported in docs/embedding.md.
"""
import csv
import math
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

TRIALS, BLOCK, TICKS, TARGETS = 2100, 300, 30, 8
METRICS = ("endpoint_error_cm", "reach_error_cm", "path_deviation_cm", "jerk_rms_m_s3")


def fail(msg):
    print("FAIL:", msg)
    sys.exit(1)


def rows(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def run(binary, out, trials=TRIALS, block=BLOCK):
    shutil.rmtree(out, ignore_errors=True)
    cmd = [binary, "--seeds", "1", "--trials", str(trials), "--block", str(block),
           "--out", out]
    done = subprocess.run(cmd, capture_output=True, text=True)  # meson sets the timeout
    if done.returncode != 0:
        fail("%s exited %d: %s" % (cmd, done.returncode, done.stderr))
    print(done.stdout)
    return rows(os.path.join(out, "runs.csv")), rows(os.path.join(out, "curves.csv"))


def main():
    binary, work = sys.argv[1], sys.argv[2]
    out = os.path.join(work, "mujoco-reach-short")
    runs, curves = run(binary, out)
    if [r["model"] for r in runs] != ["crnn", "ccrnn"]:
        fail("runs.csv models %s" % [r["model"] for r in runs])
    for r in runs:
        for key in METRICS + ("lib_tick_median_us", "mj_step_median_us",
                              "inference_tick_median_us"):
            if not (math.isfinite(float(r[key])) and float(r[key]) > 0):
                fail("runs.csv %s = %s" % (key, r[key]))
    if len(curves) != 2 * TRIALS // BLOCK:
        fail("curves.csv has %d rows" % len(curves))
    for model in ("crnn", "ccrnn"):
        c = [float(r["endpoint_error_cm"]) for r in curves if r["model"] == model]
        print("%s endpoint error per block of %d reaches: %s" % (model, BLOCK, c))
        if not c[-1] < c[0]:
            fail("%s: the endpoint error did not fall with training (%s)" % (model, c))
    paths = rows(os.path.join(out, "paths.csv"))
    if len(paths) != 2 * TARGETS * (TICKS + 1):
        fail("paths.csv has %d rows" % len(paths))
    for name in ("learning-curves.svg", "reach-paths.svg"):
        root = ET.parse(os.path.join(out, name)).getroot()
        if not root.tag.endswith("svg") or len(list(root.iter())) < 20:
            fail("%s is not a drawing" % name)
    # determinism, on two shorter runs (the same code path, a fraction of the time)
    once, once_curves = run(binary, out + "-once", 300, 100)
    again, again_curves = run(binary, out + "-again", 300, 100)
    for a, b in zip(once, again):
        if [a[k] for k in METRICS] != [b[k] for k in METRICS]:
            fail("a rerun gave other results: %s vs %s" % (a, b))
    if once_curves != again_curves:
        fail("a rerun gave other learning curves")
    for bad in (["--bptt", "0"], ["--delay", "28"], ["--model", "x"],
                ["--mjcf", os.path.join(work, "no-such-model.xml")]):
        code = subprocess.run([binary, "--out", out + "-bad"] + bad,
                              capture_output=True).returncode
        if code not in (1, 2) or (code != 2 and "--mjcf" not in bad):
            fail("%s exited %d" % (bad, code))
    for d in (out, out + "-once", out + "-again", out + "-bad"):
        shutil.rmtree(d, ignore_errors=True)
    print("PASS")


if __name__ == "__main__":
    main()
