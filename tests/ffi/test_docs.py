#!/usr/bin/python3
"""The examples in docs/python.md, docs/julia.md, docs/embedding.md and docs/pytorch.md
are the files the tests build and run.

A fenced code block preceded by the line `<!-- example: PATH -->` must equal the file
PATH (relative to the source root) exactly, so the documented example is the one
`meson test` runs (Python, C) or checks (Julia, against the header)."""
import os
import pathlib
import re
import sys
import unittest

HERE = pathlib.Path(__file__).resolve().parent
ROOT = pathlib.Path(os.environ.get("CCRNN_SOURCE_ROOT", HERE.parents[1]))
DOCS = ["docs/python.md", "docs/julia.md", "docs/embedding.md", "docs/pytorch.md"]
BLOCK = re.compile(r"<!-- example: (\S+) -->\s*\n```[\w+]*\n(.*?)```", re.S)


class DocsExamplesTest(unittest.TestCase):
    def test_each_doc_has_a_complete_example_that_matches_its_file(self):
        for doc in DOCS:
            text = (ROOT / doc).read_text()
            blocks = BLOCK.findall(text)
            self.assertGreater(len(blocks), 0, "%s has no <!-- example: --> block" % doc)
            for path, code in blocks:
                want = (ROOT / path).read_text()
                self.assertEqual(code, want, "%s: the block for %s differs from the file"
                                 % (doc, path))


if __name__ == "__main__":
    if not all((ROOT / d).exists() for d in DOCS):
        print("SKIP: docs not found under", ROOT)
        sys.exit(77)
    unittest.main(verbosity=2)
