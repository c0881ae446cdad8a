#!/usr/bin/env python3
"""ccrnn-sweep over 2 ranks writes the same results as the single-process programs.

Usage: check_sweep.py WORK_DIR LINE_DRAW SEQMNIST CCRNN_SWEEP MPIRUN [MPIRUN_ARGS...]

Runs short sweeps of line-draw (4 models x 2 seeds) and seqmnist --task line (2
truncations x 2 models x 2 seeds, on a small made-up IDX data set so no download is
needed) once with the program and once with `MPIRUN ... ccrnn-sweep`, then compares
every file of the two results folders: byte for byte, except the columns and rows
that hold wall times and the summary's command line.
"""
import csv
import os
import random
import shutil
import struct
import subprocess
import sys

TIME_COLUMNS = {"seconds", "train_seconds", "train_seconds_per_epoch"}


def fail(msg):
    print("FAIL:", msg)
    sys.exit(1)


def run(cmd, log):
    with open(log, "w") as f:
        rc = subprocess.run(cmd, stdout=f, stderr=subprocess.STDOUT).returncode
    if rc != 0:
        print(open(log).read()[-3000:])
        fail("%s exited with %d" % (" ".join(cmd), rc))


def csv_without_times(path):
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    keep = [i for i, name in enumerate(rows[0]) if name not in TIME_COLUMNS]
    out = []
    for row in rows:
        if any(cell.startswith("seconds") or "seconds_per" in cell for cell in row[1:2]):
            continue  # summary.csv: a metric row of wall times
        out.append([row[i] for i in keep if i < len(row)])
    return out


def text_without_times(path):
    """Lines of a summary minus the command line and the tables under a heading about
    wall time (the '|' rows after a line that mentions seconds)."""
    lines, timed = [], False
    for line in open(path):
        if not line.startswith("|") and line.strip():
            timed = "second" in line.lower()
        if line.startswith("Command:") or (timed and line.startswith("|")):
            continue
        if "second" in line.lower():
            continue  # line-draw's summary.txt: the seconds-per-run row
        lines.append(line)
    return lines


def compare(single, spread):
    a, b = sorted(os.listdir(single)), sorted(os.listdir(spread))
    if a != b:
        fail("different files: %s vs %s" % (a, b))
    for name in a:
        pa, pb = os.path.join(single, name), os.path.join(spread, name)
        if open(pa, "rb").read() == open(pb, "rb").read():
            print("  identical   ", name)
            continue
        if name.endswith(".csv") and csv_without_times(pa) == csv_without_times(pb):
            print("  same numbers", name, "(wall times differ)")
        elif name.endswith((".txt", ".md")) and text_without_times(pa) == text_without_times(pb):
            print("  same numbers", name, "(wall times and the command line differ)")
        else:
            fail("%s differs" % name)


def write_idx(path, magic, dims, data):
    with open(path, "wb") as f:
        f.write(struct.pack(">I", magic))
        for d in dims:
            f.write(struct.pack(">I", d))
        f.write(bytes(data))


def fake_mnist(folder):
    os.makedirs(folder, exist_ok=True)
    rng = random.Random(7)
    for prefix, n in (("train", 240), ("t10k", 60)):
        labels = [rng.randrange(10) for _ in range(n)]
        pixels = [rng.randrange(256) if rng.random() < 0.2 else 0 for _ in range(n * 784)]
        write_idx(os.path.join(folder, prefix + "-images-idx3-ubyte"), 0x803, (n, 28, 28), pixels)
        write_idx(os.path.join(folder, prefix + "-labels-idx1-ubyte"), 0x801, (n,), labels)


def main():
    work, line_draw, seqmnist, sweep = sys.argv[1:5]
    mpirun = sys.argv[5:]
    work = os.path.join(work, "sweep-check")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)

    ld = ["--seeds", "2", "--epochs", "2", "--model", "all", "--train-size", "100",
          "--valid-size", "50", "--test-size", "100"]
    run([line_draw] + ld + ["--out", os.path.join(work, "ld-1")], os.path.join(work, "ld-1.log"))
    run(mpirun + [sweep, "line-draw"] + ld + ["--out", os.path.join(work, "ld-2")],
        os.path.join(work, "ld-2.log"))
    print("line-draw: program against ccrnn-sweep over 2 ranks")
    compare(os.path.join(work, "ld-1"), os.path.join(work, "ld-2"))

    data = os.path.join(work, "fake-mnist")
    fake_mnist(data)
    sq = ["--task", "line", "--data", data, "--bptt", "2,28", "--seeds", "2", "--epochs", "2",
          "--draw", "2"]
    run([seqmnist] + sq + ["--out", os.path.join(work, "sq-1")], os.path.join(work, "sq-1.log"))
    run(mpirun + [sweep, "seqmnist"] + sq + ["--out", os.path.join(work, "sq-2")],
        os.path.join(work, "sq-2.log"))
    print("seqmnist: program against ccrnn-sweep over 2 ranks")
    compare(os.path.join(work, "sq-1"), os.path.join(work, "sq-2"))
    print("PASS")


if __name__ == "__main__":
    main()
