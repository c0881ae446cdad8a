#!/usr/bin/python3
"""Every method of the Python binding, checked against numpy references.

Run by meson (tests/ffi/meson.build) with CCRNN_LIBRARY pointing at the build's
library; exits 77 (skip) when numpy is missing.
"""
import os
import re
import tempfile
import unittest

import ffi_common

ccrnn = ffi_common.import_binding()
import numpy as np  # noqa: E402

F = np.float32


def rand(rng, *shape, scale=1.0):
    return (rng.standard_normal(shape) * scale).astype(F)


class VersionTest(unittest.TestCase):
    def test_library_matches_binding_header(self):
        self.assertEqual(ccrnn.version_number(), ccrnn.HEADER_VERSION_NUMBER)
        self.assertRegex(ccrnn.version(), r"^\d+\.\d+\.\d+$")

    def test_build_header_matches_binding(self):
        path = os.environ.get("CCRNN_VERSION_HEADER")
        if not path or not os.path.exists(path):
            self.skipTest("CCRNN_VERSION_HEADER not set (run through meson test)")
        with open(path) as f:
            text = f.read()
        parts = [int(re.search(r"#define CCRNN_VERSION_%s (\d+)" % k, text).group(1))
                 for k in ("MAJOR", "MINOR", "PATCH")]
        self.assertEqual(parts[0] * 10000 + parts[1] * 100 + parts[2],
                         ccrnn.HEADER_VERSION_NUMBER)

    def test_strerror_and_library_path(self):
        self.assertEqual(ccrnn.strerror(0), "success")
        self.assertEqual(ccrnn.strerror(999), "unknown status")
        self.assertTrue(os.path.exists(ccrnn.library_path))
        if os.environ.get("CCRNN_LIBRARY"):
            self.assertEqual(ccrnn.library_path, os.environ["CCRNN_LIBRARY"])


class TanhReference:
    """One tanh-RNN step in float64 numpy, from the cortex's own tensors."""

    def __init__(self, cx):
        self.t = {name: cx.get_tensor(name).astype(np.float64) for name in cx.tensor_names()}

    def step(self, x, h):
        t = self.t
        pre = x @ t["weight_ih_l0"].T + t["bias_ih_l0"] + h @ t["weight_hh_l0"].T + t["bias_hh_l0"]
        h1 = np.tanh(pre)
        return h1, h1 @ t["readout.weight"].T + t["readout.bias"]


class CortexTest(unittest.TestCase):
    def setUp(self):
        self.rng = np.random.default_rng(5)

    def test_shape_and_properties(self):
        cases = (("lstm", ccrnn.Cell.LSTM, 12), ("tanh", ccrnn.Cell.TANH, 6),
                 ("GRU", ccrnn.Cell.GRU, 6), (ccrnn.Cell.GRU, ccrnn.Cell.GRU, 6))
        for cell, kind, z in cases:
            with ccrnn.Cortex(cell, 3, 6, 2, max_batch=4, max_window=5, seed=1) as cx:
                self.assertEqual(cx.cell, kind)
                self.assertEqual(cx.state_size, z)
                self.assertEqual((cx.n_in, cx.n_hidden, cx.n_out), (3, 6, 2))
                self.assertEqual((cx.max_batch, cx.max_window, cx.batch), (4, 5, 4))
        with ccrnn.Cortex("tanh", 1, 4, 1) as cx:
            self.assertEqual(cx.threads, 1)
            cx.threads = 2
            self.assertEqual(cx.threads, 2)
            self.assertTrue(cx.training)
            cx.training = False
            self.assertFalse(cx.training)
            self.assertEqual(cx.get_param(ccrnn.Param.TRAINING), 0.0)
            cx.set_param(ccrnn.Param.TRAINING, 1)
            self.assertTrue(cx.training)
        with self.assertRaises(ValueError):
            ccrnn.Cortex("transformer", 1, 1, 1)

    def test_seed_determinism(self):
        with ccrnn.Cortex("lstm", 2, 8, 2, seed=7) as a, ccrnn.Cortex("lstm", 2, 8, 2, seed=7) as b, \
                ccrnn.Cortex("lstm", 2, 8, 2, seed=8) as c:
            self.assertTrue(np.array_equal(a.params, b.params))
            self.assertFalse(np.array_equal(a.params, c.params))
            bound = 1 / np.sqrt(8)
            self.assertLessEqual(np.abs(a.params).max(), bound)

    def test_tanh_forward_backward_against_numpy(self):
        rng = self.rng
        with ccrnn.Cortex("tanh", 3, 5, 2, max_batch=4, max_window=2, seed=3) as cx:
            ref = TanhReference(cx)
            cx.reset(4)
            cx.begin_window()
            x0, x1 = rand(rng, 4, 3), rand(rng, 4, 3)
            y0 = cx.forward(x0)
            y1 = cx.forward(x1)
            self.assertEqual(cx.window_length, 2)
            h0, r0 = ref.step(x0.astype(np.float64), np.zeros((4, 5)))
            h1, r1 = ref.step(x1.astype(np.float64), h0)
            np.testing.assert_allclose(y0, r0, rtol=1e-5, atol=1e-6)
            np.testing.assert_allclose(y1, r1, rtol=1e-5, atol=1e-6)
            np.testing.assert_allclose(cx.hidden(0), h0, rtol=1e-5, atol=1e-6)
            np.testing.assert_allclose(cx.get_state(), h1, rtol=1e-5, atol=1e-6)
            np.testing.assert_array_equal(cx.window_start_state(), np.zeros((4, 5), F))

            dy1, dh0, dz_end = rand(rng, 4, 2), rand(rng, 4, 5), rand(rng, 4, 5)
            cx.output_grad(1, dy1)
            cx.hidden_grad(0, dh0)
            dz_start = cx.backward(dz_end)
            # numpy BPTT through the two steps
            t = ref.t
            d1 = dz_end + dy1 @ t["readout.weight"]
            p1 = d1 * (1 - h1 ** 2)
            d0 = p1 @ t["weight_hh_l0"] + dh0
            p0 = d0 * (1 - h0 ** 2)
            np.testing.assert_allclose(dz_start, p0 @ t["weight_hh_l0"], rtol=1e-4, atol=1e-6)
            gw = cx.grad_tensor("weight_ih_l0")
            np.testing.assert_allclose(gw, p1.T @ x1 + p0.T @ x0, rtol=1e-4, atol=1e-5)
            np.testing.assert_allclose(cx.grad_tensor("readout.weight"), dy1.T @ h1,
                                       rtol=1e-4, atol=1e-5)
            np.testing.assert_allclose(cx.grad_tensor("readout.bias"), dy1.sum(0),
                                       rtol=1e-5, atol=1e-6)
            dx = cx.input_grad()
            self.assertEqual(dx.shape, (2, 4, 3))
            np.testing.assert_allclose(dx[0], p0 @ t["weight_ih_l0"], rtol=1e-4, atol=1e-6)
            np.testing.assert_allclose(dx[1], p1 @ t["weight_ih_l0"], rtol=1e-4, atol=1e-6)
            cx.zero_grad()
            self.assertEqual(np.abs(cx.grads).max(), 0.0)

    def test_lstm_state_layout(self):
        rng = self.rng
        with ccrnn.Cortex("lstm", 2, 3, 1, max_batch=2, seed=4) as cx:
            t = {n: cx.get_tensor(n).astype(np.float64) for n in cx.tensor_names()}
            x = rand(rng, 2, 2)
            cx.forward(x, output=False)
            g = x @ t["weight_ih_l0"].T + t["bias_ih_l0"] + t["bias_hh_l0"]
            sig = lambda v: 1 / (1 + np.exp(-v))  # noqa: E731
            i, f, gg, o = sig(g[:, :3]), sig(g[:, 3:6]), np.tanh(g[:, 6:9]), sig(g[:, 9:])
            c = i * gg
            h = o * np.tanh(c)
            np.testing.assert_allclose(cx.get_state(), np.hstack([h, c]), rtol=1e-5, atol=1e-6)

    def test_state_round_trip_and_options(self):
        rng = self.rng
        with ccrnn.Cortex("gru", 2, 4, 3, max_batch=3, max_window=3, seed=2) as cx:
            cx.reset(2)
            self.assertEqual(cx.batch, 2)
            z = rand(rng, 2, 4)
            cx.set_state(z)
            np.testing.assert_array_equal(cx.get_state(), z)
            np.testing.assert_array_equal(cx.window_start_state(), z)
            out = np.empty((2, 3), F)
            y = cx.forward(rand(rng, 2, 2), out=out)
            self.assertIs(y, out)
            self.assertIsNone(cx.backward(start_grad=False))
            cx.begin_window()
            self.assertEqual(cx.window_length, 0)
            self.assertIsNone(cx.forward(rand(rng, 2, 2), output=False))
            flat = cx.backward(None, out=np.empty(8, F))  # 1-D outputs are accepted
            self.assertEqual(flat.shape, (8,))
            cx.reset()
            np.testing.assert_array_equal(cx.get_state(), np.zeros((2, 4), F))

    def test_batch_one_accepts_flat_vectors(self):
        with ccrnn.Cortex("lstm", 3, 4, 2, seed=1) as cx:
            y = cx.forward(np.zeros(3, F))
            self.assertEqual(y.shape, (1, 2))

    def test_forward_steps_matches_forward(self):
        rng = self.rng
        xs = rand(rng, 3, 2, 3)
        with ccrnn.Cortex("gru", 3, 4, 2, max_batch=2, max_window=3, seed=4) as a, \
                ccrnn.Cortex("gru", 3, 4, 2, max_batch=2, max_window=3, seed=4) as b:
            a.reset(2)
            b.reset(2)
            ys = np.stack([a.forward(x) for x in xs])
            np.testing.assert_allclose(b.forward_steps(xs), ys, rtol=1e-6, atol=1e-7)
            np.testing.assert_allclose(b.get_state(), a.get_state(), rtol=1e-6, atol=1e-7)
            self.assertEqual(b.window_length, 3)
            with self.assertRaises(ccrnn.StateError):
                b.forward_steps(xs[:1])  # the window is full
            b.begin_window()
            self.assertIsNone(b.forward_steps(xs[:2], output=False))
            with self.assertRaises(ccrnn.ShapeError):
                b.forward_steps(xs[0])  # not (steps, batch, n_in)

    def test_clone_is_independent(self):
        rng = self.rng
        with ccrnn.Cortex("lstm", 2, 4, 2, max_batch=2, max_window=2, seed=9) as cx:
            cx.reset(2)
            cx.forward(rand(rng, 2, 2))
            with cx.clone() as cp:
                self.assertEqual(cp.batch, 2)
                self.assertEqual(cp.window_length, 1)
                np.testing.assert_array_equal(cp.get_state(), cx.get_state())
                np.testing.assert_array_equal(cp.params, cx.params)
                self.assertFalse(np.shares_memory(cp.params, cx.params))
                cp.params[0] += 1.0
                self.assertNotEqual(cp.params[0], cx.params[0])

    def test_named_tensors(self):
        with ccrnn.Cortex("lstm", 3, 5, 2, seed=1) as cx:
            names = cx.tensor_names()
            self.assertEqual(names, ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0",
                                     "readout.weight", "readout.bias"])
            info = cx.tensor_info("weight_hh_l0")
            self.assertEqual((info.rows, info.cols, info.offset), (20, 5, 60))
            self.assertEqual(cx.tensor_info(0).name, "weight_ih_l0")
            self.assertEqual(cx.tensor("bias_ih_l0").shape, (20,))
            self.assertEqual(cx.tensor("readout.weight").shape, (2, 5))
            total = sum(t.rows * max(t.cols, 1) for t in cx.tensors())
            self.assertEqual(total, cx.params.size)
            w = np.arange(10, dtype=F).reshape(2, 5)
            cx.set_tensor("readout.weight", w)
            np.testing.assert_array_equal(cx.get_tensor("readout.weight"), w)
            np.testing.assert_array_equal(cx.tensor("readout.weight"), w)
            with self.assertRaises(KeyError):
                cx.tensor("nope")
            with self.assertRaises(ccrnn.ArgError) as err:
                cx.set_tensor("nope", w)
            self.assertIn("no tensor named 'nope'", str(err.exception))


class CheckpointTest(unittest.TestCase):
    def test_cortex_round_trips(self):
        rng = np.random.default_rng(3)
        with ccrnn.Cortex("lstm", 2, 4, 2, max_batch=5, max_window=2, seed=1) as cx:
            cx.reset(3)
            cx.forward(rand(rng, 3, 2))
            cx.threads = 2
            with tempfile.TemporaryDirectory() as tmp:
                path = os.path.join(tmp, "cx.ckpt")
                cx.save(path)
                loaded = [ccrnn.Cortex.load(path), ccrnn.Cortex.from_bytes(cx.to_bytes())]
            for cy in loaded:
                with cy:
                    self.assertEqual(cy.batch, 3)  # probed: the C API has no batch query
                    self.assertEqual(cy.shape, cx.shape)
                    self.assertEqual(cy.threads, 2)
                    np.testing.assert_array_equal(cy.params, cx.params)
                    np.testing.assert_array_equal(cy.get_state(), cx.get_state())
                    self.assertEqual(cy.window_length, 0)  # the tape is not saved

    def test_cerebellum_round_trips(self):
        with ccrnn.Cerebellum(6, n_hidden_layers=1, width=8, seed=2) as cb:
            cb.set_fibres(2, seed=3)
            cb.io_lesion = True
            with ccrnn.Cerebellum.from_bytes(cb.to_bytes()) as cc:
                self.assertEqual(cc.shape, cb.shape)
                self.assertTrue(cc.io_lesion)
                np.testing.assert_array_equal(cc.params, cb.params)

    def test_optimizer_state_resumes_training_exactly(self):
        def make():
            cx = ccrnn.Cortex("tanh", 1, 4, 1, seed=5)
            opt = ccrnn.Optimizer("adam", lr=1e-2)
            opt.add_cortex(cx)
            return cx, opt

        def train(cx, opt, steps):
            for _ in range(steps):
                cx.reset()
                cx.begin_window()
                y = cx.forward(np.ones((1, 1), F))
                cx.output_grad(0, y)
                cx.backward(start_grad=False)
                opt.step()

        cx, opt = make()
        train(cx, opt, 3)
        saved_cx, saved_opt = cx.to_bytes(), opt.to_bytes()
        train(cx, opt, 3)
        cy = ccrnn.Cortex.from_bytes(saved_cx)
        resumed = ccrnn.Optimizer("adam")
        resumed.add_cortex(cy)
        resumed.load_bytes(saved_opt)
        self.assertEqual(resumed.steps, 3)
        self.assertAlmostEqual(resumed.lr, 1e-2)
        train(cy, resumed, 3)
        np.testing.assert_array_equal(cy.params, cx.params)
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "opt.ckpt")
            resumed.save(path)
            opt.load(path)
        for h in (opt, resumed, cx, cy):
            h.close()


class LayoutTest(unittest.TestCase):
    def setUp(self):
        self.cx = ccrnn.Cortex("tanh", 2, 3, 2, max_batch=2, seed=1)
        self.cx.reset(2)

    def tearDown(self):
        self.cx.close()

    def test_wrong_dtype_is_refused(self):
        with self.assertRaises(ccrnn.LayoutError) as err:
            self.cx.forward(np.zeros((2, 2)))
        self.assertIn("float64", str(err.exception))
        with self.assertRaises(ccrnn.LayoutError):
            self.cx.forward([[0, 0], [0, 0]])

    def test_non_contiguous_is_refused_and_as_f32_converts(self):
        big = np.zeros((2, 4), F)
        with self.assertRaises(ccrnn.LayoutError) as err:
            self.cx.forward(big[:, ::2])
        self.assertIn("C-contiguous", str(err.exception))
        self.cx.forward(ccrnn.as_f32(big[:, ::2]))
        self.assertTrue(np.shares_memory(ccrnn.as_f32(big), big))  # no copy when not needed

    def test_contiguous_views_are_written_in_place(self):
        buf = np.full((3, 2, 2), -1, F)
        y = self.cx.forward(np.zeros((2, 2), F), out=buf[1])
        self.assertTrue(np.shares_memory(y, buf))
        self.assertFalse(np.any(buf[1] == -1))
        self.assertTrue(np.all(buf[0] == -1) and np.all(buf[2] == -1))

    def test_read_only_output_is_refused(self):
        out = np.zeros((2, 2), F)
        out.flags.writeable = False
        with self.assertRaises(ccrnn.LayoutError):
            self.cx.forward(np.zeros((2, 2), F), out=out)

    def test_wrong_shape_is_a_shape_error_before_the_call(self):
        with self.assertRaises(ccrnn.ShapeError) as err:
            self.cx.forward(np.zeros((2, 3), F))
        self.assertTrue(str(err.exception).startswith("Cortex.forward: x has shape (2, 3)"))
        self.assertEqual(err.exception.status, ccrnn.Status.ERR_SHAPE)
        self.assertEqual(self.cx.window_length, 0)


class CerebellumTest(unittest.TestCase):
    def setUp(self):
        self.rng = np.random.default_rng(11)

    def test_shape_and_zero_initial_prediction(self):
        with ccrnn.Cerebellum(6, n_hidden_layers=2, width=16, max_batch=3, seed=1) as cb:
            self.assertEqual(cb.shape, (6, 0, 6, 2, 16, 3))
            self.assertEqual(cb.tensor_names(), ["%d.%s" % (2 * i, k) for i in range(3)
                                                  for k in ("weight", "bias")])
            p = cb.predict(rand(self.rng, 3, 6))
            np.testing.assert_array_equal(p, np.zeros((3, 6), F))
            self.assertEqual(np.abs(cb.tensor("4.weight")).max(), 0.0)

    def test_predict_matches_numpy_mlp(self):
        rng = self.rng
        with ccrnn.Cerebellum(4, n_out=3, n_ctx=2, n_hidden_layers=1, width=5, max_batch=2,
                              seed=3, flags=ccrnn.CerebellumFlag.ZERO_LAST_WEIGHT_ONLY) as cb:
            cb.set_tensor("2.weight", rand(rng, 3, 5))
            inp, ctx = rand(rng, 2, 4), rand(rng, 2, 2)
            t = {n: cb.get_tensor(n).astype(np.float64) for n in cb.tensor_names()}
            self.assertNotEqual(np.abs(t["2.bias"]).max(), 0.0)  # flag kept the bias
            a = np.maximum(np.hstack([inp, ctx]) @ t["0.weight"].T + t["0.bias"], 0)
            want = a @ t["2.weight"].T + t["2.bias"]
            np.testing.assert_allclose(cb.predict(inp, ctx), want, rtol=1e-5, atol=1e-6)
            np.testing.assert_allclose(cb.hidden(0), a, rtol=1e-5, atol=1e-6)
            target = rand(rng, 2, 3)
            loss = cb.learn(inp, target, ctx)
            self.assertAlmostEqual(loss, float(((want - target) ** 2).sum()), places=3)
            dout = 2 * (want - target)
            np.testing.assert_allclose(cb.grad_tensor("2.weight"), dout.T @ a,
                                       rtol=1e-4, atol=1e-5)
            cb.loss_mean = True
            self.assertTrue(cb.loss_mean)
            cb.zero_grad()
            loss_mean = cb.learn(inp, target, ctx)
            self.assertAlmostEqual(loss_mean, loss / 2, places=4)

    def test_flags_and_params(self):
        rng = self.rng
        with ccrnn.Cerebellum(4, n_hidden_layers=1, width=8, max_batch=2, seed=1) as cb:
            cb.set_tensor("2.weight", rand(rng, 4, 8))
            inp = rand(rng, 2, 4)
            self.assertGreater(np.abs(cb.predict(inp)).max(), 0)
            cb.ablated = True
            self.assertTrue(cb.ablated)
            np.testing.assert_array_equal(cb.predict(inp), np.zeros((2, 4), F))
            self.assertEqual(cb.learn(inp, rand(rng, 2, 4)), 0.0)
            cb.ablated = False
            cb.io_lesion = True
            self.assertGreater(np.abs(cb.predict(inp)).max(), 0)
            self.assertEqual(cb.learn(inp, rand(rng, 2, 4)), 0.0)
            cb.io_lesion = False
            cb.threads = 2
            self.assertEqual(cb.threads, 2)
            self.assertEqual(cb.get_param(ccrnn.Param.ABLATED), 0.0)

    def test_fibres_mask_input_weights(self):
        with ccrnn.Cerebellum(10, n_hidden_layers=1, width=7, seed=1) as cb:
            cb.set_fibres(3, seed=5)
            w = cb.tensor("0.weight")
            self.assertEqual(list((w != 0).sum(axis=1)), [3] * 7)

    def test_clone(self):
        with ccrnn.Cerebellum(3, n_hidden_layers=1, width=4, seed=1) as cb, cb.clone() as cp:
            np.testing.assert_array_equal(cp.params, cb.params)
            self.assertFalse(np.shares_memory(cp.params, cb.params))

    def test_synthetic_gradient_glue(self):
        rng = self.rng
        with ccrnn.Cortex("lstm", 2, 3, 1, max_batch=2, max_window=2, seed=1) as cx, \
                ccrnn.Cerebellum(6, n_hidden_layers=1, width=8, max_batch=2, seed=2) as cb:
            cb.set_tensor("2.weight", rand(rng, 6, 8))
            cx.reset(2)
            cx.begin_window()
            cx.forward(rand(rng, 2, 2))
            dz = cb.synthetic_gradient(cx, 0.1)
            np.testing.assert_allclose(dz, 0.1 * cb.predict(cx.get_state()), rtol=1e-6)
            dz2 = ccrnn.synthetic_gradient(cb, cx, scale=0.5)
            np.testing.assert_allclose(dz2, 5 * dz, rtol=1e-5)
            ds = cx.backward(dz)
            with cb.clone() as twin:
                want = twin.learn(cx.window_start_state(), ds)
                loss = cb.synthetic_gradient_learn(cx, ds)
                self.assertAlmostEqual(loss, want, places=6)
                np.testing.assert_allclose(cb.grads, twin.grads, rtol=1e-6)
            self.assertGreaterEqual(ccrnn.synthetic_gradient_learn(cb, cx, ds), 0.0)


class OptimizerTest(unittest.TestCase):
    def test_parameters(self):
        with ccrnn.Optimizer("adam", lr=1e-3, beta1=0.8, beta2=0.98, eps=1e-9,
                             clip_norm=1.0, weight_decay=0.0) as opt:
            self.assertAlmostEqual(opt.lr, 1e-3)
            self.assertAlmostEqual(opt.beta1, 0.8)
            self.assertAlmostEqual(opt.beta2, 0.98)
            self.assertAlmostEqual(opt.eps, 1e-9)
            self.assertEqual(opt.clip_norm, 1.0)
            opt.momentum = 0.5
            opt.alpha = 0.9
            self.assertEqual((opt.momentum, opt.alpha), (0.5, 0.9))
            self.assertEqual(opt.steps, 0)
            self.assertEqual(opt.grad_norm, 0.0)
            with self.assertRaises(AttributeError):
                opt.steps = 3
            with self.assertRaises(ccrnn.ArgError) as err:
                opt.set_param(ccrnn.Param.STEPS, 3)
            self.assertIn("read-only", str(err.exception))
        with self.assertRaises(TypeError):
            ccrnn.Optimizer("adam", learning_rate=1)
        for kind in ("sgd", "rmsprop", ccrnn.OptimizerKind.ADAM):
            ccrnn.Optimizer(kind).close()

    def test_sgd_on_host_params(self):
        values = np.array([1.0, 2.0, 3.0], F)
        grads = np.array([0.5, -1.0, 2.0], F)
        with ccrnn.Optimizer("sgd", lr=0.1) as opt:
            g = opt.add_params(values, grads)
            self.assertEqual(g, 0)
            opt.step()
            np.testing.assert_allclose(values, [0.95, 2.1, 2.8], rtol=1e-6)
            np.testing.assert_array_equal(grads, np.zeros(3, F))
            self.assertAlmostEqual(opt.grad_norm, np.sqrt(0.25 + 1 + 4), places=5)
            self.assertEqual(opt.steps, 1)
            grads[:] = 1.0
            opt.freeze(g)
            self.assertEqual(opt.get_group_param(g, ccrnn.GroupParam.FROZEN), 1.0)
            opt.step()
            np.testing.assert_allclose(values, [0.95, 2.1, 2.8], rtol=1e-6)
            opt.freeze(g, False)
            opt.set_lr_scale(g, 2.0)
            self.assertEqual(opt.get_group_param(g, ccrnn.GroupParam.LR_SCALE), 2.0)
            grads[:] = 1.0
            opt.zero_grad()
            np.testing.assert_array_equal(grads, np.zeros(3, F))
            grads[:] = 1.0
            opt.clip_norm = 0.5
            opt.step()  # clipped to norm 0.5: each of 3 equal grads -> 0.5/sqrt(3)
            np.testing.assert_allclose(values, [0.95, 2.1, 2.8] - 0.2 * 0.5 / np.sqrt(3),
                                       rtol=1e-5)
        with ccrnn.Optimizer("sgd") as opt, self.assertRaises(ccrnn.ShapeError):
            opt.add_params(np.zeros(3, F), np.zeros(2, F))

    def test_trains_cortex_and_cerebellum(self):
        rng = np.random.default_rng(2)
        with ccrnn.Cortex("tanh", 1, 8, 1, max_batch=4, max_window=4, seed=1) as cx, \
                ccrnn.Cerebellum(8, n_hidden_layers=1, width=16, max_batch=4, seed=2) as cb, \
                ccrnn.Optimizer("adam", lr=1e-2) as opt:
            self.assertEqual(opt.add_cortex(cx), 0)
            self.assertEqual(opt.add_cerebellum(cb), 1)
            with self.assertRaises(ccrnn.ArgError):
                opt.add_cortex(cx)
            x = rand(rng, 4, 1)
            target = np.tanh(x).astype(F)
            losses = []
            for _ in range(60):
                cx.reset(4)
                cx.begin_window()
                y = cx.forward(x)
                loss, dy = ccrnn.mse(y, target)
                losses.append(loss)
                cx.output_grad(0, dy)
                ds = cx.backward(cb.synthetic_gradient(cx, 0.1))
                cb.synthetic_gradient_learn(cx, ds)
                before = cx.params.copy()
                opt.step()
                self.assertFalse(np.array_equal(before, cx.params))
            self.assertLess(losses[-1], 0.1 * losses[0])
            self.assertEqual(opt.steps, 60)
            opt.zero_grad()


class LossTest(unittest.TestCase):
    def test_mse(self):
        rng = np.random.default_rng(1)
        y, t = rand(rng, 5, 3), rand(rng, 5, 3)
        loss, dy = ccrnn.mse(y, t)
        e = y.astype(np.float64) - t
        self.assertAlmostEqual(loss, (e ** 2).sum() / 15, places=5)
        np.testing.assert_allclose(dy, 2 * e / 15, rtol=1e-5)
        mask = np.array([1, 0, 1, 0, 0], F)
        loss, dy = ccrnn.mse(y, t, mask=mask, denom=2.0)
        self.assertAlmostEqual(loss, ((e ** 2).sum(1) * mask).sum() / 2, places=5)
        self.assertEqual(np.abs(dy[1]).max(), 0.0)
        loss2, none = ccrnn.mse(y, t, grad=False)
        self.assertIsNone(none)

    def test_softmax_xent(self):
        logits = np.array([[2.0, 0.0, 0.0], [0.0, 1.0, 0.0], [5.0, 5.0, 0.0]], F)
        labels = np.array([0, 2, -1], np.int32)
        loss, dy, correct = ccrnn.softmax_xent(logits, labels)
        l64 = logits.astype(np.float64)
        p = np.exp(l64) / np.exp(l64).sum(1, keepdims=True)
        want = (-np.log(p[0, 0]) - np.log(p[1, 2])) / 2
        self.assertAlmostEqual(loss, want, places=6)
        self.assertEqual(correct, 1)
        np.testing.assert_allclose(dy[0], (p[0] - [1, 0, 0]) / 2, rtol=1e-5)
        np.testing.assert_array_equal(dy[2], np.zeros(3, F))
        with self.assertRaises(ccrnn.LayoutError):
            ccrnn.softmax_xent(logits, np.array([0, 1, 2]))
        with self.assertRaises(ccrnn.ArgError) as err:
            ccrnn.softmax_xent(logits, np.array([0, 1, 3], np.int32))
        self.assertIn("label 3", str(err.exception))


class LifetimeTest(unittest.TestCase):
    def test_close_is_idempotent_and_closed_use_raises(self):
        cx = ccrnn.Cortex("tanh", 1, 2, 1)
        cx.close()
        cx.close()
        self.assertTrue(cx.closed)
        with self.assertRaises(ccrnn.StateError) as err:
            cx.forward(np.zeros(1, F))
        self.assertIn("closed", str(err.exception))
        with self.assertRaises(ccrnn.StateError):
            cx.params  # noqa: B018

    def test_attached_objects_close_after_the_optimizer(self):
        cx = ccrnn.Cortex("tanh", 1, 2, 1)
        cb = ccrnn.Cerebellum(2, n_hidden_layers=0)
        opt = ccrnn.Optimizer()
        opt.add_cortex(cx)
        opt.add_cerebellum(cb)
        with self.assertRaises(ccrnn.StateError):
            cx.close()
        with self.assertRaises(ccrnn.StateError):
            cb.close()
        self.assertFalse(cx.closed)
        opt.close()
        cx.close()
        cb.close()
        self.assertTrue(cx.closed and cb.closed)

    def test_with_block_frees(self):
        with ccrnn.Cortex("tanh", 1, 2, 1) as cx:
            self.assertFalse(cx.closed)
        self.assertTrue(cx.closed)
        self.assertFalse(cx._finalizer.alive)


class WindowEndTest(unittest.TestCase):
    """ccrnn.window_end is the step-wise window end in one call: the same window-start
    gradient, cerebellum loss and gradients as synthetic_gradient + backward + learn."""

    def run_window(self, one_call, flags=0):
        rng = np.random.default_rng(5)
        with ccrnn.Cortex("lstm", 2, 6, 3, max_batch=4, max_window=3, seed=1) as cx, \
                ccrnn.Cerebellum(12, n_hidden_layers=1, width=20, max_batch=4, seed=2) as cb:
            last = cb.tensors()[-2].name  # a nonzero prediction, so injection matters
            cb.set_tensor(last, rng.standard_normal(
                cb.tensor_shape(cb.tensor_info(last))).astype(np.float32) * 0.1)
            cx.reset(4)
            cx.begin_window()
            for t in range(3):
                y = cx.forward(rng.standard_normal((4, 2)).astype(np.float32))
                cx.output_grad(t, ccrnn.mse(y, np.zeros_like(y))[1])
            if one_call:
                loss, dz = ccrnn.window_end(cx, cb, scale=0.1, flags=flags, start_grad=True)
            else:
                inject = not flags & ccrnn.WindowFlag.NO_SYNTHETIC
                dz = cx.backward(cb.synthetic_gradient(cx, 0.1) if inject else None)
                loss = 0.0 if flags & ccrnn.WindowFlag.NO_LEARN else \
                    cb.synthetic_gradient_learn(cx, dz)
            return loss, dz, cx.grads.copy(), cb.grads.copy()

    def test_same_as_the_step_wise_calls(self):
        for flags in (0, ccrnn.WindowFlag.NO_SYNTHETIC, ccrnn.WindowFlag.NO_LEARN):
            with self.subTest(flags=flags):
                a, b = self.run_window(False, flags), self.run_window(True, flags)
                self.assertAlmostEqual(a[0], b[0], places=6)
                for x, y in zip(a[1:], b[1:]):
                    np.testing.assert_allclose(x, y, rtol=1e-6, atol=1e-7)
        self.assertGreater(np.abs(self.run_window(True)[3]).max(), 0)  # it learned


if __name__ == "__main__":
    unittest.main(verbosity=2)
