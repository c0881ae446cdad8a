#!/usr/bin/python3
"""The Python line-drawing program gives the same numbers as the C program.

Usage: test_line_draw_match.py LINE_DRAW_BINARY
Runs examples/line-draw (C) and examples/ffi/python/line_draw.py with the same seed
and options, and requires every number of curves.csv, runs.csv (all but the wall
time) and trajectories.csv to be the same printed text (%.9g / %.6g).  Two settings:
the paper's (tau 1, feedback every 2 steps) for 1 seed and 2 epochs, and one with
tau 3, sparse 3 and input noise, which exercises the normal draws and longer windows.
"""
import csv
import os
import subprocess
import sys
import tempfile
import unittest

import ffi_common

ffi_common.import_binding()  # exits 77 with the reason when numpy is missing

SCRIPT = ffi_common.EXAMPLES_DIR / "line_draw.py"
SETTINGS = {
    "paper": ["--seeds", "1,", "--epochs", "2", "--test-size", "1000"],
    "tau3-noise": ["--seeds", "7,", "--epochs", "2", "--bptt", "3", "--sparse", "3",
                   "--noise", "0.05", "--train-size", "300", "--valid-size", "100",
                   "--test-size", "300"],
}


def table(path, drop=()):
    with open(path, newline="") as f:
        return [{k: v for k, v in row.items() if k not in drop} for row in csv.DictReader(f)]


class LineDrawMatchTest(unittest.TestCase):
    binary = None

    def run_both(self, name, options, work):
        c_out, py_out = os.path.join(work, "c"), os.path.join(work, "py")
        c = subprocess.run([self.binary] + options + ["--out", c_out],
                           capture_output=True, text=True, timeout=300)
        self.assertEqual(c.returncode, 0, c.stderr)
        env = dict(os.environ, PYTHONPATH=str(ffi_common.PYTHON_DIR))
        py = subprocess.run([sys.executable, str(SCRIPT)] + options + ["--out", py_out],
                            capture_output=True, text=True, timeout=300, env=env)
        self.assertEqual(py.returncode, 0, py.stderr)
        print("%s: C\n%s\nPython\n%s" % (name, c.stdout.split("\n\n")[0], py.stdout))
        return c_out, py_out

    def compare(self, name):
        with tempfile.TemporaryDirectory(prefix="ccrnn-ld-") as work:
            self.compare_in(name, work)

    def compare_in(self, name, work):
        c_out, py_out = self.run_both(name, SETTINGS[name], work)
        for fname, drop in (("curves.csv", ()), ("runs.csv", ("seconds",)),
                            ("trajectories.csv", ())):
            c_rows = table(os.path.join(c_out, fname), drop)
            py_rows = table(os.path.join(py_out, fname), drop)
            self.assertGreater(len(c_rows), 0, fname)
            self.assertEqual(len(c_rows), len(py_rows), fname)
            for i, (a, b) in enumerate(zip(c_rows, py_rows)):
                self.assertEqual(a, b, "%s %s row %d: C %s, Python %s" % (name, fname, i, a, b))

    def test_paper_setting(self):
        self.compare("paper")

    def test_longer_windows_and_noise(self):
        self.compare("tau3-noise")


if __name__ == "__main__":
    if len(sys.argv) < 2 or not os.path.exists(sys.argv[1]):
        ffi_common.skip("the C line-draw program was not given or not built")
    LineDrawMatchTest.binary = sys.argv.pop(1)
    unittest.main(verbosity=2)
