"""Shared set-up of the FFI tests: the binding on sys.path, and the meson skip code
(77) with a stated reason when numpy or the library is missing."""
import os
import pathlib
import sys

SKIP = 77
HERE = pathlib.Path(__file__).resolve().parent
SOURCE_ROOT = HERE.parents[1]
PYTHON_DIR = SOURCE_ROOT / "bindings" / "python"     # the package
EXAMPLES_DIR = SOURCE_ROOT / "examples" / "ffi" / "python"  # scripts that use it


def skip(reason):
    print("SKIP: " + reason)
    sys.exit(SKIP)


def import_binding():
    """Import numpy and the ccrnn package, or exit 77 saying why."""
    try:
        import numpy  # noqa: F401
    except ImportError as exc:
        skip("numpy is not installed for %s (%s); install python3-numpy" % (sys.executable, exc))
    if str(PYTHON_DIR) not in sys.path:
        sys.path.insert(0, str(PYTHON_DIR))
    if not os.environ.get("CCRNN_LIBRARY"):
        print("note: CCRNN_LIBRARY is not set; the binding searches the build tree")
    import ccrnn
    return ccrnn
