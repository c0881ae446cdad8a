#!/usr/bin/env python3
"""Short runs of `analyses study` and `analyses sweep` write sound outputs.

Usage: check_short_run.py ANALYSES_BINARY WORK_DIR
study: line drawing, 2 seeds x 4 epochs, lesions at epoch 3 (seconds of CPU); checks
that every file is written and parses (SVG as XML), that cosines and correlations lie
in [-1, 1], that the activity measures are in range, that every model and lesion has
its rows and that lesioned runs share the intact run's curve before the lesion.
sweep: mossy fibres 2 and all, widths 20 and 400, 1 seed x 2 epochs.
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


def run(cmd):
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    if r.returncode != 0:
        fail(f"{cmd} exited {r.returncode}: {r.stderr}")
    return r


def check_study(binary, out):
    run([binary, "study", "--task", "line", "--seeds", "1,2", "--epochs", "4", "--at", "3",
         "--test-size", "200", "--out", out])
    for name in ["summary.md", "alignment.svg", "activity.svg", "lesions.svg",
                 "lesion-curves.svg"]:
        path = os.path.join(out, name)
        if not os.path.exists(path):
            fail(f"{name} not written")
        if name.endswith(".svg"):
            ET.parse(path)
    align = rows(os.path.join(out, "alignment.csv"))
    if len(align) != 2 * 4:
        fail(f"alignment.csv has {len(align)} rows, expected 8")
    for r in align:
        for k in ["cos_prediction_true", "cos_target_true", "r_prediction_true", "r_target_true",
                  "cos_prediction_target"]:
            v = float(r[k])
            if not (math.isfinite(v) and -1.0 <= v <= 1.0):
                fail(f"alignment {k} = {v} at epoch {r['epoch']}")
    act = rows(os.path.join(out, "activity.csv"))
    if {(r["model"], r["population"]) for r in act} != {
            ("ccrnn", "cortex"), ("ccrnn", "cerebellum"), ("crnn", "cortex")}:
        fail("activity.csv lacks a population")
    for r in act:
        for k in ["population_correlation", "mean_abs_correlation", "sparsity"]:
            v = float(r[k])
            if not (math.isfinite(v) and -1e-9 <= v <= 1.0 + 1e-9):
                fail(f"activity {k} = {v}")
        if not float(r["coding_space"]) > 0.0:
            fail("coding space not positive")
    models = {(r["model"], r["lesion_epoch"]) for r in rows(os.path.join(out, "runs.csv"))}
    want = {("crnn", "0"), ("ccrnn", "0"), ("ablated", "3"), ("io-lesion-frozen", "3")}
    if not want <= models:
        fail(f"runs.csv models {sorted(models)} lack {sorted(want - models)}")
    curves = rows(os.path.join(out, "curves.csv"))
    by = {(r["model"], r["seed"], r["epoch"]): float(r["valid_loss"]) for r in curves}
    for seed in ["1", "2"]:
        for e in ["1", "2"]:  # before the lesion: the intact run's values
            if by[("ablated", seed, e)] != by[("ccrnn", seed, e)]:
                fail("a lesioned curve differs from the intact one before the lesion")
        # an ablated cerebellum changes training from the lesion epoch on
        if by[("ablated", seed, "4")] == by[("ccrnn", seed, "4")]:
            fail("ablation at epoch 3 changed nothing by epoch 4")


def check_sweep(binary, out):
    run([binary, "sweep", "--task", "line", "--fibres", "2,0", "--widths", "20,400", "--seeds",
         "1", "--epochs", "2", "--test-size", "200", "--out", out])
    ET.parse(os.path.join(out, "sweep.svg"))
    sw = rows(os.path.join(out, "sweep.csv"))
    # fibres 0 (all = 100) at width 400 is also the width sweep's 400: run once
    if sorted((r["model"], r["fibres"], r["width"]) for r in sw) != [
            ("ccrnn", "100", "20"), ("ccrnn", "100", "400"), ("ccrnn", "2", "400"),
            ("crnn", "0", "0")]:
        fail(f"sweep.csv rows {sw}")
    for r in sw:
        if not math.isfinite(float(r["test_loss"])):
            fail("non-finite test loss in the sweep")
    bad = subprocess.run([binary, "sweep", "--task", "line"], capture_output=True, text=True)
    if bad.returncode != 2:
        fail("a sweep without --fibres or --widths must exit with status 2")


def main():
    binary, work = sys.argv[1], sys.argv[2]
    out = os.path.join(work, "analyses-short")
    shutil.rmtree(out, ignore_errors=True)
    check_study(binary, os.path.join(out, "study"))
    check_sweep(binary, os.path.join(out, "sweep"))
    print("ok")


if __name__ == "__main__":
    main()
