"""ccrnn: Python binding of libccrnn (ctypes + numpy).

    import numpy as np, ccrnn
    with ccrnn.Cortex("lstm", n_in=1, n_hidden=50, n_out=2, max_batch=50) as cx:
        ...

The library is located as described in ccrnn._lib (CCRNN_LIBRARY, the build tree,
pkg-config, the linker path); ccrnn.library_path says which file was loaded.
Arrays are float32 and C-contiguous, passed without copies (see ccrnn._arrays).
Errors are CcrnnError subclasses, one per status code (see ccrnn.errors).
Weights move to and from PyTorch and numpy with state_dict() / load_state_dict(),
save_npz() / load_npz() and `python3 -m ccrnn.convert` (see ccrnn.torchnames).
See docs/python.md and docs/pytorch.md.
"""
from ._lib import (lib, library_path, check, find_library, HEADER_VERSION_NUMBER,
                   PROTOTYPES)
from ._arrays import as_f32
from .constants import (Status, Cell, Param, CerebellumFlag, WindowFlag, OptimizerKind,
                        GroupParam)
from .errors import (CcrnnError, NullError, ArgError, ShapeError, StateError, NumericError,
                     NoMemError, CcrnnIOError, FormatError, ChecksumError, VersionError,
                     MismatchError, LayoutError, LibraryError, UnknownStatusError,
                     STATUS_CLASSES)
from .cortex import Cortex
from .cerebellum import (Cerebellum, synthetic_gradient, synthetic_gradient_learn,
                         window_end)
from .optimizer import Optimizer
from .loss import mse, softmax_xent
from . import torchnames
from .torchnames import load_npz, ccdni_state_dict, load_ccdni_state_dict


def version_number():
    """The loaded library's ccrnn_version_number() (major*10000+minor*100+patch)."""
    return lib.ccrnn_version_number()


def version():
    """The loaded library's version string, e.g. "0.3.1"."""
    return lib.ccrnn_version_string().decode()


def strerror(status):
    """The library's name for a status code."""
    return lib.ccrnn_strerror(int(status)).decode()


def last_error():
    """The library's message of the last failed call on this thread."""
    return lib.ccrnn_last_error().decode("utf-8", "replace")


__version__ = "0.3.1"
