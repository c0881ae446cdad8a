"""The cerebellum (an MLP predictor) and the synthetic-gradient glue."""
import collections
import ctypes
import os

from ._arrays import check_in, check_out, check_opt_in
from ._handle import Attachable, bytes_buffer, save_to_bytes, save_to_path
from ._lib import lib, check, function, CB
from .constants import Param

Shape = collections.namedtuple("Shape", "n_in n_ctx n_out n_hidden_layers width max_batch")


def _flag_property(param, doc):
    return property(lambda self: bool(self.get_param(param)),
                    lambda self, v: self.set_param(param, 1 if v else 0), doc=doc)


class Cerebellum(Attachable):
    """ccrnn_cerebellum: out = C([in, ctx]) with n_hidden_layers ReLU layers of
    `width` units.  For a synthetic-gradient module n_in = n_out = the cortex's
    state_size (n_out defaults to n_in)."""

    _kind = "Cerebellum"
    _destroy_name = "ccrnn_cerebellum_destroy"
    # params/grads views (Attachable): 0.weight, 0.bias, 2.weight, ... (nn.Sequential names), flat
    _params_fn = lib.ccrnn_cerebellum_params

    def __init__(self, n_in, n_out=None, n_ctx=0, n_hidden_layers=1, width=None, max_batch=1,
                 seed=0, flags=0):
        n_out = n_in if n_out is None else n_out
        width = (2 * n_in if n_hidden_layers else 0) if width is None else width
        out = CB()
        check(lib.ccrnn_cerebellum_create(n_in, n_ctx, n_out, n_hidden_layers, width,
                                          max_batch, seed, int(flags), ctypes.byref(out)))
        self._init_from(out)

    def _init_from(self, pointer, last_batch=0):
        self._adopt(pointer)
        self._init_attach()
        sizes = [ctypes.c_size_t() for _ in range(6)]
        check(lib.ccrnn_cerebellum_shape(pointer, *[ctypes.byref(s) for s in sizes]))
        self.shape = Shape(*[s.value for s in sizes])
        self._last_batch = last_batch

    n_in = property(lambda self: self.shape.n_in)
    n_ctx = property(lambda self: self.shape.n_ctx)
    n_out = property(lambda self: self.shape.n_out)
    n_hidden_layers = property(lambda self: self.shape.n_hidden_layers)
    width = property(lambda self: self.shape.width)
    max_batch = property(lambda self: self.shape.max_batch)

    @classmethod
    def _wrap(cls, pointer, last_batch=0):
        cb = cls.__new__(cls)
        cb._init_from(pointer, last_batch)
        return cb

    def clone(self):
        out = CB()
        check(lib.ccrnn_cerebellum_clone(self._p(), ctypes.byref(out)))
        return Cerebellum._wrap(out, self._last_batch)

    # checkpoints -----------------------------------------------------------------------
    def save(self, path):
        """Write a checkpoint file (parameters, gradients, flags, fibre mask)."""
        save_to_path("cerebellum", self._p(), path)

    def to_bytes(self):
        return save_to_bytes("cerebellum", self._p())

    @classmethod
    def load(cls, path):
        out = CB()
        check(function("ccrnn_cerebellum_load")(os.fsencode(path), ctypes.byref(out)))
        return cls._wrap(out)

    @classmethod
    def from_bytes(cls, data):
        buf, size = bytes_buffer(data)
        out = CB()
        check(function("ccrnn_cerebellum_load_mem")(buf, size, ctypes.byref(out)))
        return cls._wrap(out)

    # hyperparameters -------------------------------------------------------------------
    def set_param(self, param, value):
        check(lib.ccrnn_cerebellum_set_param(self._p(), int(param), float(value)))

    def get_param(self, param):
        return self._get_param(lib.ccrnn_cerebellum_get_param, param)

    threads = property(lambda self: int(self.get_param(Param.THREADS)),
                       lambda self, v: self.set_param(Param.THREADS, v))
    ablated = _flag_property(Param.ABLATED, "predicts zeros and learns nothing")
    io_lesion = _flag_property(Param.IO_LESION, "frozen, but still predicts")
    loss_mean = _flag_property(Param.LOSS_MEAN, "learn's gradient divided by the batch")

    def set_fibres(self, n_fibres, seed=0):
        """Mossy-fibre sparsity: each input-layer row keeps n_fibres random inputs."""
        check(lib.ccrnn_cerebellum_set_fibres(self._p(), int(n_fibres), int(seed)))

    # prediction and learning -----------------------------------------------------------
    def _io(self, where, inp, ctx):
        ndim, size = getattr(inp, "ndim", 0), getattr(inp, "size", 0)
        batch = inp.shape[0] if ndim == 2 else size // max(self.n_in, 1)
        pin = check_in(where, "inp", inp, (batch, self.n_in))
        pctx, nctx = check_opt_in(where, "ctx", ctx, (batch, self.n_ctx))
        return batch, pin, pctx, nctx

    def predict(self, inp, ctx=None, out=None):
        """Prediction (batch, n_out) at inp (batch, n_in), ctx (batch, n_ctx) or None."""
        where = "Cerebellum.predict"
        batch, pin, pctx, nctx = self._io(where, inp, ctx)
        res, pout = check_out(where, "out", out, (batch, self.n_out))
        check(lib.ccrnn_cerebellum_predict(self._p(), batch, pin, inp.size, pctx, nctx,
                                           pout, res.size))
        self._last_batch = batch
        return res

    def learn(self, inp, target, ctx=None):
        """Regress the prediction at inp toward target (batch, n_out); gradients
        accumulate.  Returns the loss (sum of squares, / batch with loss_mean)."""
        where = "Cerebellum.learn"
        batch, pin, pctx, nctx = self._io(where, inp, ctx)
        pt = check_in(where, "target", target, (batch, self.n_out))
        loss = ctypes.c_double()
        check(lib.ccrnn_cerebellum_learn(self._p(), batch, pin, inp.size, pctx, nctx, pt,
                                         target.size, ctypes.byref(loss)))
        self._last_batch = batch
        return loss.value

    def hidden(self, layer, out=None):
        """Post-ReLU activity (batch, width) of hidden `layer` at the last predict/learn."""
        h, ph = check_out("Cerebellum.hidden", "out", out, (self._last_batch, self.width))
        check(lib.ccrnn_cerebellum_hidden(self._p(), int(layer), ph, h.size))
        return h

    # synthetic gradients ---------------------------------------------------------------
    def synthetic_gradient(self, cortex, scale=0.1, ctx=None, out=None):
        """scale * C(z) at the cortex's current state, (batch, state_size): pass it as
        dz_end to cortex.backward."""
        where = "Cerebellum.synthetic_gradient"
        shape = (cortex.batch, cortex.state_size)
        pctx, nctx = check_opt_in(where, "ctx", ctx, (cortex.batch, self.n_ctx))
        dz, pdz = check_out(where, "out", out, shape)
        check(lib.ccrnn_synthetic_gradient(self._p(), cortex._p(), pctx, nctx, float(scale),
                                           pdz, dz.size))
        self._last_batch = cortex.batch
        return dz

    def synthetic_gradient_learn(self, cortex, dz_start, ctx=None):
        """Regress C(z_start) toward dz_start, the window-start gradient that
        cortex.backward returned.  Returns the cerebellum's loss."""
        where = "Cerebellum.synthetic_gradient_learn"
        pd = check_in(where, "dz_start", dz_start, (cortex.batch, cortex.state_size))
        pctx, nctx = check_opt_in(where, "ctx", ctx, (cortex.batch, self.n_ctx))
        loss = ctypes.c_double()
        check(lib.ccrnn_synthetic_gradient_learn(self._p(), cortex._p(), pctx, nctx, pd,
                                                 dz_start.size, ctypes.byref(loss)))
        self._last_batch = cortex.batch
        return loss.value

    # parameters ------------------------------------------------------------------------
    def zero_grad(self):
        check(lib.ccrnn_cerebellum_zero_grad(self._p()))

    def tensors(self):
        return self._tensor_table(lib.ccrnn_cerebellum_tensor_count,
                                  lib.ccrnn_cerebellum_tensor_info)

    def get_tensor(self, name, out=None):
        info = self._lookup(lib.ccrnn_cerebellum_get_tensor, name)
        buf, pb = check_out("Cerebellum.get_tensor", "out", out, self.tensor_shape(info))
        check(lib.ccrnn_cerebellum_get_tensor(self._p(), name.encode(), pb, buf.size))
        return buf

    def set_tensor(self, name, values):
        info = self._lookup(lib.ccrnn_cerebellum_set_tensor, name)
        pv = check_in("Cerebellum.set_tensor", "values", values, self.tensor_shape(info))
        check(lib.ccrnn_cerebellum_set_tensor(self._p(), name.encode(), pv, values.size))


def synthetic_gradient(cerebellum, cortex, scale=0.1, ctx=None, out=None):
    """Module-level form of Cerebellum.synthetic_gradient (same order as the C call)."""
    return cerebellum.synthetic_gradient(cortex, scale, ctx, out)


def synthetic_gradient_learn(cerebellum, cortex, dz_start, ctx=None):
    """Module-level form of Cerebellum.synthetic_gradient_learn."""
    return cerebellum.synthetic_gradient_learn(cortex, dz_start, ctx)


def window_end(cortex, cerebellum=None, scale=0.1, ctx=None, flags=0, start_grad=False):
    """ccrnn_window_end: the whole end of a truncation window in one call -- inject
    scale * C(z_end) (unless cerebellum is None or flags has WindowFlag.NO_SYNTHETIC),
    backpropagate the window, and teach the cerebellum the window-start gradient (unless
    WindowFlag.NO_LEARN).  Returns (cerebellum loss, dz_start), dz_start (batch,
    state_size) only when start_grad, else None."""
    where = "ccrnn.window_end"
    cb = cerebellum._p() if cerebellum is not None else None
    n_ctx = cerebellum.n_ctx if cerebellum is not None else 0
    pctx, nctx = check_opt_in(where, "ctx", ctx, (cortex.batch, n_ctx))
    dz, pdz, ndz = None, None, 0
    if start_grad:
        dz, pdz = check_out(where, "dz_start", None, (cortex.batch, cortex.state_size))
        ndz = dz.size
    loss = ctypes.c_double()
    check(lib.ccrnn_window_end(cortex._p(), cb, pctx, nctx, float(scale), int(flags), pdz,
                               ndz, ctypes.byref(loss)))
    if cerebellum is not None:
        cerebellum._last_batch = cortex.batch
    return loss.value, dz
