#!/usr/bin/env bash
# ABI guard.  Builds the shared library with debug information, dumps its ABI with
# abidw (public types only: those of include/ccrnn) and compares it with the stored
# baseline abi/libccrnn.abi using abidiff.
#
#   tests/reliability/check-abi.sh            check (exit 1 on an incompatible change)
#   tests/reliability/check-abi.sh --update   regenerate the baseline (after a release,
#                                             or once a soname bump has been made)
#   env ABI_BUILD_DIR (default build-abi), ABI_LIBRARY (check this built .so instead)
#
# abidiff's exit status is a bit set: 1 error, 2 usage error, 4 ABI change,
# 8 incompatible ABI change.  Additions (new functions, new enum values appended) set
# only bit 4: reported, accepted.  Bit 8 (a function or variable removed, a changed
# signature, a changed type) fails the check unless the soname differs from the
# baseline's, i.e. the break was declared by bumping `soversion` in meson.build.
set -euo pipefail
cd "$(dirname "$0")/../.."
baseline=abi/libccrnn.abi
build=${ABI_BUILD_DIR:-build-abi}
update=0
[ "${1:-}" = "--update" ] && update=1

for tool in abidw abidiff; do
    command -v "$tool" >/dev/null || { echo "check-abi: $tool missing (apt-get install abigail-tools)"; exit 1; }
done

lib=${ABI_LIBRARY:-}
if [ -z "$lib" ]; then
    opts=(--buildtype=debugoptimized -Dexamples=false -Dtests=disabled)
    if [ -f "$build/build.ninja" ]; then meson setup --reconfigure "$build" "${opts[@]}" >/dev/null
    else meson setup "$build" "${opts[@]}" >/dev/null; fi
    ninja -C "$build" >/dev/null
    lib=$(find "$build/lib" -maxdepth 1 -name 'libccrnn.so.*.*' -type f | head -1)
fi
[ -f "$lib" ] || { echo "check-abi: no built library found"; exit 1; }

current="$build/libccrnn.abi"
mkdir -p "$build"
abidw --no-corpus-path --no-comp-dir-path --short-locs \
      --headers-dir include/ccrnn --drop-private-types \
      --out-file "$current" "$lib"

soname_of() { grep -o "soname='[^']*'" "$1" | head -1 | cut -d"'" -f2; }

if [ $update -eq 1 ] || [ ! -f "$baseline" ]; then
    cp "$current" "$baseline"
    echo "check-abi: baseline $baseline written from $lib (soname $(soname_of "$baseline"), $(grep -c '<elf-symbol name=' "$baseline") symbols)"
    exit 0
fi

rc=0
abidiff --no-show-locs "$baseline" "$current" >"$build/abidiff.txt" 2>&1 || rc=$?
old_soname=$(soname_of "$baseline")
new_soname=$(soname_of "$current")
cat "$build/abidiff.txt"
if [ $((rc & 3)) -ne 0 ]; then
    echo "check-abi: abidiff failed to run (exit $rc)"
    exit 1
fi
if [ $((rc & 8)) -ne 0 ]; then
    if [ "$old_soname" != "$new_soname" ]; then
        echo "check-abi: incompatible change, declared by the soname bump $old_soname -> $new_soname: ok (run with --update to store the new baseline)"
        exit 0
    fi
    echo "check-abi: FAILED: incompatible ABI change without a soname bump (still $new_soname)"
    exit 1
fi
if [ $((rc & 4)) -ne 0 ]; then
    echo "check-abi: compatible ABI change (additions): ok"
else
    echo "check-abi: ABI unchanged: ok"
fi
