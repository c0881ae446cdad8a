"""Finding and loading libccrnn, and the ctypes prototypes of its C ABI.

The library is searched, first match wins:
  1. the environment variable CCRNN_LIBRARY (a path to the shared object, or a
     directory holding it): an override, used by the tests of the build tree;
  2. the copy installed with this package: in a wheel built by `pip install .`
     (meson-python puts it in <site-packages>/.ccrnn.mesonpy.libs), else where
     `meson install` put it, as recorded in the generated ccrnn/_config.py: first
     relative to this package (so `meson install --destdir DIR` works from DIR),
     then at the absolute install path;
  3. a meson build folder of this source tree (when the package is imported from
     bindings/python of a checkout): <repo>/build/lib, then every other
     <repo>/build*/lib, newest first;
  4. `pkg-config --variable=libdir libccrnn` (an installed copy);
  5. ctypes.util.find_library("ccrnn") (the system's linker paths).

Every function of include/ccrnn/ccrnn.h is declared in PROTOTYPES below with its
exact C argument and return types; tests/ffi checks the table against the header.
"""
import ctypes
import ctypes.util
import os
import pathlib
import subprocess

from .errors import LibraryError, error_for

# The header this binding mirrors (CCRNN_VERSION_NUMBER of include/ccrnn/ccrnn_version.h).
HEADER_VERSION_MAJOR = 0
HEADER_VERSION_MINOR = 3
HEADER_VERSION_PATCH = 1
HEADER_VERSION_NUMBER = (HEADER_VERSION_MAJOR * 10000 + HEADER_VERSION_MINOR * 100
                         + HEADER_VERSION_PATCH)

SONAME = "libccrnn.so.1"


class _Cortex(ctypes.Structure):
    """Opaque struct ccrnn_cortex."""


class _Cerebellum(ctypes.Structure):
    """Opaque struct ccrnn_cerebellum."""


class _Optimizer(ctypes.Structure):
    """Opaque struct ccrnn_optimizer."""


P = ctypes.POINTER
size_t = ctypes.c_size_t
c_int = ctypes.c_int
c_uint = ctypes.c_uint
c_double = ctypes.c_double
c_uint64 = ctypes.c_uint64
c_char_p = ctypes.c_char_p
c_void_p = ctypes.c_void_p
FLOATP = P(ctypes.c_float)
CX = P(_Cortex)
CB = P(_Cerebellum)
OPT = P(_Optimizer)

# name: (restype, [argtypes]) -- one entry per public function, in header order.
PROTOTYPES = {
    "ccrnn_strerror": (c_char_p, [c_int]),
    "ccrnn_last_error": (c_char_p, []),
    "ccrnn_version_number": (c_uint, []),
    "ccrnn_param_bounds": (c_int, [c_int, P(c_double), P(c_double)]),
    "ccrnn_version_string": (c_char_p, []),
    # cortex
    "ccrnn_cortex_create": (c_int, [c_int, size_t, size_t, size_t, size_t, size_t, c_uint64,
                                    P(CX)]),
    "ccrnn_cortex_destroy": (None, [CX]),
    "ccrnn_cortex_clone": (c_int, [CX, P(CX)]),
    "ccrnn_cortex_set_param": (c_int, [CX, c_int, c_double]),
    "ccrnn_cortex_get_param": (c_int, [CX, c_int, P(c_double)]),
    "ccrnn_cortex_shape": (c_int, [CX, P(c_int), P(size_t), P(size_t), P(size_t), P(size_t),
                                   P(size_t), P(size_t)]),
    "ccrnn_cortex_reset": (c_int, [CX, size_t]),
    "ccrnn_cortex_begin_window": (c_int, [CX]),
    "ccrnn_cortex_forward": (c_int, [CX, FLOATP, size_t, FLOATP, size_t]),
    "ccrnn_cortex_forward_steps": (c_int, [CX, size_t, FLOATP, size_t, FLOATP, size_t]),
    "ccrnn_cortex_output_grad": (c_int, [CX, size_t, FLOATP, size_t]),
    "ccrnn_cortex_hidden_grad": (c_int, [CX, size_t, FLOATP, size_t]),
    "ccrnn_cortex_backward": (c_int, [CX, FLOATP, size_t, FLOATP, size_t]),
    "ccrnn_cortex_input_grad": (c_int, [CX, FLOATP, size_t]),
    "ccrnn_cortex_window_length": (c_int, [CX, P(size_t)]),
    "ccrnn_cortex_batch": (c_int, [CX, P(size_t)]),
    "ccrnn_cortex_get_state": (c_int, [CX, FLOATP, size_t]),
    "ccrnn_cortex_set_state": (c_int, [CX, FLOATP, size_t]),
    "ccrnn_cortex_window_start_state": (c_int, [CX, FLOATP, size_t]),
    "ccrnn_cortex_hidden": (c_int, [CX, size_t, FLOATP, size_t]),
    "ccrnn_cortex_params": (c_int, [CX, P(FLOATP), P(FLOATP), P(size_t)]),
    "ccrnn_cortex_set_values": (c_int, [CX, FLOATP, size_t]),
    "ccrnn_cortex_sync": (c_int, [CX, CX]),
    "ccrnn_cortex_zero_grad": (c_int, [CX]),
    "ccrnn_cortex_tensor_count": (c_int, [CX, P(size_t)]),
    "ccrnn_cortex_tensor_info": (c_int, [CX, size_t, P(c_char_p), P(size_t), P(size_t),
                                         P(size_t)]),
    "ccrnn_cortex_get_tensor": (c_int, [CX, c_char_p, FLOATP, size_t]),
    "ccrnn_cortex_set_tensor": (c_int, [CX, c_char_p, FLOATP, size_t]),
    # cerebellum
    "ccrnn_cerebellum_create": (c_int, [size_t, size_t, size_t, size_t, size_t, size_t,
                                        c_uint64, c_uint, P(CB)]),
    "ccrnn_cerebellum_destroy": (None, [CB]),
    "ccrnn_cerebellum_clone": (c_int, [CB, P(CB)]),
    "ccrnn_cerebellum_set_param": (c_int, [CB, c_int, c_double]),
    "ccrnn_cerebellum_get_param": (c_int, [CB, c_int, P(c_double)]),
    "ccrnn_cerebellum_shape": (c_int, [CB, P(size_t), P(size_t), P(size_t), P(size_t),
                                       P(size_t), P(size_t)]),
    "ccrnn_cerebellum_set_fibres": (c_int, [CB, size_t, c_uint64]),
    "ccrnn_cerebellum_predict": (c_int, [CB, size_t, FLOATP, size_t, FLOATP, size_t, FLOATP,
                                         size_t]),
    "ccrnn_cerebellum_learn": (c_int, [CB, size_t, FLOATP, size_t, FLOATP, size_t, FLOATP,
                                       size_t, P(c_double)]),
    "ccrnn_cerebellum_hidden": (c_int, [CB, size_t, FLOATP, size_t]),
    "ccrnn_cerebellum_params": (c_int, [CB, P(FLOATP), P(FLOATP), P(size_t)]),
    "ccrnn_cerebellum_set_values": (c_int, [CB, FLOATP, size_t]),
    "ccrnn_cerebellum_zero_grad": (c_int, [CB]),
    "ccrnn_cerebellum_tensor_count": (c_int, [CB, P(size_t)]),
    "ccrnn_cerebellum_tensor_info": (c_int, [CB, size_t, P(c_char_p), P(size_t), P(size_t),
                                             P(size_t)]),
    "ccrnn_cerebellum_get_tensor": (c_int, [CB, c_char_p, FLOATP, size_t]),
    "ccrnn_cerebellum_set_tensor": (c_int, [CB, c_char_p, FLOATP, size_t]),
    # synthetic-gradient glue
    "ccrnn_synthetic_gradient": (c_int, [CB, CX, FLOATP, size_t, c_double, FLOATP, size_t]),
    "ccrnn_window_end": (c_int, [CX, CB, FLOATP, size_t, c_double, c_uint, FLOATP, size_t,
                                 P(c_double)]),
    "ccrnn_synthetic_gradient_learn": (c_int, [CB, CX, FLOATP, size_t, FLOATP, size_t,
                                               P(c_double)]),
    # optimizer
    "ccrnn_optimizer_create": (c_int, [c_int, P(OPT)]),
    "ccrnn_optimizer_destroy": (None, [OPT]),
    "ccrnn_optimizer_set_param": (c_int, [OPT, c_int, c_double]),
    "ccrnn_optimizer_get_param": (c_int, [OPT, c_int, P(c_double)]),
    "ccrnn_optimizer_add_cortex": (c_int, [OPT, CX, P(size_t)]),
    "ccrnn_optimizer_add_cerebellum": (c_int, [OPT, CB, P(size_t)]),
    "ccrnn_optimizer_add_params": (c_int, [OPT, FLOATP, FLOATP, size_t, P(size_t)]),
    "ccrnn_optimizer_set_group_param": (c_int, [OPT, size_t, c_int, c_double]),
    "ccrnn_optimizer_get_group_param": (c_int, [OPT, size_t, c_int, P(c_double)]),
    "ccrnn_optimizer_step": (c_int, [OPT]),
    "ccrnn_optimizer_zero_grad": (c_int, [OPT]),
    # losses
    "ccrnn_loss_mse": (c_int, [FLOATP, FLOATP, size_t, size_t, FLOATP, size_t, c_double,
                               FLOATP, P(c_double)]),
    "ccrnn_loss_softmax_xent": (c_int, [FLOATP, size_t, size_t, P(ctypes.c_int32), size_t,
                                        c_double, FLOATP, P(c_double), P(size_t)]),
    # checkpoints
    "ccrnn_cortex_save": (c_int, [CX, c_char_p]),
    "ccrnn_cortex_load": (c_int, [c_char_p, P(CX)]),
    "ccrnn_cortex_save_mem": (c_int, [CX, c_void_p, size_t, P(size_t)]),
    "ccrnn_cortex_load_mem": (c_int, [c_void_p, size_t, P(CX)]),
    "ccrnn_cerebellum_save": (c_int, [CB, c_char_p]),
    "ccrnn_cerebellum_load": (c_int, [c_char_p, P(CB)]),
    "ccrnn_cerebellum_save_mem": (c_int, [CB, c_void_p, size_t, P(size_t)]),
    "ccrnn_cerebellum_load_mem": (c_int, [c_void_p, size_t, P(CB)]),
    "ccrnn_optimizer_save": (c_int, [OPT, c_char_p]),
    "ccrnn_optimizer_load": (c_int, [OPT, c_char_p]),
    "ccrnn_optimizer_save_mem": (c_int, [OPT, c_void_p, size_t, P(size_t)]),
    "ccrnn_optimizer_load_mem": (c_int, [OPT, c_void_p, size_t]),
}

# Checkpoints joined the 0.1 header after the first 0.1.0 builds: a library without
# them still loads, and the save/load methods then raise LibraryError.
OPTIONAL = frozenset(n for n in PROTOTYPES if n.endswith(("_save", "_load", "_save_mem",
                                                            "_load_mem")))


def _repo_root():
    # bindings/python/ccrnn/_lib.py -> the source tree's root
    return pathlib.Path(__file__).resolve().parents[3]


def _in_dir(directory):
    for name in (SONAME, "libccrnn.so"):
        path = pathlib.Path(directory) / name
        if path.exists():
            return str(path)
    return None


def _in_wheel_libs(directory):
    """A wheel carries the real file only (libccrnn.so.<project version>), without the
    soname's symlink."""
    found = sorted(pathlib.Path(directory).glob("libccrnn.so.*"))
    return str(found[-1]) if found else None


def _from_env():
    value = os.environ.get("CCRNN_LIBRARY")
    if not value:
        return None
    if os.path.isdir(value):
        found = _in_dir(value)
        if not found:
            raise LibraryError("CCRNN_LIBRARY=%s is a directory without %s" % (value, SONAME))
        return found
    if not os.path.exists(value):
        raise LibraryError("CCRNN_LIBRARY=%s does not exist" % value)
    return value


def _from_install():
    here = pathlib.Path(__file__).resolve().parent
    for libs in sorted(here.parent.glob(".*.mesonpy.libs")):  # a wheel from pip install .
        found = _in_wheel_libs(libs)
        if found:
            return found
    try:
        from . import _config  # generated by meson; absent in a source checkout
    except ImportError:
        return None
    relative = os.path.relpath(_config.LIBDIR, _config.PACKAGE_DIR)
    for directory in (os.path.join(str(here), relative), _config.LIBDIR):
        path = os.path.normpath(os.path.join(directory, _config.SONAME))
        if os.path.exists(path):
            return path
    return None


def _from_build_tree():
    root = _repo_root()
    if not (root / "include" / "ccrnn" / "ccrnn.h").exists():
        return None
    first = _in_dir(root / "build" / "lib")
    if first:
        return first
    others = [d / "lib" for d in root.glob("build*") if d.is_dir()]
    others.sort(key=lambda d: (d / SONAME).stat().st_mtime if (d / SONAME).exists() else 0,
                reverse=True)
    for d in others:
        found = _in_dir(d)
        if found:
            return found
    return None


def _from_pkg_config():
    try:
        out = subprocess.run(["pkg-config", "--variable=libdir", "libccrnn"],
                             capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    if out.returncode != 0 or not out.stdout.strip():
        return None
    return _in_dir(out.stdout.strip())


def find_library():
    """Path of the libccrnn shared object this binding will load (see module doc)."""
    for finder in (_from_env, _from_install, _from_build_tree, _from_pkg_config):
        path = finder()
        if path:
            return path
    return ctypes.util.find_library("ccrnn")


def _declare(lib):
    for name, (restype, argtypes) in PROTOTYPES.items():
        try:
            fn = getattr(lib, name)
        except AttributeError:
            if name in OPTIONAL:
                continue
            raise LibraryError("%s does not export %s" % (lib._name, name)) from None
        fn.restype = restype
        fn.argtypes = argtypes


def _check_version(lib, path):
    number = lib.ccrnn_version_number()
    major = number // 10000
    if major != HEADER_VERSION_MAJOR or number < HEADER_VERSION_NUMBER:
        raise LibraryError(
            "%s is version %s (%d) but this binding mirrors the 0.1 header (%d): need "
            "major %d and >= %d" % (path, lib.ccrnn_version_string().decode(), number,
                                   HEADER_VERSION_NUMBER, HEADER_VERSION_MAJOR,
                                   HEADER_VERSION_NUMBER))
    return number


def load(path=None):
    """Load libccrnn (from `path` or the search order above) and declare its functions."""
    path = path or find_library()
    if not path:
        raise LibraryError("libccrnn not found: set CCRNN_LIBRARY to the path of %s, build "
                           "the source tree (meson setup build && ninja -C build), or "
                           "install it so that pkg-config finds libccrnn" % SONAME)
    try:
        lib = ctypes.CDLL(path)
    except OSError as exc:
        raise LibraryError("cannot load %s: %s" % (path, exc)) from None
    _declare(lib)
    _check_version(lib, path)
    return lib, path


lib, library_path = load()


def function(name):
    """The declared library function `name`; LibraryError if this library lacks it."""
    try:
        return getattr(lib, name)
    except AttributeError:
        raise LibraryError("%s does not export %s (a libccrnn without checkpoints)"
                           % (library_path, name)) from None


def check(status):
    """Raise the exception for a non-OK status with the library's message."""
    if status != 0:
        raise error_for(status, lib.ccrnn_last_error().decode("utf-8", "replace"))
