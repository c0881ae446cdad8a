#!/usr/bin/python3
"""Weights move between libccrnn and real torch modules, by name and shape.

For each cell (LSTM, tanh RNN, GRU): torch -> libccrnn and libccrnn -> torch through
state_dict()/load_state_dict(), each followed by the same sequence in both, which must
give the same outputs; and one window of full BPTT must give the same weight
gradients.  The cerebellum against an nn.Sequential MLP, and against a module named as
the reference ccDNI code names its synthesizer (input_trigger, input_context, layers.k)
and its whole model (rnn.rnn.*, rnn.backward_interface.synthesizer.*, linear.*).
.npz files and the converter (python3 -m ccrnn.convert) in both directions.
Exits 77 (skipped) without numpy or torch."""
import os
import subprocess
import sys
import tempfile
import unittest

import ffi_common

ccrnn = ffi_common.import_binding()
import numpy as np  # noqa: E402

try:
    import torch
    from torch import nn
except ImportError as exc:  # pragma: no cover
    ffi_common.skip("torch is not installed for %s (%s); install python3-torch"
                    % (sys.executable, exc))

torch.set_num_threads(1)
TOL = 2e-5
CELLS = {"lstm": nn.LSTM, "tanh": nn.RNN, "gru": nn.GRU}


def t2n(t):
    return t.detach().numpy()


def run_cortex(cx, xs):
    """Outputs (T, B, O) of the sequence xs (T, B, I) from a zero state."""
    cx.reset(xs.shape[1])
    cx.begin_window()
    return np.stack([cx.forward(np.ascontiguousarray(x)) for x in xs])


def run_torch(rnn, lin, xs):
    with torch.no_grad():
        out, _ = rnn(torch.from_numpy(xs))  # (T, B, H): batch_first=False
        return t2n(lin(out))


class TorchModels:
    def __init__(self, cell, n_in, hidden, n_out, seed):
        torch.manual_seed(seed)
        self.rnn = CELLS[cell](n_in, hidden)
        self.lin = nn.Linear(hidden, n_out)


class CortexTransferTest(unittest.TestCase):
    I, H, O, B, T = 3, 8, 2, 4, 6

    def sequence(self, seed=0):
        return np.random.default_rng(seed).standard_normal(
            (self.T, self.B, self.I)).astype(np.float32)

    def make(self, cell, seed):
        return ccrnn.Cortex(cell, self.I, self.H, self.O, max_batch=self.B,
                            max_window=self.T, seed=seed)

    def test_names_and_shapes_are_torchs(self):
        for cell, cls in CELLS.items():
            with self.subTest(cell=cell), self.make(cell, 1) as cx:
                m = TorchModels(cell, self.I, self.H, self.O, 0)
                want = {k: tuple(v.shape) for k, v in m.rnn.state_dict().items()}
                want.update({"readout." + k: tuple(v.shape)
                             for k, v in m.lin.state_dict().items()})
                got = {k: v.shape for k, v in cx.state_dict().items()}
                self.assertEqual(got, want)

    def test_torch_to_ccrnn_gives_the_same_outputs(self):
        xs = self.sequence()
        for cell in CELLS:
            with self.subTest(cell=cell), self.make(cell, 7) as cx:
                m = TorchModels(cell, self.I, self.H, self.O, 3)
                before = run_cortex(cx, xs)
                cx.load_state_dict(ccrnn.torchnames.join(rnn=m.rnn.state_dict(),
                                                         readout=m.lin.state_dict()))
                got, want = run_cortex(cx, xs), run_torch(m.rnn, m.lin, xs)
                self.assertGreater(np.abs(before - want).max(), 1e-2)  # it did change
                np.testing.assert_allclose(got, want, rtol=0, atol=TOL)

    def test_ccrnn_to_torch_gives_the_same_outputs(self):
        xs = self.sequence(1)
        for cell in CELLS:
            with self.subTest(cell=cell), self.make(cell, 11) as cx:
                m = TorchModels(cell, self.I, self.H, self.O, 5)
                sd = {k: torch.from_numpy(v) for k, v in cx.state_dict().items()}
                m.rnn.load_state_dict(ccrnn.torchnames.split(
                    {k: v for k, v in sd.items() if not k.startswith("readout.")}, ""))
                m.lin.load_state_dict(ccrnn.torchnames.split(sd, "readout."))
                np.testing.assert_allclose(run_torch(m.rnn, m.lin, xs), run_cortex(cx, xs),
                                           rtol=0, atol=TOL)

    def test_one_window_of_bptt_gives_torchs_gradients(self):
        xs = self.sequence(2)
        target = np.random.default_rng(3).standard_normal(
            (self.T, self.B, self.O)).astype(np.float32)
        for cell in CELLS:
            with self.subTest(cell=cell), self.make(cell, 13) as cx:
                m = TorchModels(cell, self.I, self.H, self.O, 9)
                cx.load_state_dict(ccrnn.torchnames.join(rnn=m.rnn.state_dict(),
                                                         readout=m.lin.state_dict()))
                cx.zero_grad()
                ys = run_cortex(cx, xs)
                denom = float(target.size)
                for t in range(self.T):
                    _, dy = ccrnn.mse(ys[t], target[t], denom=denom)
                    cx.output_grad(t, dy)
                cx.backward()
                out, _ = m.rnn(torch.from_numpy(xs))
                loss = ((m.lin(out) - torch.from_numpy(target)) ** 2).sum() / denom
                loss.backward()
                grads = {k: t2n(p.grad) for k, p in m.rnn.named_parameters()}
                grads.update({"readout." + k: t2n(p.grad) for k, p in m.lin.named_parameters()})
                for t in cx.tensors():
                    name = ccrnn.torchnames.cortex_name(ccrnn.torchnames.cortex_role(t.name))
                    np.testing.assert_allclose(cx.grad_tensor(t.name), grads[name], rtol=0,
                                               atol=1e-5, err_msg="%s %s" % (cell, name))

    def test_a_wrong_dict_is_refused_and_changes_nothing(self):
        with self.make("lstm", 1) as cx:
            before = cx.params.copy()
            sd = cx.state_dict()
            bad = {k: v + 1 for k, v in sd.items()}
            del bad["bias_hh_l0"]
            with self.assertRaises(KeyError):
                cx.load_state_dict(bad)
            bad = {k: v + 1 for k, v in sd.items()}
            bad["weight_hh_l0"] = bad["weight_hh_l0"][:, :-1]
            with self.assertRaises(ValueError):
                cx.load_state_dict(bad)
            bad = dict(sd, extra=np.zeros(1, np.float32))
            with self.assertRaises(KeyError):
                cx.load_state_dict(bad)
            np.testing.assert_array_equal(cx.params, before)
            cx.load_state_dict(bad, strict=False)  # extra names ignored when not strict


def sequential(sizes):
    layers = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers += [nn.Linear(a, b)] + ([nn.ReLU()] if i < len(sizes) - 2 else [])
    return nn.Sequential(*layers)


class ReferenceSynthesizer(nn.Module):
    """Named as the reference ccDNI BasicSynthesizer: a trigger Linear and a context
    Linear that add, then `layers` with a ReLU before each."""

    def __init__(self, n_in, n_ctx, n_out, n_hidden, width):
        super().__init__()
        top = n_out if n_hidden == 0 else width
        self.input_trigger = nn.Linear(n_in, top)
        self.input_context = nn.Linear(n_ctx, top) if n_ctx else None
        self.layers = nn.ModuleList(
            nn.Linear(width, width if j < n_hidden - 1 else n_out) for j in range(n_hidden))

    def forward(self, trigger, context=None):
        h = self.input_trigger(trigger)
        if self.input_context is not None:
            h = h + self.input_context(context)
        for layer in self.layers:
            h = layer(torch.relu(h))
        return h


class CerebellumTransferTest(unittest.TestCase):
    N_IN, N_CTX, N_OUT, LAYERS, WIDTH, B = 6, 2, 6, 2, 16, 5

    def make(self, seed, n_ctx=0):
        cb = ccrnn.Cerebellum(self.N_IN, n_out=self.N_OUT, n_ctx=n_ctx,
                              n_hidden_layers=self.LAYERS, width=self.WIDTH,
                              max_batch=self.B, seed=seed)
        # nonzero last layer, so that predictions test every tensor
        last = cb.tensors()[-2].name
        cb.set_tensor(last, np.random.default_rng(seed).standard_normal(
            cb.tensor_shape(cb.tensor_info(last))).astype(np.float32) * 0.3)
        return cb

    def inputs(self, n, seed=4):
        return np.random.default_rng(seed).standard_normal((self.B, n)).astype(np.float32)

    def test_sequential_both_ways(self):
        torch.manual_seed(0)
        seq = sequential([self.N_IN + self.N_CTX] + [self.WIDTH] * self.LAYERS + [self.N_OUT])
        x, c = self.inputs(self.N_IN), self.inputs(self.N_CTX, 5)
        with self.make(1, self.N_CTX) as cb:
            self.assertEqual(sorted(cb.state_dict()), sorted(seq.state_dict()))
            cb.load_state_dict(seq.state_dict())
            with torch.no_grad():
                want = t2n(seq(torch.from_numpy(np.concatenate([x, c], axis=1))))
            np.testing.assert_allclose(cb.predict(x, c), want, rtol=0, atol=TOL)
        with self.make(2, self.N_CTX) as cb:
            seq.load_state_dict({k: torch.from_numpy(v) for k, v in cb.state_dict().items()})
            with torch.no_grad():
                got = t2n(seq(torch.from_numpy(np.concatenate([x, c], axis=1))))
            np.testing.assert_allclose(got, cb.predict(x, c), rtol=0, atol=TOL)

    def test_reference_synthesizer_names_both_ways(self):
        x, c = self.inputs(self.N_IN), self.inputs(self.N_CTX, 5)
        for n_ctx in (0, self.N_CTX):
            with self.subTest(n_ctx=n_ctx):
                torch.manual_seed(n_ctx)
                ref = ReferenceSynthesizer(self.N_IN, n_ctx, self.N_OUT, self.LAYERS,
                                           self.WIDTH)
                ctx = c if n_ctx else None
                tctx = torch.from_numpy(c) if n_ctx else None
                with self.make(3, n_ctx) as cb:
                    # layers.0 of the reference is the library's second Linear ("2.*")
                    self.assertEqual(sorted(cb.state_dict("ccdni")), sorted(ref.state_dict()))
                    cb.load_state_dict(ref.state_dict())  # style detected
                    with torch.no_grad():
                        want = t2n(ref(torch.from_numpy(x), tctx))
                    np.testing.assert_allclose(cb.predict(x, ctx), want, rtol=0, atol=TOL)
                with self.make(4, n_ctx) as cb:
                    ref.load_state_dict({k: torch.from_numpy(v)
                                         for k, v in cb.state_dict("ccdni").items()})
                    with torch.no_grad():
                        got = t2n(ref(torch.from_numpy(x), tctx))
                    np.testing.assert_allclose(got, cb.predict(x, ctx), rtol=0, atol=TOL)


class ReferenceModel(nn.Module):
    """Named as the reference code's RNNPredictor around RNNdni: rnn.rnn (the LSTM),
    rnn.backward_interface.synthesizer, linear (the readout)."""

    def __init__(self, n_in, hidden, n_out, synth_layers, width):
        super().__init__()
        self.rnn = nn.Module()
        self.rnn.rnn = nn.LSTM(n_in, hidden, batch_first=True)
        self.rnn.backward_interface = nn.Module()
        self.rnn.backward_interface.synthesizer = ReferenceSynthesizer(
            2 * hidden, 0, 2 * hidden, synth_layers, width)
        self.linear = nn.Linear(hidden, n_out)


class ReferenceModelTest(unittest.TestCase):
    def test_whole_model_both_ways(self):
        torch.manual_seed(0)
        ref = ReferenceModel(1, 5, 2, 2, 12)
        with ccrnn.Cortex("lstm", 1, 5, 2, seed=1) as cx, \
                ccrnn.Cerebellum(10, n_hidden_layers=2, width=12, seed=2) as cb:
            self.assertEqual(sorted(ccrnn.ccdni_state_dict(cx, cb)), sorted(ref.state_dict()))
            ccrnn.load_ccdni_state_dict({"model-state": ref.state_dict()}, cx, cb)
            back = ccrnn.ccdni_state_dict(cx, cb)
            for k, v in ref.state_dict().items():
                np.testing.assert_array_equal(back[k], t2n(v), err_msg=k)
            ref2 = ReferenceModel(1, 5, 2, 2, 12)
            ref2.load_state_dict({k: torch.from_numpy(v) for k, v in back.items()})

    def test_crnn_model_names(self):
        torch.manual_seed(0)
        rnn, lin = nn.RNN(2, 4), nn.Linear(4, 3)
        ref = {"rnn." + k: v for k, v in rnn.state_dict().items()}
        ref.update({"linear." + k: v for k, v in lin.state_dict().items()})
        with ccrnn.Cortex("tanh", 2, 4, 3) as cx:
            self.assertEqual(sorted(ccrnn.ccdni_state_dict(cx)), sorted(ref))
            ccrnn.load_ccdni_state_dict(ref, cx)
            np.testing.assert_array_equal(cx.state_dict()["readout.weight"],
                                          t2n(lin.weight))


class FilesTest(unittest.TestCase):
    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory()
        self.dir = self._tmp.name

    def tearDown(self):
        self._tmp.cleanup()

    def path(self, name):
        return os.path.join(self.dir, name)

    def convert(self, *args):
        env = dict(os.environ, PYTHONPATH=str(ffi_common.PYTHON_DIR))
        proc = subprocess.run([sys.executable, "-m", "ccrnn.convert", *args], env=env,
                              capture_output=True, text=True, timeout=120)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        return proc.stdout

    def test_npz_is_numpy_readable_and_round_trips(self):
        with ccrnn.Cortex("gru", 3, 6, 2, max_batch=4, max_window=5, seed=3) as cx:
            cx.save_npz(self.path("cx.npz"))
            with np.load(self.path("cx.npz"), allow_pickle=False) as data:
                self.assertEqual(data["bias_ih_l0"].shape, (18,))
                np.testing.assert_array_equal(data["weight_hh_l0"],
                                              cx.state_dict()["weight_hh_l0"])
            with ccrnn.load_npz(self.path("cx.npz")) as back:
                self.assertEqual(back.shape, cx.shape)
                np.testing.assert_array_equal(back.params, cx.params)

    def test_npz_written_by_hand_from_torch(self):
        """A PyTorch user's own np.savez of state_dicts (no "_ccrnn" entry): the sizes
        are inferred from the shapes; a Sequential's context width is an option."""
        torch.manual_seed(2)
        gru, lin = nn.GRU(3, 5), nn.Linear(5, 2)
        state = ccrnn.torchnames.join(rnn=gru.state_dict(), readout=lin.state_dict())
        np.savez(self.path("gru.npz"), **{k: t2n(v) for k, v in state.items()})
        with ccrnn.load_npz(self.path("gru.npz")) as cx:
            self.assertEqual((cx.cell, cx.n_in, cx.n_hidden, cx.n_out),
                             (ccrnn.Cell.GRU, 3, 5, 2))
            for k, v in cx.state_dict().items():
                np.testing.assert_array_equal(v, t2n(state[k]), err_msg=k)
        seq = sequential([7, 9, 4])
        np.savez(self.path("seq.npz"), **{k: t2n(v) for k, v in seq.state_dict().items()})
        self.convert(self.path("seq.npz"), self.path("seq.ckpt"), "--n-ctx", "3")
        with ccrnn.Cerebellum.load(self.path("seq.ckpt")) as cb:
            self.assertEqual((cb.n_in, cb.n_ctx, cb.n_out, cb.n_hidden_layers, cb.width),
                             (4, 3, 4, 1, 9))

    def test_converter_checkpoint_torch_npz_and_back(self):
        with ccrnn.Cortex("lstm", 2, 7, 3, max_batch=2, max_window=4, seed=5) as cx:
            cx.save(self.path("cx.ckpt"))
            self.convert(self.path("cx.ckpt"), self.path("cx.pt"))
            sd = torch.load(self.path("cx.pt"))
            lstm = nn.LSTM(2, 7)
            lstm.load_state_dict({k: v for k, v in sd.items() if not k.startswith("readout.")})
            self.convert(self.path("cx.pt"), self.path("cx.npz"))
            self.convert(self.path("cx.npz"), self.path("back.ckpt"), "--max-window", "4")
            with ccrnn.Cortex.load(self.path("back.ckpt")) as back:
                np.testing.assert_array_equal(back.params, cx.params)
                self.assertEqual(back.max_window, 4)

    def test_converter_reference_model_file_to_both_parts(self):
        torch.manual_seed(1)
        ref = ReferenceModel(1, 5, 2, 1, 9)
        torch.save({"model-state": ref.state_dict()}, self.path("ref.pt"))
        self.convert(self.path("ref.pt"), self.path("cx.ckpt"), "--part", "cortex")
        self.convert(self.path("ref.pt"), self.path("cb.ckpt"), "--part", "cerebellum")
        with ccrnn.Cortex.load(self.path("cx.ckpt")) as cx, \
                ccrnn.Cerebellum.load(self.path("cb.ckpt")) as cb:
            back = ccrnn.ccdni_state_dict(cx, cb)
            for k, v in ref.state_dict().items():
                np.testing.assert_array_equal(back[k], t2n(v), err_msg=k)
        self.convert(self.path("cb.ckpt"), self.path("cb.pt"), "--style", "ccdni")
        ref.rnn.backward_interface.synthesizer.load_state_dict(torch.load(self.path("cb.pt")))


if __name__ == "__main__":
    unittest.main(verbosity=2)
