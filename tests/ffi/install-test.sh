#!/bin/sh
# C and C++ consumers of an INSTALLED libccrnn.
#
# Configures a fresh copy of the source tree with --prefix in a temporary directory,
# builds and installs it (library only), then with nothing but
# `pkg-config --cflags --libs libccrnn` (PKG_CONFIG_PATH pointing at the staging prefix):
#   - compiles and runs a C99 program and a C++11 program against the shared library;
#   - links both statically against libccrnn.a with `pkg-config --static --libs`;
#   - checks the soname, the symlink chain, NEEDED entries, the installed headers and
#     that the version macro agrees with the library.
# Usage: install-test.sh SOURCE_ROOT      (meson test passes it; exit 77 = skip)
set -eu

src=${1:-${CCRNN_SOURCE_ROOT:-}}
[ -n "$src" ] && [ -f "$src/meson.build" ] || { echo "usage: $0 SOURCE_ROOT" >&2; exit 2; }
src=$(cd "$src" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
CC=${CC:-cc}
CXX=${CXX:-c++}
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

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ccrnn-install.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
prefix="$tmp/prefix"
fail() { echo "FAIL: $*" >&2; exit 1; }
step() { echo "== $*"; }

# The meson test environment points the Python tests at the build tree; the
# consumers below must see only the staging prefix.
unset CCRNN_LIBRARY LD_LIBRARY_PATH PKG_CONFIG_SYSROOT_DIR || true

step "configure, build and install into $prefix"
start=$(date +%s)
meson setup "$tmp/build" "$src" --prefix="$prefix" --libdir=lib -Dexamples=false \
    -Dtests=disabled -Dbuildtype=release >"$tmp/setup.log" 2>&1 ||
    { cat "$tmp/setup.log"; fail "meson setup"; }
ninja -C "$tmp/build" >"$tmp/build.log" 2>&1 || { cat "$tmp/build.log"; fail "ninja"; }
meson install -C "$tmp/build" --no-rebuild >"$tmp/install.log" 2>&1 ||
    { cat "$tmp/install.log"; fail "meson install"; }
echo "   took $(( $(date +%s) - start )) s"

libdir="$prefix/lib"
export PKG_CONFIG_PATH="$libdir/pkgconfig"
export PKG_CONFIG_LIBDIR="$libdir/pkgconfig"  # nothing from the system's .pc files

step "installed files"
for f in include/ccrnn/ccrnn.h include/ccrnn/ccrnn_version.h lib/pkgconfig/libccrnn.pc; do
    [ -f "$prefix/$f" ] || fail "$f not installed"
done
real=$(ls "$libdir"/libccrnn.so.*.*.* 2>/dev/null | head -n 1)
[ -n "$real" ] || fail "no versioned libccrnn.so.X.Y.Z in $libdir"
[ "$(readlink "$libdir/libccrnn.so")" = "libccrnn.so.1" ] || fail "libccrnn.so -> $(readlink "$libdir/libccrnn.so")"
[ "$(readlink "$libdir/libccrnn.so.1")" = "$(basename "$real")" ] || fail "libccrnn.so.1 symlink"
soname=$(readelf -d "$real" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
[ "$soname" = "libccrnn.so.1" ] || fail "SONAME is '$soname', expected libccrnn.so.1"
echo "   $(basename "$real"): SONAME $soname"

step "pkg-config"
version=$(pkg-config --modversion libccrnn) || fail "pkg-config does not find libccrnn"
header_version=$(sed -n 's/#define CCRNN_VERSION_STRING "\(.*\)"/\1/p' "$prefix/include/ccrnn/ccrnn_version.h")
[ "$version" = "$header_version" ] || fail "pc version $version, header $header_version"
cflags=$(pkg-config --cflags libccrnn)
libs=$(pkg-config --libs libccrnn)
static_libs=$(pkg-config --static --libs libccrnn)
echo "   version $version"
echo "   --cflags:        $cflags"
echo "   --libs:          $libs"
echo "   --static --libs: $static_libs"
case " $libs " in *" -lccrnn "*) ;; *) fail "--libs lacks -lccrnn" ;; esac
case " $static_libs " in *" -lblis "*) ;; *) fail "--static --libs lacks -lblis" ;; esac
case " $static_libs " in *" -lm "*) ;; *) fail "--static --libs lacks -lm" ;; esac

step "the installed header compiles alone (C99 -pedantic -Werror, C++11)"
printf '#include <ccrnn/ccrnn.h>\nint main(void) { return CCRNN_OK; }\n' >"$tmp/h.c"
# shellcheck disable=SC2086
"$CC" -std=c99 -Wall -Wextra -Wpedantic -Werror $cflags -c "$tmp/h.c" -o "$tmp/h.o" ||
    fail "header as C99"
cp "$tmp/h.c" "$tmp/h.cpp"
# shellcheck disable=SC2086
"$CXX" -std=c++11 -Wall -Wextra -Wpedantic -Werror $cflags -c "$tmp/h.cpp" -o "$tmp/hpp.o" ||
    fail "header as C++11"

step "C and C++ programs against the shared library"
# shellcheck disable=SC2086
"$CC" -std=c99 -Wall -Wextra -Wpedantic -Werror $cflags "$here/consumer.c" -o "$tmp/c_shared" \
    $libs || fail "C build"
# shellcheck disable=SC2086
"$CXX" -std=c++11 -Wall -Wextra -Wpedantic -Werror $cflags "$here/consumer.cpp" \
    -o "$tmp/cpp_shared" $libs || fail "C++ build"
for prog in c_shared cpp_shared; do
    readelf -d "$tmp/$prog" | grep -q 'NEEDED.*\[libccrnn\.so\.1\]' ||
        fail "$prog does not NEED libccrnn.so.1"
    resolved=$(LD_LIBRARY_PATH="$libdir" ldd "$tmp/$prog" | sed -n 's/.*libccrnn\.so\.1 => \([^ ]*\).*/\1/p')
    [ "$resolved" = "$libdir/libccrnn.so.1" ] || fail "$prog resolves libccrnn to '$resolved'"
    LD_LIBRARY_PATH="$libdir" run "$tmp/$prog" || fail "$prog exited with $?"
done

step "the README's example (examples/quickstart/quickstart.c) against the installed library"
# shellcheck disable=SC2086
"$CC" -std=c99 -Wall -Wextra -Wpedantic -Werror $cflags "$here/../../examples/quickstart/quickstart.c" \
    -o "$tmp/quickstart" $libs || fail "README example build"
LD_LIBRARY_PATH="$libdir" run "$tmp/quickstart" >/dev/null || fail "README example exited with $?"

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
        run "$tmp/$prog" || fail "$prog exited with $?"
    done
else
    echo "   NOTE: $libdir/libccrnn.a not installed (shared-only build): only the"
    echo "   --static link line was checked (-lblis and -lm present)"
fi
echo "PASS: installed libccrnn $version works from C and C++ via pkg-config"
