#!/usr/bin/env python3
"""Convert COCO captions annotations (captions_train2014.json and the like) into the
two text files the caption program reads next to a features file.

    coco_to_captions.py captions_train2014.json OUT_PREFIX [--max-images N]

writes
    OUT_PREFIX.captions.tsv  one caption per line: IMAGE<TAB>CAPTION, where IMAGE is
                             the 0-based row of the image in the features file
    OUT_PREFIX.images.txt    the image file names, one per line, in row order: compute
                             the features of image i (for instance a frozen CNN's
                             pooled features) into row i of the features file

The features file itself is a float32 matrix (see examples/caption/data.h), e.g. from
numpy:

    with open("features.bin", "wb") as f:
        f.write(b"CCRNNF32")
        f.write(np.array(feats.shape, "<u4").tobytes())
        f.write(np.ascontiguousarray(feats, "<f4").tobytes())

Then: caption --features features.bin --captions OUT_PREFIX.captions.tsv.

Only the Python standard library is used.  Images are ordered by their COCO id;
captions keep their file order within an image.  Tabs and line breaks inside a caption
become spaces.
"""
import argparse
import json
import sys


def convert(annotations, max_images=None):
    """Return (file names in row order, [(row, caption), ...]) from a COCO captions dict."""
    if not isinstance(annotations, dict) or "images" not in annotations or "annotations" not in annotations:
        raise ValueError("not a COCO captions file: it needs 'images' and 'annotations'")
    images = sorted(annotations["images"], key=lambda im: im["id"])
    if max_images is not None:
        images = images[:max_images]
    row = {im["id"]: i for i, im in enumerate(images)}
    names = [im.get("file_name", str(im["id"])) for im in images]
    captions = []
    for a in annotations["annotations"]:
        if a.get("image_id") not in row:
            continue
        text = " ".join(str(a.get("caption", "")).split())
        if text:
            captions.append((row[a["image_id"]], text))
    captions.sort(key=lambda rc: rc[0])  # stable: file order within an image
    return names, captions


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("json", help="COCO captions annotations (JSON)")
    p.add_argument("prefix", help="output prefix")
    p.add_argument("--max-images", type=int, default=None, help="keep the first N images by id")
    args = p.parse_args(argv)
    try:
        with open(args.json, encoding="utf-8") as f:
            data = json.load(f)
        names, captions = convert(data, args.max_images)
    except (OSError, ValueError, KeyError, TypeError) as e:
        print(f"coco_to_captions: {args.json}: {e}", file=sys.stderr)
        return 1
    with open(args.prefix + ".images.txt", "w", encoding="utf-8") as f:
        for n in names:
            f.write(n + "\n")
    with open(args.prefix + ".captions.tsv", "w", encoding="utf-8") as f:
        for r, text in captions:
            f.write(f"{r}\t{text}\n")
    print(f"{len(names)} images, {len(captions)} captions -> {args.prefix}.images.txt, "
          f"{args.prefix}.captions.tsv")
    return 0


if __name__ == "__main__":
    sys.exit(main())
