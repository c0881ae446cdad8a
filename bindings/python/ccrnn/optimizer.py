"""The optimizer: Adam, SGD(+momentum) or RMSprop over parameter groups."""
import ctypes
import os

from ._arrays import check_in
from ._handle import Handle, bytes_buffer, save_to_bytes, save_to_path
from ._lib import lib, check, function, OPT
from .constants import GroupParam, OptimizerKind, Param
from .errors import ShapeError, LayoutError

_KINDS = {"adam": OptimizerKind.ADAM, "sgd": OptimizerKind.SGD,
          "rmsprop": OptimizerKind.RMSPROP}


def _param_property(param, doc, read_only=False):
    getter = lambda self: self.get_param(param)  # noqa: E731
    setter = None if read_only else (lambda self, v: self.set_param(param, v))
    return property(getter, setter, doc=doc)


class Optimizer(Handle):
    """ccrnn_optimizer.  Keyword arguments set hyperparameters at creation, e.g.
    Optimizer("adam", lr=1e-3, beta2=0.98, eps=1e-9, clip_norm=1.0).

    The optimizer keeps a reference to every object attached to it, so they outlive
    it; a Cortex or Cerebellum refuses close() while attached to an open optimizer."""

    _kind = "Optimizer"
    _destroy_name = "ccrnn_optimizer_destroy"

    def __init__(self, kind="adam", **params):
        if isinstance(kind, str):
            try:
                kind = _KINDS[kind.lower()]
            except KeyError:
                raise ValueError("unknown optimizer %r (adam, sgd, rmsprop)" % kind) from None
        out = OPT()
        check(lib.ccrnn_optimizer_create(int(kind), ctypes.byref(out)))
        self._adopt(out)
        self._attached = []
        for name, value in params.items():
            if not hasattr(type(self), name) or name in ("grad_norm", "steps"):
                raise TypeError("unknown optimizer parameter %r" % name)
            setattr(self, name, value)

    def set_param(self, param, value):
        check(lib.ccrnn_optimizer_set_param(self._p(), int(param), float(value)))

    def get_param(self, param):
        value = ctypes.c_double()
        check(lib.ccrnn_optimizer_get_param(self._p(), int(param), ctypes.byref(value)))
        return value.value

    lr = _param_property(Param.LR, "learning rate")
    beta1 = _param_property(Param.BETA1, "Adam beta1")
    beta2 = _param_property(Param.BETA2, "Adam beta2")
    eps = _param_property(Param.EPS, "Adam/RMSprop epsilon")
    weight_decay = _param_property(Param.WEIGHT_DECAY, "L2 penalty added to the gradient")
    momentum = _param_property(Param.MOMENTUM, "SGD/RMSprop momentum")
    alpha = _param_property(Param.ALPHA, "RMSprop smoothing constant")
    clip_norm = _param_property(Param.CLIP_NORM, "global L2-norm clip (0 = off)")
    grad_norm = _param_property(Param.GRAD_NORM, "gradient norm seen by the last step", True)
    steps = property(lambda self: int(self.get_param(Param.STEPS)),
                     doc="number of optimizer steps taken")

    def _attach(self, obj, fn):
        group = ctypes.c_size_t()
        check(fn(self._p(), obj._p(), ctypes.byref(group)))
        self._attached.append(obj)
        obj._optimizers.add(self)
        return group.value

    def add_cortex(self, cortex):
        """Attach a Cortex's parameters as a new group; returns the group index."""
        return self._attach(cortex, lib.ccrnn_optimizer_add_cortex)

    def add_cerebellum(self, cerebellum):
        """Attach a Cerebellum (not updated while ablated or lesioned)."""
        return self._attach(cerebellum, lib.ccrnn_optimizer_add_cerebellum)

    def add_params(self, values, grads):
        """Attach host-owned float32 arrays (same size, C-contiguous, writable): the
        optimizer updates `values` in place from `grads` and zeroes `grads`.  The
        arrays are kept alive by the optimizer."""
        where = "Optimizer.add_params"
        for name, a in (("values", values), ("grads", grads)):
            if getattr(a, "flags", None) is not None and not a.flags.writeable:
                raise LayoutError("%s: %s is read-only" % (where, name))
        pv = check_in(where, "values", values, values.shape if hasattr(values, "shape") else ())
        pg = check_in(where, "grads", grads, grads.shape if hasattr(grads, "shape") else ())
        if values.size != grads.size:
            raise ShapeError("%s: values has %d values but grads has %d"
                             % (where, values.size, grads.size))
        group = ctypes.c_size_t()
        check(lib.ccrnn_optimizer_add_params(self._p(), pv, pg, values.size,
                                             ctypes.byref(group)))
        self._attached.append((values, grads))
        return group.value

    def set_group_param(self, group, param, value):
        check(lib.ccrnn_optimizer_set_group_param(self._p(), int(group), int(param),
                                                  float(value)))

    def get_group_param(self, group, param):
        value = ctypes.c_double()
        check(lib.ccrnn_optimizer_get_group_param(self._p(), int(group), int(param),
                                                  ctypes.byref(value)))
        return value.value

    def freeze(self, group, frozen=True):
        """Freeze (or unfreeze) a group: not updated, gradients still clipped/zeroed."""
        self.set_group_param(group, GroupParam.FROZEN, 1 if frozen else 0)

    def set_lr_scale(self, group, scale):
        self.set_group_param(group, GroupParam.LR_SCALE, scale)

    def step(self):
        """Clip (global norm), update every unfrozen group, zero all gradients."""
        check(lib.ccrnn_optimizer_step(self._p()))

    def zero_grad(self):
        check(lib.ccrnn_optimizer_zero_grad(self._p()))

    # checkpoints -----------------------------------------------------------------------
    def save(self, path):
        """Write the optimizer's state (hyperparameters, counters, moments) to a file."""
        save_to_path("optimizer", self._p(), path)

    def to_bytes(self):
        return save_to_bytes("optimizer", self._p())

    def load(self, path):
        """Restore state saved from an optimizer with the same groups attached."""
        check(function("ccrnn_optimizer_load")(self._p(), os.fsencode(path)))

    def load_bytes(self, data):
        buf, size = bytes_buffer(data)
        check(function("ccrnn_optimizer_load_mem")(self._p(), buf, size))

    def close(self):
        """Free the optimizer; the attached objects may be closed afterwards."""
        super().close()
        self._attached = []
