"""Exceptions: one class per libccrnn status code, all subclasses of CcrnnError.

Every non-OK status returned by the library is raised as the class registered for
that code, carrying ccrnn_last_error()'s message (the library's own words, e.g.
"ccrnn_cortex_forward: x (batch*n_in) has 6 values, expected 3").  Checks the
binding makes itself before a call (dtype, layout, shape) raise the same classes
with a message that starts with the Python method's name.
"""


class CcrnnError(Exception):
    """Base class of every error raised by the ccrnn binding.

    status  -- the libccrnn status code (int), or None for binding-only errors
    message -- the message text (the library's ccrnn_last_error() when it came
               from a call)
    """

    status = None

    def __init__(self, message, status=None):
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status


class NullError(CcrnnError, ValueError):
    """CCRNN_ERR_NULL: a required pointer argument was NULL (None)."""
    status = 1


class ArgError(CcrnnError, ValueError):
    """CCRNN_ERR_ARG: an argument is out of range (size, enum, value)."""
    status = 2


class ShapeError(CcrnnError, ValueError):
    """CCRNN_ERR_SHAPE: a buffer length or shape does not match."""
    status = 3


class StateError(CcrnnError, RuntimeError):
    """CCRNN_ERR_STATE: wrong call order (e.g. backward with no window)."""
    status = 4


class NumericError(CcrnnError, ArithmeticError):
    """CCRNN_ERR_NUMERIC: NaN or Inf in an input or produced by a step."""
    status = 5


class NoMemError(CcrnnError, MemoryError):
    """CCRNN_ERR_NOMEM: allocation failed."""
    status = 6


class CcrnnIOError(CcrnnError, OSError):
    """CCRNN_ERR_IO: a file could not be opened, read or written."""
    status = 7


class FormatError(CcrnnError, ValueError):
    """CCRNN_ERR_FORMAT: malformed checkpoint."""
    status = 8


class ChecksumError(CcrnnError, ValueError):
    """CCRNN_ERR_CHECKSUM: checkpoint payload CRC-32 mismatch."""
    status = 9


class VersionError(CcrnnError, ValueError):
    """CCRNN_ERR_VERSION: checkpoint format version not supported."""
    status = 10


class MismatchError(CcrnnError, ValueError):
    """CCRNN_ERR_MISMATCH: checkpoint of another object kind or shape."""
    status = 11


class LayoutError(CcrnnError, TypeError):
    """A numpy array has the wrong dtype, is not C-contiguous or is read-only.

    Raised by the binding before any call (there is no library status for it): the
    binding never copies an array behind your back.  Convert explicitly with
    ccrnn.as_f32(a) (a copy only when needed)."""


class LibraryError(CcrnnError, ImportError):
    """libccrnn could not be found or loaded, or its version does not match."""


class UnknownStatusError(CcrnnError):
    """A status code this binding does not know (a newer library)."""


STATUS_CLASSES = {cls.status: cls for cls in (
    NullError, ArgError, ShapeError, StateError, NumericError, NoMemError,
    CcrnnIOError, FormatError, ChecksumError, VersionError, MismatchError)}


def error_for(status, message):
    """The exception instance for a non-OK status."""
    cls = STATUS_CLASSES.get(status, UnknownStatusError)
    return cls(message, status)
