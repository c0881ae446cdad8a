"""Checks on the numpy arrays handed to the library, done before every call.

The rule: the library reads and writes float32, row-major (C-contiguous) memory, so
an array is passed *without a copy* exactly when it is a float32, C-contiguous
numpy array (a view is fine when it is contiguous, e.g. a[2:5] of a 2-D array or
a[i]).  Anything else raises LayoutError before the call: the binding never copies
behind your back, because a silent copy of an output buffer would drop the result
and a silent copy of an input costs time in a per-tick loop.  Convert explicitly
with as_f32(), which copies only when it has to.

Shapes: an array must have exactly the documented shape, e.g. (batch, n_in), or be
1-D with the same number of values (handy at batch 1).
"""
import numpy as np

from ._lib import FLOATP
from .errors import LayoutError, ShapeError

F32 = np.dtype(np.float32)


def as_f32(a):
    """a as a float32 C-contiguous array; a copy only when dtype or layout differ."""
    return np.ascontiguousarray(a, dtype=np.float32)


def _layout(where, name, a, writable):
    if not isinstance(a, np.ndarray):
        raise LayoutError("%s: %s must be a numpy float32 array, got %s (use ccrnn.as_f32)"
                          % (where, name, type(a).__name__))
    if a.dtype != F32:
        raise LayoutError("%s: %s has dtype %s, expected float32 (use ccrnn.as_f32; the "
                          "binding does not convert silently)" % (where, name, a.dtype))
    if not a.flags.c_contiguous:
        raise LayoutError("%s: %s is not C-contiguous (strides %s); pass "
                          "np.ascontiguousarray(%s) or ccrnn.as_f32(%s)"
                          % (where, name, a.strides, name, name))
    if writable and not a.flags.writeable:
        raise LayoutError("%s: output %s is read-only" % (where, name))


def _shape(where, name, a, shape):
    shape = tuple(int(s) for s in shape)
    count = 1
    for s in shape:
        count *= s
    if a.shape == shape or (a.ndim == 1 and a.size == count):
        return
    raise ShapeError("%s: %s has shape %s, expected %s (or 1-D with %d values)"
                     % (where, name, a.shape, shape, count))


def ptr(a):
    """The float* of a checked array (None stays NULL)."""
    return None if a is None else a.ctypes.data_as(FLOATP)


def check_in(where, name, a, shape):
    """Validate an input array; returns its float* (no copy)."""
    _layout(where, name, a, False)
    _shape(where, name, a, shape)
    return a.ctypes.data_as(FLOATP)


def check_out(where, name, a, shape):
    """Validate (or allocate, when a is None) an output array; returns (array, float*)."""
    if a is None:
        a = np.empty(shape, dtype=F32)
    else:
        _layout(where, name, a, True)
        _shape(where, name, a, shape)
    return a, a.ctypes.data_as(FLOATP)


def check_opt_in(where, name, a, shape):
    """An optional input: None becomes (NULL, 0); otherwise as check_in."""
    if a is None:
        return None, 0
    return check_in(where, name, a, shape), a.size
