#!/usr/bin/python3
"""The FFI wrappers mirror the C header, checked by parsing all three sides.

  * include/ccrnn/ccrnn.h: every CCRNN_API prototype (name, return and argument types);
  * the library: its exported dynamic symbols (nm -D --defined-only);
  * examples/ffi/julia/Ccrnn.jl: every ccall((:name, libccrnn), Ret, (types...), args...)
    and the wrapper function around it;
  * bindings/python/ccrnn/_lib.py: the ctypes PROTOTYPES table.

Julia cannot run here (not in Debian 12), so this is what keeps Ccrnn.jl honest: each
ccall names an exported symbol, passes as many arguments as the C prototype takes,
with the Julia type that matches each C type, and every header function is wrapped
exactly once.  The Python table is held to the same rule with ctypes types.
"""
import os
import pathlib
import re
import shutil
import subprocess
import sys
import unittest

HERE = pathlib.Path(__file__).resolve().parent
ROOT = pathlib.Path(os.environ.get("CCRNN_SOURCE_ROOT", HERE.parents[1]))
HEADER = ROOT / "include" / "ccrnn" / "ccrnn.h"
EXPERIMENTAL = ROOT / "include" / "ccrnn" / "ccrnn_experimental.h"
JULIA = ROOT / "examples" / "ffi" / "julia" / "Ccrnn.jl"
PYLIB = ROOT / "bindings" / "python" / "ccrnn" / "_lib.py"

HANDLES = ("ccrnn_cortex", "ccrnn_cerebellum", "ccrnn_optimizer")


# ---- the header -------------------------------------------------------------------------
def strip_c_comments(text):
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    return re.sub(r"//[^\n]*", " ", text)


def normalise_type(decl):
    """'const float *x' -> 'const float *'; 'ccrnn_cortex **out' -> 'ccrnn_cortex **'."""
    tokens = decl.replace("*", " * ").split()
    words = [t for t in tokens if t != "*"]
    if len([w for w in words if w != "const"]) >= 2:
        words = words[:-1]  # the last word is the parameter's name
    stars = tokens.count("*")
    return " ".join(words) + (" " + "*" * stars if stars else "")


def parse_header(path=None):
    """{name: (return_type, [arg types])} for every CCRNN_API function of the stable
    and the experimental header."""
    paths = [path] if path else [HEADER, EXPERIMENTAL]
    text = strip_c_comments("\n".join(p.read_text() for p in paths))
    protos = {}
    for m in re.finditer(r"CCRNN_API\s+([^;{]*?)\b(ccrnn_\w+)\s*\(([^)]*)\)\s*;", text, re.S):
        ret, name, args = m.group(1), m.group(2), m.group(3).strip()
        ret = normalise_type(ret + " _")  # a dummy name keeps the type whole
        argv = [] if args in ("", "void") else [normalise_type(a) for a in args.split(",")]
        if name in protos:
            raise AssertionError("%s declared twice in the header" % name)
        protos[name] = (ret, argv)
    return protos


# ---- type correspondences -----------------------------------------------------------------
C_TO_JULIA_SCALAR = {"int": "Cint", "unsigned": "Cuint", "size_t": "Csize_t",
                     "uint64_t": "UInt64", "double": "Cdouble", "float": "Cfloat",
                     "int32_t": "Int32", "void": "Cvoid"}


def julia_types(ctype, is_return=False):
    """The Julia ccall types accepted for a C type (a set)."""
    base = ctype.replace("const ", "").replace("*", "").strip()
    stars = ctype.count("*")
    if base == "char" and stars == 1:
        return {"Cstring", "Ptr{UInt8}", "Ptr{Cchar}"}
    if base == "char" and stars == 2:
        return {"Ptr{Ptr{UInt8}}", "Ptr{Cstring}", "Ptr{Ptr{Cchar}}", "Ref{Ptr{UInt8}}",
                "Ref{Cstring}"}
    inner = "Cvoid" if base in HANDLES else C_TO_JULIA_SCALAR[base]
    if stars == 0:
        return {inner}
    t = inner
    for _ in range(stars):
        t = "Ptr{%s}" % t
    accepted = {t}
    if stars >= 1:  # Ref{T} is the other spelling of an out-pointer
        accepted.add("Ref{%s}" % t[4:-1])
    return accepted


def ctypes_matches(ctype, ct, lib_module):
    import ctypes
    base = ctype.replace("const ", "").replace("*", "").strip()
    stars = ctype.count("*")
    if base == "void" and stars == 0:
        return ct is None
    if base == "char" and stars == 1:
        return ct is ctypes.c_char_p
    if base == "char" and stars == 2:
        return ct == ctypes.POINTER(ctypes.c_char_p)
    if base == "void" and stars == 1:
        return ct is ctypes.c_void_p
    scalars = {"int": ctypes.c_int, "unsigned": ctypes.c_uint, "size_t": ctypes.c_size_t,
               "uint64_t": ctypes.c_uint64, "double": ctypes.c_double,
               "float": ctypes.c_float, "int32_t": ctypes.c_int32}
    structs = {"ccrnn_cortex": lib_module._Cortex, "ccrnn_cerebellum": lib_module._Cerebellum,
               "ccrnn_optimizer": lib_module._Optimizer}
    t = structs.get(base) or scalars[base]
    for _ in range(stars):
        t = ctypes.POINTER(t)
    return ct == t or (stars == 0 and ctypes.sizeof(ct) == ctypes.sizeof(t)
                       and ct.__name__ == t.__name__)


# ---- the Julia file -----------------------------------------------------------------------
def split_top(text):
    """Split on commas outside braces/parentheses."""
    parts, depth, cur = [], 0, ""
    for ch in text:
        if ch in "({":
            depth += 1
        elif ch in ")}":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append(cur.strip())
            cur = ""
        else:
            cur += ch
    if cur.strip():
        parts.append(cur.strip())
    return parts


def strip_julia_comments(text):
    text = re.sub(r'"""(.*?)"""', '""', text, flags=re.S)
    return re.sub(r"#[^\n]*", "", text)


def parse_julia(path=JULIA):
    """[(wrapper name, wrapper params, symbol, library, return type, arg types, args)]."""
    text = strip_julia_comments(path.read_text())
    found = []
    pattern = re.compile(r"(\w+)\(([^()]*)\)\s*=\s*ccall\(\(:(\w+),\s*(\w+)\),\s*([\w{}]+),"
                         r"\s*\(([^()]*)\)\s*(?:,([^()]*))?\)", re.S)
    for m in pattern.finditer(text):
        wrapper, params, symbol, libvar, ret, types, args = m.groups()
        found.append((wrapper, split_top(params), symbol, libvar, ret.strip(),
                      split_top(types), split_top(args or "")))
    calls = len(re.findall(r"\bccall\(", text))
    return found, calls


# ---- the library ----------------------------------------------------------------------------
def exported_symbols():
    lib = os.environ.get("CCRNN_LIBRARY")
    if not lib:
        sys.path.insert(0, str(ROOT / "bindings" / "python"))
        try:
            from ccrnn import _lib  # noqa: F401 (uses the binding's search order)
            lib = _lib.library_path
        except Exception as exc:  # noqa: BLE001
            raise unittest.SkipTest("no library to inspect: %s" % exc)
    nm = shutil.which("nm")
    if not nm:
        raise unittest.SkipTest("nm (binutils) not found")
    out = subprocess.run([nm, "-D", "--defined-only", lib], capture_output=True, text=True,
                         check=True).stdout
    return {line.split()[-1].split("@")[0] for line in out.splitlines()
            if len(line.split()) >= 3 and line.split()[1] in "TtWi"}


class HeaderParseTest(unittest.TestCase):
    def test_parser_reads_known_prototypes(self):
        protos = parse_header()
        self.assertEqual(protos["ccrnn_cortex_forward"],
                         ("int", ["ccrnn_cortex *", "const float *", "size_t", "float *",
                                  "size_t"]))
        self.assertEqual(protos["ccrnn_last_error"], ("const char *", []))
        self.assertEqual(protos["ccrnn_cortex_destroy"], ("void", ["ccrnn_cortex *"]))
        self.assertEqual(protos["ccrnn_cortex_tensor_info"][1][2], "const char **")
        self.assertEqual(protos["ccrnn_cerebellum_create"][1][6:8], ["uint64_t", "unsigned"])
        self.assertGreaterEqual(len(protos), 57)


class LibraryExportsTest(unittest.TestCase):
    def test_header_and_exports_agree(self):
        protos, exported = parse_header(), exported_symbols()
        missing = sorted(set(protos) - exported)
        self.assertEqual(missing, [], "declared in the header but not exported")
        extra = sorted(s for s in exported if s not in protos)
        self.assertEqual(extra, [], "exported but not declared in the header")


class JuliaMirrorTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.protos = parse_header()
        cls.calls, cls.n_ccall = parse_julia()

    def test_every_ccall_was_parsed(self):
        self.assertEqual(len(self.calls), self.n_ccall,
                         "some ccall in Ccrnn.jl does not follow the wrapper pattern")

    def test_every_ccall_names_an_exported_symbol(self):
        exported = exported_symbols()
        for _, _, symbol, libvar, _, _, _ in self.calls:
            self.assertEqual(libvar, "libccrnn")
            self.assertIn(symbol, exported, "ccall of %s: not exported by the library" % symbol)

    def test_argument_counts_and_types_match_the_prototypes(self):
        for wrapper, params, symbol, _, ret, types, args in self.calls:
            self.assertIn(symbol, self.protos, "%s is not in the header" % symbol)
            self.assertEqual(wrapper, symbol, "wrapper %s calls %s" % (wrapper, symbol))
            c_ret, c_args = self.protos[symbol]
            self.assertEqual(len(types), len(c_args), "%s: %d ccall types, C has %d"
                             % (symbol, len(types), len(c_args)))
            self.assertEqual(len(args), len(c_args), "%s: %d arguments passed, C has %d"
                             % (symbol, len(args), len(c_args)))
            self.assertEqual(len(params), len(c_args), "%s: wrapper takes %d, C has %d"
                             % (symbol, len(params), len(c_args)))
            self.assertEqual(args, params, "%s passes its parameters out of order" % symbol)
            self.assertIn(ret, julia_types(c_ret, True), "%s returns %s, C returns %s"
                          % (symbol, ret, c_ret))
            for i, (jt, ct) in enumerate(zip(types, c_args)):
                self.assertIn(jt, julia_types(ct), "%s argument %d: Julia %s for C %s"
                              % (symbol, i + 1, jt, ct))

    def test_every_header_function_is_wrapped_once(self):
        names = [c[2] for c in self.calls]
        self.assertEqual(sorted(set(self.protos) - set(names)), [], "not wrapped in Ccrnn.jl")
        dupes = sorted({n for n in names if names.count(n) > 1})
        self.assertEqual(dupes, [], "wrapped more than once")

    def test_enum_values_match(self):
        text = strip_c_comments(HEADER.read_text())
        enums = dict((k, int(v)) for k, v in re.findall(r"\b(CCRNN_[A-Z0-9_]+)\s*=\s*(\d+)", text))
        jl = dict((k, int(v)) for k, v in
                  re.findall(r"const (CCRNN_[A-Z0-9_]+) = (\d+)", JULIA.read_text()))
        self.assertEqual(jl, enums)


JULIA_EXAMPLES = [JULIA.parent / "line_draw.jl", JULIA.parent / "quickstart.jl"]
JULIA_BASE_BANG = {"push!", "empty!", "fill!", "copyto!", "next!", "uniform!", "integer!",
                   "normal!", "train_batch!"}


def julia_definitions(text):
    text = strip_julia_comments(text)
    funcs = set(re.findall(r"^(?:Base\.)?([A-Za-z_]\w*!?)\([^\n]*\)\s*=[^=]", text, re.M))
    funcs |= set(re.findall(r"^\s*function\s+(?:Base\.)?([A-Za-z_]\w*!?)\s*\(", text, re.M))
    consts = set(re.findall(r"^\s*const\s+(\w+)", text, re.M))
    types = set(re.findall(r"^\s*(?:mutable\s+)?struct\s+(\w+)", text, re.M))
    exports = set()
    for line in re.findall(r"^export\s+((?:[^\n]*,[ \t]*\n)*[^\n]*)", text, re.M):
        exports |= {w.strip() for w in line.replace("\n", " ").split(",") if w.strip()}
    return funcs, consts, types, exports


class JuliaExamplesTest(unittest.TestCase):
    """The examples use only what Ccrnn.jl defines (they cannot be run here)."""

    @classmethod
    def setUpClass(cls):
        cls.funcs, cls.consts, cls.types, cls.exports = julia_definitions(JULIA.read_text())

    def test_exports_are_defined(self):
        self.assertEqual(sorted(self.exports - self.funcs - self.types), [])

    def test_examples_name_existing_things(self):
        for path in JULIA_EXAMPLES:
            text = re.sub(r'"[^"\n]*"', '""', strip_julia_comments(path.read_text()))
            own, _, own_types, _ = julia_definitions(path.read_text())
            for name in re.findall(r"\bCcrnn\.(\w+!?)", text):
                self.assertIn(name, self.funcs | self.consts | self.types,
                              "%s uses Ccrnn.%s, which Ccrnn.jl does not define" % (path.name, name))
            for name in set(re.findall(r"\b([a-z_]\w*!)\(", text)):
                self.assertTrue(name in self.exports or name in own or name in JULIA_BASE_BANG,
                                "%s calls %s, not exported by Ccrnn.jl" % (path.name, name))
            for name in set(re.findall(r"\b(Cortex|Cerebellum|Optimizer|CcrnnError)\(", text)):
                self.assertIn(name, self.exports)


class PythonMirrorTest(unittest.TestCase):
    def test_prototype_table_matches_the_header(self):
        try:
            import numpy  # noqa: F401  (the binding imports numpy)
        except ImportError:
            self.skipTest("numpy missing: the Python binding cannot be imported")
        sys.path.insert(0, str(ROOT / "bindings" / "python"))
        from ccrnn import _lib
        protos = parse_header()
        self.assertEqual(sorted(set(protos) - set(_lib.PROTOTYPES)), [],
                         "header functions missing from ccrnn/_lib.py")
        self.assertEqual(sorted(set(_lib.PROTOTYPES) - set(protos)), [],
                         "ccrnn/_lib.py declares functions the header does not have")
        for name, (c_ret, c_args) in protos.items():
            restype, argtypes = _lib.PROTOTYPES[name]
            self.assertEqual(len(argtypes), len(c_args), name)
            self.assertTrue(ctypes_matches(c_ret, restype, _lib), "%s restype" % name)
            for i, (ct, c) in enumerate(zip(argtypes, c_args)):
                self.assertTrue(ctypes_matches(c, ct, _lib), "%s argument %d: %s for %s"
                                % (name, i + 1, ct, c))
            fn = getattr(_lib.lib, name, None)
            if fn is not None:  # what the loaded library really got
                self.assertEqual(tuple(fn.argtypes), tuple(argtypes), name)
                self.assertEqual(fn.restype, restype, name)

    def test_version_macro_matches(self):
        path = os.environ.get("CCRNN_VERSION_HEADER")
        if not path:
            self.skipTest("CCRNN_VERSION_HEADER not set (run through meson test)")
        text = pathlib.Path(path).read_text()
        parts = [int(re.search(r"#define CCRNN_VERSION_%s (\d+)" % k, text).group(1))
                 for k in ("MAJOR", "MINOR", "PATCH")]
        number = parts[0] * 10000 + parts[1] * 100 + parts[2]
        jl = int(re.search(r"const HEADER_VERSION_NUMBER = (\d+)", JULIA.read_text()).group(1))
        py = re.search(r"HEADER_VERSION_(MAJOR|MINOR|PATCH) = (\d+)", PYLIB.read_text())
        self.assertIsNotNone(py)
        self.assertEqual(jl, number)


if __name__ == "__main__":
    unittest.main(verbosity=2)
