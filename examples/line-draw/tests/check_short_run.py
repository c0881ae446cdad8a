#!/usr/bin/env python3
"""A short run of both models completes and writes parseable outputs.

Usage: check_short_run.py LINE_DRAW_BINARY WORK_DIR
Runs 2 epochs, 1 seed, both models (small validation and test sets to stay fast),
then parses every CSV, the summary and every SVG (as XML), and checks that bad
options exit with status 2.
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


def main():
    binary, work = sys.argv[1], sys.argv[2]
    out = os.path.join(work, "line-draw-short")
    shutil.rmtree(out, ignore_errors=True)
    cmd = [binary, "--epochs", "2", "--seeds", "1", "--test-size", "300", "--out", out]
    run = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    if run.returncode != 0:
        fail(f"{cmd} exited {run.returncode}: {run.stderr}")
    if run.stderr.strip():
        fail(f"stderr not quiet when not a terminal: {run.stderr!r}")
    for name in ["summary.txt", "curves-train.svg", "trajectories.svg"]:
        if os.path.join(out, name) not in run.stdout:
            fail(f"the printed file list lacks {name}")

    curves = rows(os.path.join(out, "curves.csv"))
    if list(curves[0].keys()) != ["epoch", "model", "seed", "train", "validation"]:
        fail(f"curves.csv columns {list(curves[0].keys())}")
    if len(curves) != 2 * 2:  # 2 models x 1 seed x 2 epochs
        fail(f"curves.csv has {len(curves)} rows")
    if {r["model"] for r in curves} != {"crnn", "ccrnn"} or {r["seed"] for r in curves} != {"1"}:
        fail("curves.csv models/seeds")
    for r in curves:
        if not (math.isfinite(float(r["train"])) and float(r["validation"]) > 0):
            fail(f"curves.csv values {r}")
    clips = rows(os.path.join(out, "clip.csv"))
    if len(clips) != len(curves):
        fail(f"clip.csv has {len(clips)} rows")
    for r in clips:
        clip, share = float(r["clip_factor"]), float(r["cortex_share"])
        if not (0 < clip <= 1 and 0 < share <= 1 and float(r["grad_cortex"]) > 0):
            fail(f"clip.csv diagnostics {r}")
        if (r["model"] == "crnn") != (float(r["grad_cb"]) == 0 and share == 1):
            fail(f"clip.csv: only the cRNN has no cerebellar gradient {r}")

    runs = rows(os.path.join(out, "runs.csv"))
    if len(runs) != 2:
        fail("runs.csv rows")
    for r in runs:
        for k in ["train", "validation", "test", "endpoint_error", "jerk", "deviation"]:
            if not math.isfinite(float(r[k])):
                fail(f"runs.csv {k} = {r[k]}")

    summary = rows(os.path.join(out, "summary.csv"))
    metrics = {r["metric"] for r in summary}
    for k in ["test_mse", "endpoint_error", "squared_jerk", "deviation_from_line"]:
        if k not in metrics:
            fail(f"summary.csv lacks {k}")
    for r in summary:
        float(r["mean"]), float(r["sem"])  # nan is allowed for the SEM of one seed
        if r["n"] != "1":
            fail("summary.csv n")

    paths = rows(os.path.join(out, "trajectories.csv"))
    if len(paths) != 2 * 7 * 10:
        fail(f"trajectories.csv rows {len(paths)}")
    text = open(os.path.join(out, "summary.txt")).read()
    if "endpoint error" not in text or "ccrnn" not in text:
        fail("summary.txt content")

    with open(os.path.join(out, "summary.txt")) as f:
        if "Wilcoxon p" not in f.read():
            fail("summary.txt lacks the paired comparison")
    # --report-only rebuilds the summary of a two-seed run from the CSVs of two one-seed
    # runs concatenated (how reproduce.sh runs seeds in parallel)
    both = os.path.join(work, "line-draw-short-2")
    seed2 = os.path.join(work, "line-draw-short-seed2")
    common = [binary, "--epochs", "2", "--test-size", "300"]
    for args in (["--seeds", "1,2", "--out", both], ["--seeds", "2,", "--out", seed2]):
        r = subprocess.run(common + args, capture_output=True, text=True, timeout=120)
        if r.returncode != 0:
            fail(f"{args} exited {r.returncode}: {r.stderr}")
    def stats(path):  # means and SEMs; not the wall times, which differ between runs
        return {(r["model"], r["metric"]): (float(r["mean"]), float(r["sem"]))
                for r in rows(path) if r["metric"] != "seconds_per_run"}
    before = stats(os.path.join(both, "summary.csv"))
    for name in ["curves.csv", "clip.csv", "runs.csv", "trajectories.csv"]:
        with open(os.path.join(both, name), "w") as f:
            f.write(open(os.path.join(out, name)).read())
            f.write(open(os.path.join(seed2, name)).read())
    r = subprocess.run(common + ["--seeds", "1,2", "--out", both, "--report-only"],
                       capture_output=True, text=True, timeout=60)
    if r.returncode != 0:
        fail(f"--report-only exited {r.returncode}: {r.stderr}")
    after = stats(os.path.join(both, "summary.csv"))
    if after.keys() != before.keys():
        fail("--report-only: summary.csv rows differ")
    for k, (m, e) in before.items():  # the CSVs hold 9 significant digits
        if not (math.isclose(after[k][0], m, rel_tol=1e-7) and
                math.isclose(after[k][1], e, rel_tol=1e-4, abs_tol=1e-7)):
            fail(f"--report-only from concatenated CSVs changed {k}: {(m, e)} -> {after[k]}")

    for name in ["curves-train.svg", "curves-validation.svg", "trajectories.svg",
                 "final-bars.svg", "clip-factor.svg", "cortex-share.svg"]:
        root = ET.parse(os.path.join(out, name)).getroot()
        if not root.tag.endswith("svg"):
            fail(f"{name}: root {root.tag}")
        ns = "{http://www.w3.org/2000/svg}"
        if name != "final-bars.svg" and len(root.findall(f".//{ns}polyline")) < 1:
            fail(f"{name}: no curves drawn")

    for bad in (["--bogus"], ["--epochs", "0"], ["--model", "rnn"], ["--seeds", "11"],
                ["--seeds", "1,,2"], ["--sparse"], ["--end-sg", "2"]):
        r = subprocess.run([binary] + bad, capture_output=True, text=True, timeout=30)
        if r.returncode != 2 or not r.stderr.strip():
            fail(f"{bad}: exit {r.returncode}, stderr {r.stderr!r}")
    r = subprocess.run([binary, "--report-only", "--out", os.path.join(work, "empty-dir")],
                       capture_output=True, text=True, timeout=30)
    if r.returncode != 1 or "cannot read" not in r.stderr:
        fail(f"--report-only without results: exit {r.returncode}, stderr {r.stderr!r}")
    r = subprocess.run([binary, "--help"], capture_output=True, text=True, timeout=30)
    if r.returncode != 0 or "--ablate-at" not in r.stdout or "default" not in r.stdout:
        fail("--help")
    print("ok")


if __name__ == "__main__":
    main()
