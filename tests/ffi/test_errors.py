#!/usr/bin/python3
"""Status -> exception mapping: each library status raises its own CcrnnError
subclass carrying ccrnn_last_error()'s message, and a failed call changes nothing."""
import subprocess
import sys
import textwrap
import threading
import unittest

import ffi_common

ccrnn = ffi_common.import_binding()
import numpy as np  # noqa: E402

F = np.float32
lib = ccrnn.lib


class MappingTest(unittest.TestCase):
    def assert_library_error(self, cls, call, *needles):
        """call() raises exactly cls with the library's message ("ccrnn_function: what
        was wrong") containing every needle."""
        with self.assertRaises(cls) as err:
            call()
        exc = err.exception
        self.assertIs(type(exc), cls)
        self.assertIsInstance(exc, ccrnn.CcrnnError)
        self.assertEqual(exc.status, ccrnn.STATUS_CLASSES and cls.status)
        self.assertEqual(str(exc), ccrnn.last_error())
        self.assertEqual(exc.message, ccrnn.last_error())
        self.assertRegex(str(exc), r"^ccrnn_\w+: ")  # "public function: what was wrong"
        for needle in needles:
            self.assertIn(needle, str(exc))
        return exc

    def test_every_status_has_a_class(self):
        for code in ccrnn.Status:
            if code == ccrnn.Status.OK:
                continue
            cls = ccrnn.STATUS_CLASSES[int(code)]
            self.assertEqual(cls.status, int(code))
            self.assertTrue(issubclass(cls, ccrnn.CcrnnError))
        self.assertEqual(len(set(ccrnn.STATUS_CLASSES.values())), len(ccrnn.Status) - 1)
        self.assertIsNone(ccrnn.check(0))
        with self.assertRaises(ccrnn.UnknownStatusError):
            ccrnn.check(99)

    def test_null(self):
        with ccrnn.Cerebellum(3, n_ctx=2, n_hidden_layers=0, seed=1) as cb:
            self.assert_library_error(ccrnn.NullError, lambda: cb.predict(np.zeros((1, 3), F)),
                                      "ctx is NULL", "2 context inputs")
        with ccrnn.Cortex("tanh", 1, 2, 1) as cx:
            self.assert_library_error(
                ccrnn.NullError, lambda: ccrnn.check(lib.ccrnn_cortex_forward(cx._p(), None, 1,
                                                                             None, 0)),
                "ccrnn_cortex_forward", "'x' is NULL")
        self.assert_library_error(
            ccrnn.NullError, lambda: ccrnn.check(lib.ccrnn_cortex_create(0, 1, 1, 1, 1, 1, 0, None)),
            "'out' is NULL")

    def test_arg(self):
        with ccrnn.Cortex("tanh", 1, 2, 1, max_batch=3) as cx:
            self.assert_library_error(ccrnn.ArgError, lambda: cx.reset(4), "batch 4",
                                      "max_batch (3)")
            self.assertEqual(cx.batch, 3)  # the binding's batch is unchanged too
            cx.forward(np.zeros((3, 1), F))
            self.assert_library_error(ccrnn.ArgError,
                                      lambda: cx.output_grad(5, np.zeros((3, 1), F)),
                                      "step 5 not recorded")
            self.assert_library_error(ccrnn.ArgError, lambda: setattr(cx, "threads", 0),
                                      "THREADS")
        self.assert_library_error(ccrnn.ArgError, lambda: ccrnn.Cortex("tanh", 1, 0, 1),
                                  "sizes must be >= 1")
        self.assert_library_error(ccrnn.ArgError, lambda: ccrnn.Cortex(7, 1, 1, 1),
                                  "unknown cell kind 7")
        with ccrnn.Optimizer() as opt:
            self.assert_library_error(ccrnn.ArgError, lambda: setattr(opt, "lr", -1.0), "LR")
            self.assert_library_error(ccrnn.ArgError, lambda: opt.freeze(3), "group 3")

    def test_shape(self):
        with ccrnn.Cortex("tanh", 2, 6, 1, max_batch=2) as cx, \
                ccrnn.Cerebellum(4, n_hidden_layers=0) as cb:
            # the cerebellum does not match the cortex state: the library finds it
            self.assert_library_error(ccrnn.ShapeError, lambda: cb.synthetic_gradient(cx),
                                      "cerebellum maps 4 -> 4 values", "has 6")
            # a wrong length reaching the library through the raw call
            x = np.zeros(3, F)
            self.assert_library_error(
                ccrnn.ShapeError,
                lambda: ccrnn.check(lib.ccrnn_cortex_forward(cx._p(), ccrnn._arrays.ptr(x), 3,
                                                             None, 0)),
                "x (batch*n_in) has 3 values, expected 4")

    def test_state(self):
        with ccrnn.Cortex("tanh", 1, 2, 1, max_window=1) as cx:
            self.assert_library_error(ccrnn.StateError, cx.backward, "no steps")
            x = np.zeros(1, F)
            cx.forward(x)
            self.assert_library_error(ccrnn.StateError, lambda: cx.forward(x), "max_window")
            self.assert_library_error(ccrnn.StateError, cx.input_grad, "not been backpropagated")
            cx.backward()
            self.assert_library_error(ccrnn.StateError, cx.backward, "already backpropagated")
            cx.training = False
            self.assert_library_error(ccrnn.StateError,
                                      lambda: cx.output_grad(0, np.zeros(1, F)), "inference")
        with ccrnn.Cerebellum(2, n_hidden_layers=1, width=3) as cb:
            self.assert_library_error(ccrnn.StateError, lambda: cb.hidden(0),
                                      "no forward pass")

    def test_numeric_and_nothing_changes(self):
        with ccrnn.Cortex("lstm", 2, 3, 1, max_batch=2, seed=1) as cx:
            cx.forward(np.ones((2, 2), F))
            cx.begin_window()
            state = cx.get_state()
            params = cx.params.copy()
            bad = np.array([[0, np.nan], [0, 0]], F)
            out = np.full((2, 1), 7.0, F)
            self.assert_library_error(ccrnn.NumericError, lambda: cx.forward(bad, out=out),
                                      "NaN or Inf")
            np.testing.assert_array_equal(cx.get_state(), state)
            np.testing.assert_array_equal(cx.params, params)
            np.testing.assert_array_equal(out, np.full((2, 1), 7.0, F))  # output untouched
            self.assertEqual(cx.window_length, 0)
            inf = np.full((1, 2), np.inf, F)
            self.assert_library_error(ccrnn.NumericError, lambda: cx.set_tensor("weight_ih_l0",
                                      np.full((12, 2), np.inf, F)), "NaN or Inf")
            del inf
        values, grads = np.zeros(2, F), np.array([np.inf, 0], F)
        with ccrnn.Optimizer("sgd") as opt:
            opt.add_params(values, grads)
            self.assert_library_error(ccrnn.NumericError, opt.step, "not finite")
            self.assertTrue(np.isinf(grads[0]))  # kept for inspection, values untouched
            np.testing.assert_array_equal(values, np.zeros(2, F))
        self.assert_library_error(ccrnn.NumericError, lambda: ccrnn.mse(
            np.array([[np.nan]], F), np.zeros((1, 1), F)), "NaN or Inf")

    def test_nomem(self):
        # In a child process whose address space is capped 256 MB above its current
        # size, a cortex needing ~1 GB of parameters fails cleanly with NOMEM.  (The cap
        # keeps the test cheap and independent of the machine's overcommit policy.)
        child = textwrap.dedent("""
            import resource, sys
            sys.path.insert(0, %r)
            import ccrnn
            with open("/proc/self/status") as f:
                vm = [int(l.split()[1]) * 1024 for l in f if l.startswith("VmSize:")][0]
            resource.setrlimit(resource.RLIMIT_AS, (vm + (256 << 20), vm + (256 << 20)))
            try:
                ccrnn.Cortex("lstm", 4096, 8192, 1)
            except ccrnn.NoMemError as exc:
                print("NoMemError:", exc, "| last_error:", ccrnn.last_error())
                sys.exit(0)
            sys.exit(3)
            """ % str(ffi_common.PYTHON_DIR))
        run = subprocess.run([sys.executable, "-c", child], capture_output=True, text=True,
                             timeout=60)
        self.assertEqual(run.returncode, 0, run.stdout + run.stderr)
        self.assertIn("NoMemError: ccrnn_cortex_create: out of memory", run.stdout)

    def test_checkpoint_statuses(self):
        with ccrnn.Cortex("tanh", 1, 3, 1, seed=1) as cx, \
                ccrnn.Cerebellum(3, n_hidden_layers=0) as cb:
            good = cx.to_bytes()
            self.assert_library_error(ccrnn.CcrnnIOError,
                                      lambda: ccrnn.Cortex.load("/nonexistent/dir/cx.ckpt"),
                                      "cannot open")
            self.assertTrue(issubclass(ccrnn.CcrnnIOError, OSError))
            self.assert_library_error(ccrnn.FormatError,
                                      lambda: ccrnn.Cortex.from_bytes(b"not a checkpoint"),
                                      "bad magic")
            self.assert_library_error(ccrnn.FormatError,
                                      lambda: ccrnn.Cortex.from_bytes(good[:20]), "truncated")
            flipped = bytearray(good)
            flipped[-5] ^= 0x01
            self.assert_library_error(ccrnn.ChecksumError,
                                      lambda: ccrnn.Cortex.from_bytes(flipped), "CRC")
            future = bytearray(good)
            future[8] = 99  # the format version (u32, little-endian) after the 8-byte magic
            self.assert_library_error(ccrnn.VersionError,
                                      lambda: ccrnn.Cortex.from_bytes(future), "version 99")
            self.assert_library_error(ccrnn.MismatchError,
                                      lambda: ccrnn.Cortex.from_bytes(cb.to_bytes()),
                                      "cerebellum")

    def test_message_is_thread_local(self):
        with ccrnn.Cortex("tanh", 1, 2, 1) as cx:
            with self.assertRaises(ccrnn.ArgError):
                cx.reset(0)
            main_message = ccrnn.last_error()
            seen = {}

            def worker():
                with ccrnn.Cortex("tanh", 1, 2, 1) as other:
                    try:
                        other.backward()
                    except ccrnn.StateError as exc:
                        seen["msg"] = str(exc)

            t = threading.Thread(target=worker)
            t.start()
            t.join()
            self.assertIn("no steps", seen["msg"])
            self.assertEqual(ccrnn.last_error(), main_message)


if __name__ == "__main__":
    unittest.main(verbosity=2)
