#!/usr/bin/env python3
"""A short run of the caption program on synthetic digit scenes (no download) writes
parseable outputs, and bad options exit with status 2.

Usage: check_short_run.py CAPTION_BINARY WORK_DIR
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
    out = os.path.join(work, "caption-short")
    shutil.rmtree(out, ignore_errors=True)
    cmd = [binary, "--synthetic", "--epochs", "2", "--seeds", "1", "--bptt", "3,full",
           "--embed", "16", "--hidden", "16", "--cb-width", "32", "--batch", "50",
           "--train-images", "150", "--valid-images", "30", "--test-images", "30",
           "--samples", "3", "--out", out]
    run = subprocess.run(cmd, capture_output=True, text=True, timeout=150)
    if run.returncode != 0:
        fail(f"{cmd} exited {run.returncode}: {run.stderr}")
    if run.stderr.strip():
        fail(f"stderr not quiet when not a terminal: {run.stderr!r}")

    curves = rows(os.path.join(out, "curves.csv"))
    # tau 3: cRNN and ccRNN; full BPTT: the cRNN only; 2 epochs each
    if len(curves) != 3 * 2:
        fail(f"curves.csv has {len(curves)} rows")
    if {(r["tau"], r["model"]) for r in curves} != {("3", "crnn"), ("3", "ccrnn"), ("full", "crnn")}:
        fail("curves.csv runs")
    for r in curves:
        for k in ["train_xent", "valid_xent", "valid_bleu4"]:
            if not math.isfinite(float(r[k])):
                fail(f"curves.csv {k} = {r[k]}")
    runs = rows(os.path.join(out, "runs.csv"))
    if len(runs) != 3:
        fail("runs.csv rows")
    for r in runs:
        x = float(r["test_xent"])
        if not (abs(float(r["test_bits_per_word"]) - x / math.log(2)) < 1e-4
                and abs(float(r["test_perplexity"]) - math.exp(x)) < 1e-3 * math.exp(x)):
            fail(f"bits per word or perplexity inconsistent with the cross-entropy: {r}")
        if not 0 <= float(r["test_bleu4"]) <= 1:
            fail(f"BLEU {r['test_bleu4']}")
    summary = open(os.path.join(out, "summary.md")).read()
    for needle in ["| 3 | cRNN | 1 |", "| 3 | ccRNN | 1 |", "| full | cRNN | 1 |",
                   "ccRNN − cRNN", "--bptt 3,full"]:
        if needle not in summary:
            fail(f"summary.md lacks {needle!r}")
    for name in ["curves-valid-tau3.svg", "curves-bleu-tau3.svg", "curves-valid-taufull.svg"]:
        ET.parse(os.path.join(out, name))
    html = open(os.path.join(out, "samples.html")).read()
    if html.count("<svg") != 3 or html.count("ccRNN, τ = 3") != 3:
        fail("samples.html should show 3 scenes with a ccRNN caption each")

    # --jobs 2 trains the runs in child processes: the same numbers.
    out2 = out + "-jobs2"
    shutil.rmtree(out2, ignore_errors=True)
    cmd2 = [c if c != out else out2 for c in cmd] + ["--jobs", "2"]
    run = subprocess.run(cmd2, capture_output=True, text=True, timeout=150)
    if run.returncode != 0:
        fail(f"{cmd2} exited {run.returncode}: {run.stderr}")
    if rows(os.path.join(out2, "curves.csv")) != curves:
        fail("--jobs 2 changed curves.csv")
    strip = lambda rs: [{k: v for k, v in r.items() if k != "seconds"} for r in rs]
    if strip(rows(os.path.join(out2, "runs.csv"))) != strip(runs):
        fail("--jobs 2 changed runs.csv")
    if [f for f in os.listdir(out2) if f.startswith(".run-")]:
        fail("--jobs left temporary files")

    for bad in [["--bptt", "0"], ["--models", "lstm"], ["--epochs", "0"], ["--nope"],
                ["--features", "/nonexistent"]]:
        r = subprocess.run([binary] + bad + ["--out", out], capture_output=True, text=True)
        if r.returncode == 0 or not r.stderr.strip():
            fail(f"{bad} should fail with a message")
    print("ok")


main()
