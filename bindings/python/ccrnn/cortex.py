"""The cortex: one recurrent layer plus a linear readout, stepped by the host."""
import collections
import ctypes
import os

import numpy as np

from ._arrays import check_in, check_out, check_opt_in
from ._handle import Attachable, bytes_buffer, save_to_bytes, save_to_path
from ._lib import lib, check, function, CX
from .constants import Cell, Param

Shape = collections.namedtuple(
    "Shape", "cell n_in n_hidden n_out state_size max_batch max_window")

_CELL_NAMES = {"lstm": Cell.LSTM, "tanh": Cell.TANH, "rnn": Cell.TANH, "gru": Cell.GRU}


def _cell(cell):
    if isinstance(cell, str):
        try:
            return int(_CELL_NAMES[cell.lower()])
        except KeyError:
            raise ValueError("unknown cell %r (lstm, tanh, gru)" % cell) from None
    return int(cell)


class Cortex(Attachable):
    """ccrnn_cortex: create with the cell kind and sizes, then drive windows.

    Arrays: float32, C-contiguous, shape (batch, n) or 1-D with batch*n values;
    outputs are allocated when `out` is None, else written in place (see _arrays).
    Every method raises a CcrnnError subclass on a non-OK status.
    """

    _kind = "Cortex"
    _destroy_name = "ccrnn_cortex_destroy"
    # params/grads views (Attachable): weight_ih_l0, weight_hh_l0, bias_ih_l0, bias_hh_l0,
    # readout.weight, readout.bias, flat in PyTorch's layout
    _params_fn = lib.ccrnn_cortex_params

    def __init__(self, cell, n_in, n_hidden, n_out, max_batch=1, max_window=1, seed=0):
        out = CX()
        check(lib.ccrnn_cortex_create(_cell(cell), n_in, n_hidden, n_out, max_batch,
                                      max_window, seed, ctypes.byref(out)))
        self._init_from(out, max_batch)

    def _init_from(self, pointer, batch):
        self._adopt(pointer)
        self._init_attach()
        self.shape = self._query_shape()
        self._batch = batch

    def _query_shape(self):
        cell = ctypes.c_int()
        sizes = [ctypes.c_size_t() for _ in range(6)]
        check(lib.ccrnn_cortex_shape(self._p(), ctypes.byref(cell),
                                     *[ctypes.byref(s) for s in sizes]))
        return Shape(Cell(cell.value), *[s.value for s in sizes])

    # sizes ---------------------------------------------------------------------------
    cell = property(lambda self: self.shape.cell)
    n_in = property(lambda self: self.shape.n_in)
    n_hidden = property(lambda self: self.shape.n_hidden)
    n_out = property(lambda self: self.shape.n_out)
    state_size = property(lambda self: self.shape.state_size)
    max_batch = property(lambda self: self.shape.max_batch)
    max_window = property(lambda self: self.shape.max_window)

    @property
    def batch(self):
        """Active batch size (max_batch until the first reset)."""
        return self._batch

    @classmethod
    def _wrap(cls, pointer, batch=None):
        cx = cls.__new__(cls)
        cx._init_from(pointer, 0)
        cx._batch = cx._probe_batch() if batch is None else batch
        return cx

    def _probe_batch(self):
        """The active batch of a loaded cortex, asked of the library."""
        batch = ctypes.c_size_t()
        check(lib.ccrnn_cortex_batch(self._p(), ctypes.byref(batch)))
        return batch.value

    # checkpoints -----------------------------------------------------------------------
    def save(self, path):
        """Write a checkpoint file (parameters, gradients, state; not the tape)."""
        save_to_path("cortex", self._p(), path)

    def to_bytes(self):
        """The checkpoint as bytes."""
        return save_to_bytes("cortex", self._p())

    @classmethod
    def load(cls, path):
        """A new Cortex from a checkpoint file."""
        out = CX()
        check(function("ccrnn_cortex_load")(os.fsencode(path), ctypes.byref(out)))
        return cls._wrap(out)

    @classmethod
    def from_bytes(cls, data):
        """A new Cortex from checkpoint bytes."""
        buf, size = bytes_buffer(data)
        out = CX()
        check(function("ccrnn_cortex_load_mem")(buf, size, ctypes.byref(out)))
        return cls._wrap(out)

    def clone(self):
        """Deep copy (parameters, gradients, state and tape) as a new Cortex."""
        out = CX()
        check(lib.ccrnn_cortex_clone(self._p(), ctypes.byref(out)))
        return Cortex._wrap(out, self._batch)

    # hyperparameters -------------------------------------------------------------------
    def set_param(self, param, value):
        check(lib.ccrnn_cortex_set_param(self._p(), int(param), float(value)))

    def get_param(self, param):
        return self._get_param(lib.ccrnn_cortex_get_param, param)

    threads = property(lambda self: int(self.get_param(Param.THREADS)),
                       lambda self, v: self.set_param(Param.THREADS, v),
                       doc="BLIS threads for this handle (1..256)")
    training = property(lambda self: bool(self.get_param(Param.TRAINING)),
                        lambda self, v: self.set_param(Param.TRAINING, 1 if v else 0),
                        doc="True: forward records the window tape; False: inference")

    # windows and steps -----------------------------------------------------------------
    def reset(self, batch=None):
        """Zero the state, set the active batch (default: unchanged), empty window."""
        batch = self._batch if batch is None else int(batch)
        check(lib.ccrnn_cortex_reset(self._p(), batch))
        self._batch = batch

    def begin_window(self):
        """The current state becomes the detached window start; the tape is cleared."""
        check(lib.ccrnn_cortex_begin_window(self._p()))

    def forward(self, x, out=None, output=True):
        """One timestep on x (batch, n_in); returns y (batch, n_out), or None when
        output=False (the readout is skipped)."""
        where = "Cortex.forward"
        px = check_in(where, "x", x, (self._batch, self.n_in))
        if not output:
            check(lib.ccrnn_cortex_forward(self._p(), px, x.size, None, 0))
            return None
        y, py = check_out(where, "out", out, (self._batch, self.n_out))
        check(lib.ccrnn_cortex_forward(self._p(), px, x.size, py, y.size))
        return y

    def forward_steps(self, xs, out=None, output=True):
        """Several timesteps in one call (experimental, ccrnn_cortex_forward_steps):
        xs (steps, batch, n_in); returns ys (steps, batch, n_out), or None when
        output=False.  The same as forward per step, with the input projection of all
        steps in one product; all steps are taken or none."""
        where = "Cortex.forward_steps"
        xs = np.asarray(xs)
        steps = xs.shape[0] if xs.ndim == 3 else 0
        pxs = check_in(where, "xs", xs, (steps, self._batch, self.n_in))
        if not output:
            check(lib.ccrnn_cortex_forward_steps(self._p(), steps, pxs, xs.size, None, 0))
            return None
        ys, pys = check_out(where, "out", out, (steps, self._batch, self.n_out))
        check(lib.ccrnn_cortex_forward_steps(self._p(), steps, pxs, xs.size, pys, ys.size))
        return ys

    def output_grad(self, step, dy):
        """Add dL/dy (batch, n_out) for `step` of the current window."""
        pd = check_in("Cortex.output_grad", "dy", dy, (self._batch, self.n_out))
        check(lib.ccrnn_cortex_output_grad(self._p(), int(step), pd, dy.size))

    def hidden_grad(self, step, dh):
        """Add dL/dh (batch, n_hidden) at the hidden state of `step`."""
        pd = check_in("Cortex.hidden_grad", "dh", dh, (self._batch, self.n_hidden))
        check(lib.ccrnn_cortex_hidden_grad(self._p(), int(step), pd, dh.size))

    def backward(self, dz_end=None, out=None, start_grad=True):
        """BPTT through the window with dz_end (batch, state_size) or None injected at
        its end; parameter gradients accumulate.  Returns the gradient at the window
        start (batch, state_size), or None when start_grad=False."""
        where = "Cortex.backward"
        shape = (self._batch, self.state_size)
        pe, ne = check_opt_in(where, "dz_end", dz_end, shape)
        if not start_grad:
            check(lib.ccrnn_cortex_backward(self._p(), pe, ne, None, 0))
            return None
        ds, ps = check_out(where, "out", out, shape)
        check(lib.ccrnn_cortex_backward(self._p(), pe, ne, ps, ds.size))
        return ds

    def input_grad(self, out=None):
        """After backward: dL/dx of every step, (window_length, batch, n_in)."""
        shape = (self.window_length, self._batch, self.n_in)
        dx, px = check_out("Cortex.input_grad", "out", out, shape)
        check(lib.ccrnn_cortex_input_grad(self._p(), px, dx.size))
        return dx

    @property
    def window_length(self):
        steps = ctypes.c_size_t()
        check(lib.ccrnn_cortex_window_length(self._p(), ctypes.byref(steps)))
        return steps.value

    # state -----------------------------------------------------------------------------
    def _state_out(self, fn, where, out):
        z, pz = check_out(where, "out", out, (self._batch, self.state_size))
        check(fn(self._p(), pz, z.size))
        return z

    def get_state(self, out=None):
        """Current state z (batch, state_size): h, then c for an LSTM."""
        return self._state_out(lib.ccrnn_cortex_get_state, "Cortex.get_state", out)

    def window_start_state(self, out=None):
        """The state the current window started from."""
        return self._state_out(lib.ccrnn_cortex_window_start_state,
                               "Cortex.window_start_state", out)

    def set_state(self, z):
        """Set the current state (batch, state_size); also begins a new window."""
        pz = check_in("Cortex.set_state", "z", z, (self._batch, self.state_size))
        check(lib.ccrnn_cortex_set_state(self._p(), pz, z.size))

    def hidden(self, step, out=None):
        """Hidden activity h (batch, n_hidden) of `step` of the current window."""
        h, ph = check_out("Cortex.hidden", "out", out, (self._batch, self.n_hidden))
        check(lib.ccrnn_cortex_hidden(self._p(), int(step), ph, h.size))
        return h

    # parameters ------------------------------------------------------------------------
    def zero_grad(self):
        check(lib.ccrnn_cortex_zero_grad(self._p()))

    def tensors(self):
        """[TensorInfo(name, rows, cols, offset)] in PyTorch order and names."""
        return self._tensor_table(lib.ccrnn_cortex_tensor_count, lib.ccrnn_cortex_tensor_info)

    def get_tensor(self, name, out=None):
        """A copy of the named tensor (rows, cols), through ccrnn_cortex_get_tensor."""
        info = self._lookup(lib.ccrnn_cortex_get_tensor, name)
        buf, pb = check_out("Cortex.get_tensor", "out", out, self.tensor_shape(info))
        check(lib.ccrnn_cortex_get_tensor(self._p(), name.encode(), pb, buf.size))
        return buf

    def set_tensor(self, name, values):
        """Copy values (rows, cols) into the named tensor (NUMERIC on NaN/Inf)."""
        info = self._lookup(lib.ccrnn_cortex_set_tensor, name)
        pv = check_in("Cortex.set_tensor", "values", values, self.tensor_shape(info))
        check(lib.ccrnn_cortex_set_tensor(self._p(), name.encode(), pv, values.size))
