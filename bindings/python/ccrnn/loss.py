"""Loss helpers: the loss and dL/dy, computed by the library."""
import ctypes

import numpy as np

from ._arrays import check_in, check_out, check_opt_in
from ._lib import lib, check
from .errors import LayoutError, ShapeError


def mse(y, target, mask=None, denom=0.0, out=None, grad=True):
    """Squared error over y, target (batch, dim): loss = sum_b mask_b sum_d (y-t)^2 /
    denom, dy = 2 mask_b (y - t) / denom; denom 0 = (unmasked rows)*dim.
    Returns (loss, dy), dy None when grad=False."""
    where = "ccrnn.mse"
    if not isinstance(y, np.ndarray) or y.ndim != 2:
        raise ShapeError("%s: y must be a 2-D (batch, dim) array, got %r"
                         % (where, getattr(y, "shape", type(y).__name__)))
    batch, dim = y.shape
    py = check_in(where, "y", y, (batch, dim))
    pt = check_in(where, "target", target, (batch, dim))
    pm, nm = check_opt_in(where, "mask", mask, (batch,))
    dy, pdy = check_out(where, "out", out, (batch, dim)) if grad else (None, None)
    loss = ctypes.c_double()
    check(lib.ccrnn_loss_mse(py, pt, y.size, dim, pm, nm, float(denom), pdy,
                             ctypes.byref(loss)))
    return loss.value, dy


def softmax_xent(logits, labels, denom=0.0, out=None, grad=True):
    """Softmax cross-entropy of logits (batch, classes) against int32 labels (batch,)
    (a negative label ignores the row).  Returns (loss, dy, n_correct)."""
    where = "ccrnn.softmax_xent"
    if not isinstance(logits, np.ndarray) or logits.ndim != 2:
        raise ShapeError("%s: logits must be a 2-D (batch, classes) array" % where)
    batch, classes = logits.shape
    pl = check_in(where, "logits", logits, (batch, classes))
    if not isinstance(labels, np.ndarray) or labels.dtype != np.int32 \
            or not labels.flags.c_contiguous:
        raise LayoutError("%s: labels must be a C-contiguous int32 array (use "
                          "np.asarray(labels, dtype=np.int32))" % where)
    if labels.size != batch:
        raise ShapeError("%s: labels has %d values, expected %d" % (where, labels.size, batch))
    dy, pdy = check_out(where, "out", out, (batch, classes)) if grad else (None, None)
    loss, correct = ctypes.c_double(), ctypes.c_size_t()
    check(lib.ccrnn_loss_softmax_xent(pl, logits.size, classes,
                                      labels.ctypes.data_as(ctypes.POINTER(ctypes.c_int32)),
                                      labels.size, float(denom), pdy, ctypes.byref(loss),
                                      ctypes.byref(correct)))
    return loss.value, dy, correct.value
