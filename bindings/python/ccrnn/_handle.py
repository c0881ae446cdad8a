"""Lifetime of a library handle: freed by close(), by a with-block, or at garbage
collection (weakref.finalize), exactly once whichever comes first."""
import collections
import ctypes
import os
import weakref

import numpy as np

from ._lib import lib, check, function
from .errors import StateError

TensorInfo = collections.namedtuple("TensorInfo", "name rows cols offset")


class Handle:
    """Base of Cortex, Cerebellum and Optimizer."""

    _kind = "handle"
    _destroy_name = None

    def _adopt(self, pointer):
        self._ptr = pointer
        # The finalizer holds the pointer, never self, so it cannot keep self alive.
        self._finalizer = weakref.finalize(self, getattr(lib, self._destroy_name), pointer)

    @property
    def closed(self):
        return getattr(self, "_ptr", None) is None

    def _p(self):
        """The live pointer; StateError after close()."""
        pointer = getattr(self, "_ptr", None)
        if pointer is None:
            raise StateError("%s is closed" % self._kind)
        return pointer

    def _before_close(self):
        """Hook: refuse to close while something still needs the handle."""

    def close(self):
        """Free the library object now.  Idempotent.  Views from .params/.grads must
        not be used afterwards."""
        if self.closed:
            return
        self._before_close()
        self._ptr = None
        self._finalizer()

    def __enter__(self):
        self._p()
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def __repr__(self):
        state = "closed" if self.closed else "open"
        return "<ccrnn.%s %s>" % (type(self).__name__, state)


def save_to_path(kind, pointer, path):
    check(function("ccrnn_%s_save" % kind)(pointer, os.fsencode(path)))


def save_to_bytes(kind, pointer):
    """The checkpoint as bytes: a size query, then the write."""
    fn = function("ccrnn_%s_save_mem" % kind)
    size = ctypes.c_size_t()
    check(fn(pointer, None, 0, ctypes.byref(size)))
    buf = ctypes.create_string_buffer(size.value)
    check(fn(pointer, buf, size.value, ctypes.byref(size)))
    return buf.raw[:size.value]


def bytes_buffer(data):
    """A C buffer holding data (bytes, bytearray or memoryview)."""
    data = bytes(data)
    return (ctypes.c_char * max(len(data), 1)).from_buffer_copy(data or b"\0"), len(data)


class Attachable(Handle):
    """A handle an optimizer may update: it cannot be closed under a live optimizer."""

    def _init_attach(self):
        self._optimizers = weakref.WeakSet()

    def _before_close(self):
        live = [o for o in self._optimizers if not o.closed]
        if live:
            raise StateError("%s is attached to an open Optimizer: close the optimizer first "
                             "(its step would write freed memory)" % self._kind)

    def _flat_view(self, which):
        """The params (which=0) or grads (1) view, cached weakly.

        A view holds a strong reference to its handle (so the memory outlives every
        view); the handle holds the view only weakly, because numpy arrays are not
        traversed by the cycle collector and a strong cycle would never be freed."""
        cache = self.__dict__.setdefault("_view_refs", [None, None])
        view = cache[which]() if cache[which] is not None else None
        if view is None:
            views = self._views(self._params_fn)
            for i in (0, 1):
                old = cache[i]() if cache[i] is not None else None
                if old is None:
                    cache[i] = weakref.ref(views[i])
            view = views[which]
        return view

    @property
    def params(self):
        """All parameters as one flat float32 view of the library's memory (no copy).
        Writing to it changes the model.  Valid until close()."""
        self._p()
        return self._flat_view(0)

    @property
    def grads(self):
        """The accumulated gradients, same layout as params (a view, no copy)."""
        self._p()
        return self._flat_view(1)

    def _views(self, getter):
        """(values, grads) flat float32 views aliasing the library's memory."""
        values = ctypes.POINTER(ctypes.c_float)()
        grads = ctypes.POINTER(ctypes.c_float)()
        count = ctypes.c_size_t()
        check(getter(self._p(), ctypes.byref(values), ctypes.byref(grads), ctypes.byref(count)))
        return (self._alias(values, count.value), self._alias(grads, count.value))

    def _alias(self, pointer, count):
        buf = (ctypes.c_float * count).from_address(ctypes.addressof(pointer.contents))
        buf._owner = self  # the view keeps the handle (and its memory) alive
        return np.frombuffer(buf, dtype=np.float32)

    def _tensor_table(self, count_fn, info_fn):
        count = ctypes.c_size_t()
        check(count_fn(self._p(), ctypes.byref(count)))
        table = []
        for i in range(count.value):
            name = ctypes.c_char_p()
            rows, cols, offset = ctypes.c_size_t(), ctypes.c_size_t(), ctypes.c_size_t()
            check(info_fn(self._p(), i, ctypes.byref(name), ctypes.byref(rows),
                          ctypes.byref(cols), ctypes.byref(offset)))
            table.append(TensorInfo(name.value.decode(), rows.value, cols.value, offset.value))
        return table

    def tensor_info(self, name_or_index):
        """TensorInfo(name, rows, cols, offset) by name or index."""
        table = self.tensors()
        if isinstance(name_or_index, int):
            return table[name_or_index]
        for info in table:
            if info.name == name_or_index:
                return info
        raise KeyError("no tensor named %r (have %s)" % (name_or_index,
                                                         [t.name for t in table]))

    def _lookup(self, accessor, name):
        """TensorInfo of `name`; an unknown name is passed to the library's accessor so
        that the ArgError carries the library's own message."""
        for info in self.tensors():
            if info.name == name:
                return info
        scratch = (ctypes.c_float * 1)()
        check(accessor(self._p(), str(name).encode(), scratch, 1))
        raise AssertionError("library accepted unknown tensor %r" % name)

    def tensor_names(self):
        return [t.name for t in self.tensors()]

    @staticmethod
    def tensor_shape(info):
        """PyTorch's shape of a tensor: (rows,) for a bias (the library reports 1-D
        tensors with cols 0 since 0.2, and with cols 1 before), (rows, cols) otherwise."""
        leaf = info.name.rsplit(".", 1)[-1]
        one_d = info.cols == 0 or leaf.startswith("bias")
        return (info.rows,) if one_d else (info.rows, info.cols)

    def _shaped(self, flat, info):
        view = flat[info.offset:info.offset + info.rows * max(info.cols, 1)]
        return view.reshape(self.tensor_shape(info))

    def state_dict(self, style="torch"):
        """The parameters as {name: float32 numpy array} (copies), named and shaped as
        PyTorch names them (style="torch") or as the reference ccDNI code does
        (style="ccdni"; see ccrnn.torchnames and docs/pytorch.md)."""
        from . import torchnames
        return torchnames.state_dict(self, style)

    def load_state_dict(self, state, style=None, strict=True):
        """Set the parameters from {name: array or torch tensor} in PyTorch's names
        and shapes (or the reference's; style=None detects it).  Every entry is checked
        before any is written; strict=True refuses missing or unexpected names."""
        from . import torchnames
        torchnames.load_state_dict(self, state, style, strict)

    def save_npz(self, path):
        """Write the state_dict (PyTorch names and shapes) to a numpy .npz file, plus
        an entry "_ccrnn" (a JSON string: kind and sizes) to rebuild the object."""
        from . import torchnames
        torchnames.save_npz(self, path)

    def tensor(self, name):
        """The named parameter tensor as a view (rows x cols, or (rows,) for a bias) into
        .params: writing to it changes the model, no copy is made."""
        return self._shaped(self.params, self.tensor_info(name))

    def grad_tensor(self, name):
        """The gradient of the named tensor, a view into .grads."""
        return self._shaped(self.grads, self.tensor_info(name))

    def _get_param(self, fn, param):
        value = ctypes.c_double()
        check(fn(self._p(), int(param), ctypes.byref(value)))
        return value.value
