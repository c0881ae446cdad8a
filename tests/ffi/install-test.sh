#!/bin/sh
# C, C++ and Python consumers of an INSTALLED libccrnn, following the README's
# "Linking after meson install" exactly.
#
# Configures a fresh copy of the source tree for the default prefix (/usr/local), builds
# it once (library, headers, Python package) and installs it:
#   1. with `meson install --destdir DIR`: then, with only the variables the README
#      names (PKG_CONFIG_SYSROOT_DIR, PKG_CONFIG_PATH, LD_LIBRARY_PATH; PYTHONPATH for
#      Python):
#        - checks the soname, the symlink chain, the installed headers and .pc;
#        - builds and runs a C99 program, a C++11 program, the README's C example and
#          the C++17 wrapper's example and test against the shared library, and the C
#          and C++ programs statically against libccrnn.a;
#        - imports the installed Python package from a clean directory and trains with it;
#   2. to the default prefix itself, `meson install` with no DESTDIR and `ldconfig`, then
#      the same programs with NO variable at all.  So that the test never touches the
#      machine, this runs in a private mount namespace with an empty tmpfs on
#      /usr/local and a private ld.so.cache (needs root and unshare; skipped otherwise);
#   3. `pip install --no-build-isolation --no-deps --target DIR .` (meson-python) and
#      imports that package from a clean directory with PYTHONPATH=DIR only.
# Usage: install-test.sh SOURCE_ROOT      (meson test passes it; exit 77 = skip)
set -eu

src=${1:-${CCRNN_SOURCE_ROOT:-}}
[ -n "$src" ] && [ -f "$src/meson.build" ] || { echo "usage: $0 SOURCE_ROOT" >&2; exit 2; }
src=$(cd "$src" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
CC=${CC:-cc}
CXX=${CXX:-c++}
PYTHON=${PYTHON:-/usr/bin/python3}
# The soname meson.build sets (soversion changes only on ABI breaks).
SONAME=libccrnn.so.$(sed -n "s/^soversion = '\([0-9]*\)'.*/\1/p" "$src/meson.build")
for tool in meson ninja pkg-config readelf "$CC" "$CXX"; do
    command -v "$tool" >/dev/null 2>&1 || { echo "SKIP: $tool not found"; exit 77; }
done

# Under `meson test --setup valgrind` this shell itself runs in valgrind, whose
# definite-leak check then fails on the strings dash never frees at exit.  Leave
# valgrind (exec does not trace children) and run the consumers under it instead.
case "${LD_PRELOAD:-}" in
    *vgpreload*) exec env -u LD_PRELOAD CCRNN_CONSUMERS_UNDER_VALGRIND=1 sh "$0" "$@" ;;
esac
run() {
    if [ -n "${CCRNN_CONSUMERS_UNDER_VALGRIND:-}" ]; then
        valgrind --quiet --error-exitcode=1 --leak-check=full \
            --errors-for-leak-kinds=definite,indirect "$@"
    else
        "$@"
    fi
}

fail() { echo "FAIL: $*" >&2; exit 1; }
step() { echo "== $*"; }

# name source flags -> builds $tmp/<name> against the shared library
build() {
    name=$1 source=$2
    shift 2
    # shellcheck disable=SC2086
    "$@" -Wall -Wextra -Wpedantic -Werror $cflags "$source" -o "$tmp/$name" $libs ||
        fail "$name: build"
}
# site-packages dir -> imports ccrnn there from a clean directory, with PYTHONPATH only
# when given, checks which files were loaded, and runs the Python quick start.
python_check() {
    site=$1 want_lib=$2 pythonpath=$3
    rm -rf "$tmp/clean" && mkdir "$tmp/clean"
    cp "$src/examples/ffi/python/quickstart.py" "$tmp/clean/"
    (
        cd "$tmp/clean"
        if [ -n "$pythonpath" ]; then export PYTHONPATH="$pythonpath"; fi
        "$PYTHON" -c 'import sys, ccrnn
site, lib = sys.argv[1], sys.argv[2]
assert ccrnn.__file__.startswith(site + "/ccrnn/"), ccrnn.__file__
assert ccrnn.library_path.startswith(lib), (ccrnn.library_path, lib)
print("   import ccrnn:", ccrnn.__file__, "loads", ccrnn.library_path)' "$site" "$want_lib" &&
        "$PYTHON" quickstart.py >"$tmp/py.out" && echo "   quickstart.py: $(tail -n 1 "$tmp/py.out")"
    ) || fail "the installed Python package ($site)"
}

default_prefix_phase() {
    # A private, empty /usr/local and a private loader cache: nothing leaves this namespace.
    mount -t tmpfs ccrnn-install-test /usr/local
    meson install -C "$tmp/build" --no-rebuild >"$tmp/install2.log" 2>&1 ||
        { cat "$tmp/install2.log"; fail "meson install"; }
    ldconfig -C "$tmp/ld.so.cache"            # = `ldconfig`, written beside, then mounted
    mount --bind "$tmp/ld.so.cache" /etc/ld.so.cache
    cflags=$(pkg-config --cflags libccrnn) || fail "pkg-config does not find libccrnn"
    libs=$(pkg-config --libs libccrnn)
    build c_default "$here/consumer.c" "$CC" -std=c99
    build cpp_default "$here/../../examples/ffi/cpp/quickstart.cpp" "$CXX" -std=c++17
    for prog in c_default cpp_default; do
        resolved=$(ldd "$tmp/$prog" | sed -n 's/.*libccrnn\.so\.[0-9]* => \([^ ]*\).*/\1/p')
        [ "$resolved" = "$libdir_installed/$SONAME" ] || fail "$prog resolves libccrnn to '$resolved'"
        run "$tmp/$prog" >"$tmp/$prog.out" || fail "$prog exited with $?"
        echo "   $prog: $(tail -n 1 "$tmp/$prog.out")"
    done
    if [ -n "$have_python" ]; then
        site=$(dirname "$(dirname "$(find /usr/local -path '*/ccrnn/_config.py' | head -n 1)")")
        python_check "$site" "$libdir_installed/$SONAME" ""
    fi
}

# Phase 2 runs this script again inside the private mount namespace.
if [ "${CCRNN_INSTALL_PHASE:-}" = default-prefix ]; then
    default_prefix_phase
    exit 0
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ccrnn-install.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

# The meson test environment points the Python tests at the build tree; the
# consumers below must see only what the README tells a user to set.
unset CCRNN_LIBRARY LD_LIBRARY_PATH PYTHONPATH PKG_CONFIG_SYSROOT_DIR PKG_CONFIG_PATH \
    PKG_CONFIG_LIBDIR || true

have_python=
if [ -x "$PYTHON" ] && "$PYTHON" -c 'import numpy' 2>/dev/null; then have_python=1; fi

step "configure for the default prefix /usr/local, build, install with --destdir"
start=$(date +%s)
meson setup "$tmp/build" "$src" --prefix=/usr/local -Dexamples=false -Dtests=disabled \
    -Dbuildtype=release >"$tmp/setup.log" 2>&1 || { cat "$tmp/setup.log"; fail "meson setup"; }
ninja -C "$tmp/build" >"$tmp/build.log" 2>&1 || { cat "$tmp/build.log"; fail "ninja"; }
DIR="$tmp/stage"
meson install -C "$tmp/build" --no-rebuild --destdir "$DIR" >"$tmp/install.log" 2>&1 ||
    { cat "$tmp/install.log"; fail "meson install --destdir"; }
echo "   took $(( $(date +%s) - start )) s"

pc=$(find "$DIR" -name libccrnn.pc | head -n 1)
[ -n "$pc" ] || fail "libccrnn.pc not installed"
libdir=$(dirname "$(dirname "$pc")")        # $DIR/usr/local/lib[/<multiarch>]
libdir_installed=${libdir#"$DIR"}            # /usr/local/lib[/<multiarch>]
echo "   libdir $libdir_installed"

step "installed files"
for f in include/ccrnn/ccrnn.h include/ccrnn/ccrnn_experimental.h include/ccrnn/ccrnn.hpp \
        include/ccrnn/ccrnn_version.h; do
    [ -f "$DIR/usr/local/$f" ] || fail "$f not installed"
done
real=$(ls "$libdir"/libccrnn.so.*.*.* 2>/dev/null | head -n 1)
[ -n "$real" ] || fail "no versioned libccrnn.so.X.Y.Z in $libdir"
[ "$(readlink "$libdir/libccrnn.so")" = "$SONAME" ] || fail "libccrnn.so -> $(readlink "$libdir/libccrnn.so")"
[ "$(readlink "$libdir/$SONAME")" = "$(basename "$real")" ] || fail "$SONAME symlink"
soname=$(readelf -d "$real" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
[ "$soname" = "$SONAME" ] || fail "SONAME is '$soname', expected $SONAME"
echo "   $(basename "$real"): SONAME $soname"

# ---- 1. the README's --destdir recipe ------------------------------------------------
step "README, after --destdir: PKG_CONFIG_SYSROOT_DIR, PKG_CONFIG_PATH, LD_LIBRARY_PATH"
export PKG_CONFIG_SYSROOT_DIR="$DIR"
export PKG_CONFIG_PATH="$DIR$libdir_installed/pkgconfig"
version=$(pkg-config --modversion libccrnn) || fail "pkg-config does not find libccrnn"
header_version=$(sed -n 's/#define CCRNN_VERSION_STRING "\(.*\)"/\1/p' "$DIR/usr/local/include/ccrnn/ccrnn_version.h")
[ "$version" = "$header_version" ] || fail "pc version $version, header $header_version"
cflags=$(pkg-config --cflags libccrnn)
libs=$(pkg-config --libs libccrnn)
static_libs=$(pkg-config --static --libs libccrnn)
echo "   version $version"
echo "   --cflags:        $cflags"
echo "   --libs:          $libs"
echo "   --static --libs: $static_libs"
case " $cflags " in *" -I$DIR/usr/local/include "*) ;; *) fail "--cflags lacks -I$DIR/usr/local/include" ;; esac
case " $libs " in *" -lccrnn "*) ;; *) fail "--libs lacks -lccrnn" ;; esac
case " $static_libs " in *" -lblis "*) ;; *) fail "--static --libs lacks -lblis" ;; esac
case " $static_libs " in *" -lm "*) ;; *) fail "--static --libs lacks -lm" ;; esac

step "the installed headers compile alone (C99 -pedantic -Werror; C++11; ccrnn.hpp as C++17)"
printf '#include <ccrnn/ccrnn.h>\nint main(void) { return CCRNN_OK; }\n' >"$tmp/h.c"
# shellcheck disable=SC2086
"$CC" -std=c99 -Wall -Wextra -Wpedantic -Werror $cflags -c "$tmp/h.c" -o "$tmp/h.o" ||
    fail "header as C99"
cp "$tmp/h.c" "$tmp/h.cpp"
# shellcheck disable=SC2086
"$CXX" -std=c++11 -Wall -Wextra -Wpedantic -Werror $cflags -c "$tmp/h.cpp" -o "$tmp/hpp.o" ||
    fail "header as C++11"
printf '#include <ccrnn/ccrnn.hpp>\nint main() { return ccrnn::version().empty(); }\n' >"$tmp/w.cpp"
# shellcheck disable=SC2086
"$CXX" -std=c++17 -Wall -Wextra -Wpedantic -Werror $cflags -c "$tmp/w.cpp" -o "$tmp/w.o" ||
    fail "ccrnn.hpp as C++17"

build c_shared "$here/consumer.c" "$CC" -std=c99
build cpp_shared "$here/consumer.cpp" "$CXX" -std=c++11
build quickstart "$here/../../examples/quickstart/quickstart.c" "$CC" -std=c99
build cpp_quickstart "$here/../../examples/ffi/cpp/quickstart.cpp" "$CXX" -std=c++17
build cpp_wrapper "$here/wrapper_test.cpp" "$CXX" -std=c++17
for prog in c_shared cpp_shared quickstart cpp_quickstart cpp_wrapper; do
    readelf -d "$tmp/$prog" | grep -q 'NEEDED.*\[libccrnn\.so\.[0-9]*\]' ||
        fail "$prog does not NEED $SONAME"
    resolved=$(LD_LIBRARY_PATH="$DIR$libdir_installed" ldd "$tmp/$prog" |
        sed -n 's/.*libccrnn\.so\.[0-9]* => \([^ ]*\).*/\1/p')
    [ "$resolved" = "$libdir/$SONAME" ] || fail "$prog resolves libccrnn to '$resolved'"
    LD_LIBRARY_PATH="$DIR$libdir_installed" run "$tmp/$prog" >"$tmp/$prog.out" ||
        { cat "$tmp/$prog.out"; fail "$prog exited with $?"; }
    echo "   $prog: $(tail -n 1 "$tmp/$prog.out")"
done

step "C and C++ programs linked statically against libccrnn.a"
if [ -f "$libdir/libccrnn.a" ]; then
    # Both archives are installed side by side; -l:libccrnn.a picks the static one.
    static_pick=$(echo "$static_libs" | sed 's/-lccrnn\b/-l:libccrnn.a/')
    # shellcheck disable=SC2086
    "$CC" -std=c99 $cflags "$here/consumer.c" -o "$tmp/c_static" $static_pick ||
        fail "static C link"
    # shellcheck disable=SC2086
    "$CXX" -std=c++11 $cflags "$here/consumer.cpp" -o "$tmp/cpp_static" $static_pick ||
        fail "static C++ link"
    for prog in c_static cpp_static; do
        if readelf -d "$tmp/$prog" | grep -q 'NEEDED.*libccrnn'; then
            fail "$prog still needs the shared libccrnn"
        fi
        run "$tmp/$prog" >/dev/null || fail "$prog exited with $?"
    done
else
    echo "   NOTE: $libdir/libccrnn.a not installed (shared-only build): only the"
    echo "   --static link line was checked (-lblis and -lm present)"
fi
unset PKG_CONFIG_SYSROOT_DIR PKG_CONFIG_PATH

step "README, after --destdir: the Python package with PYTHONPATH only"
if [ -n "$have_python" ]; then
    init=$(find "$DIR" -path '*/ccrnn/_config.py' | head -n 1)
    [ -n "$init" ] || fail "the Python package was not installed (ccrnn/_config.py)"
    site=$(dirname "$(dirname "$init")")
    python_check "$site" "$libdir/$SONAME" "$site"
else
    echo "   SKIP: $PYTHON with numpy not found"
fi

# ---- 2. the default prefix, no variables -------------------------------------------
step "README, after meson install to the default prefix: no variables"
if [ "$(id -u)" = 0 ] && command -v unshare >/dev/null 2>&1 && command -v ldconfig >/dev/null 2>&1 &&
        unshare --mount --propagation private true 2>/dev/null; then
    CCRNN_INSTALL_PHASE=default-prefix tmp="$tmp" have_python="$have_python" \
        libdir_installed="$libdir_installed" \
        unshare --mount --propagation private sh "$0" "$src" || fail "default prefix"
else
    echo "   SKIP: needs root and unshare (a private /usr/local); the --destdir case above ran"
fi

# ---- 3. pip through meson-python -------------------------------------------------------
step "pip install --no-build-isolation --no-deps --target DIR . (meson-python)"
if [ -z "$have_python" ]; then
    echo "   SKIP: $PYTHON with numpy not found"
elif ! "$PYTHON" -c 'import mesonpy' 2>/dev/null; then
    echo "   SKIP: meson-python is not installed (Debian: python3-mesonpy)"
elif ! command -v patchelf >/dev/null 2>&1; then
    echo "   SKIP: patchelf is not installed (meson-python 0.12 runs it on the wheel's libraries)"
else
    start=$(date +%s)
    # meson-python 0.12 writes its native file into the source tree: leave no trace
    native="$src/.mesonpy-native-file.ini"
    [ -e "$native" ] && keep_native=1 || keep_native=
    "$PYTHON" -m pip install --no-build-isolation --no-deps --no-index --target "$tmp/pip" \
        "$src" >"$tmp/pip.log" 2>&1 || { cat "$tmp/pip.log"; fail "pip install"; }
    [ -n "$keep_native" ] || rm -f "$native"
    echo "   took $(( $(date +%s) - start )) s"
    python_check "$tmp/pip" "$tmp/pip/.ccrnn.mesonpy.libs/libccrnn.so." "$tmp/pip"
    [ -x "$tmp/pip/bin/ccrnn-convert" ] || fail "the wheel did not install bin/ccrnn-convert"
fi
echo "PASS: installed libccrnn $version works from C, C++ and Python as the README says"
