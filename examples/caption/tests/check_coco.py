#!/usr/bin/env python3
"""The COCO converter and the real-image path end to end: a tiny COCO captions JSON
becomes a captions file, a features file is written by hand in the documented layout,
and the caption program trains on both.  A file that is not COCO JSON is refused.

Usage: check_coco.py CONVERTER CAPTION_BINARY WORK_DIR
"""
import json
import os
import shutil
import struct
import subprocess
import sys


def fail(msg):
    print("FAIL:", msg)
    sys.exit(1)


def main():
    converter, binary, work = sys.argv[1:4]
    d = os.path.join(work, "caption-coco")
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    colours = ["red", "blue", "green", "white"]
    things = ["bus", "cat", "kite", "boat"]
    images = [{"id": 1000 - i, "file_name": f"im{1000 - i}.jpg"} for i in range(40)]
    anns = []
    for k, im in enumerate(images):
        c, t = colours[k % 4], things[(k // 4) % 4]
        anns.append({"image_id": im["id"], "id": 2 * k, "caption": f"A {c} {t}\tin the\nstreet."})
        anns.append({"image_id": im["id"], "id": 2 * k + 1, "caption": f"there is a {c} {t} here"})
    anns.append({"image_id": 5, "id": 999, "caption": "an image that is not listed"})
    with open(os.path.join(d, "coco.json"), "w") as f:
        json.dump({"images": images, "annotations": anns}, f)
    prefix = os.path.join(d, "tiny")
    r = subprocess.run([sys.executable, converter, os.path.join(d, "coco.json"), prefix],
                       capture_output=True, text=True)
    if r.returncode != 0:
        fail(f"converter: {r.stderr}")
    names = open(prefix + ".images.txt").read().split()
    if len(names) != 40 or names[0] != "im961.jpg":  # rows in COCO id order
        fail(f"images.txt {names[:3]}")
    lines = open(prefix + ".captions.tsv").read().splitlines()
    if len(lines) != 80 or not lines[0].startswith("0\t") or not lines[-1].startswith("39\t"):
        fail(f"captions.tsv {lines[:2]}")
    if any(line.count("\t") != 1 for line in lines):
        fail("a caption kept a tab")
    # Features: image row i gets a one-hot of its colour and thing (8 values).
    rows = []
    for i, name in enumerate(names):
        k = 1000 - int(name[2:-4])
        v = [0.0] * 8
        v[k % 4] = 1.0
        v[4 + (k // 4) % 4] = 1.0
        rows.append(v)
    with open(os.path.join(d, "f.bin"), "wb") as f:
        f.write(b"CCRNNF32" + struct.pack("<II", 40, 8))
        for v in rows:
            f.write(struct.pack("<8f", *v))
    out = os.path.join(d, "out")
    cmd = [binary, "--features", os.path.join(d, "f.bin"), "--captions", prefix + ".captions.tsv",
           "--min-words", "1", "--min-count", "1", "--epochs", "2", "--bptt", "2", "--seeds", "1",
           "--embed", "8", "--hidden", "8", "--cb-width", "8", "--batch", "10", "--out", out]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    if r.returncode != 0:
        fail(f"{cmd}: {r.stderr}")
    if "vocabulary" not in r.stdout or not os.path.exists(os.path.join(out, "runs.csv")):
        fail(f"no results: {r.stdout}")
    with open(os.path.join(d, "bad.json"), "w") as f:
        f.write("[1, 2]")
    r = subprocess.run([sys.executable, converter, os.path.join(d, "bad.json"), prefix],
                       capture_output=True, text=True)
    if r.returncode == 0 or "not a COCO captions file" not in r.stderr:
        fail("a non-COCO file was accepted")
    print("ok")


main()
