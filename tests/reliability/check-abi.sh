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
# 8 incompatible ABI change.  libabigail sets bit 8 only for removed symbols; a changed
# parameter or return type is reported as a "Changed" function under bit 4.  So this
# script reads abidiff's change summaries: only additions (Added functions/variables)
# are accepted; anything Removed or Changed, or bit 8, fails the check unless the
# soname differs from the baseline's (the break was declared by bumping `soversion` in
# meson.build).
# Enum values are part of the ABI too but invisible to abidiff (the API passes them as
# int): abi/enums.txt holds every CCRNN_* enumerator with its value; one that is
# removed or renumbered fails the check, new ones are accepted.
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
    ninja -C "$build" >"$build/ninja.log" 2>&1 || { tail -n 40 "$build/ninja.log"; echo "check-abi: build failed"; exit 1; }
    lib=$(find "$build/lib" -maxdepth 1 -name 'libccrnn.so.*.*' -type f | head -1)
fi
[ -f "$lib" ] || { echo "check-abi: no built library found"; exit 1; }

current="$build/libccrnn.abi"
mkdir -p "$build"
abidw --no-corpus-path --no-comp-dir-path --short-locs \
      --headers-dir include/ccrnn --drop-private-types \
      --out-file "$current" "$lib"

# Every enumerator of the public header with its compiled value, "NAME VALUE" sorted.
dump_enums() { # out-file
    local tmp
    tmp=$(mktemp -d)
    printf '#define CCRNN_VERSION_MAJOR 0\n#define CCRNN_VERSION_MINOR 0\n#define CCRNN_VERSION_PATCH 0\n' >"$tmp/ccrnn_version.h"
    {
        echo '#include <stdio.h>'
        echo '#include "ccrnn/ccrnn.h"'
        echo 'int main(void) {'
        sed -n '/^enum ccrnn_[a-z_]* {/,/^};/p' include/ccrnn/ccrnn.h |
            grep -oE '^ *CCRNN_[A-Z0-9_]+' | sed -E 's/ *(.*)/    printf("%s %d\\n", "\1", (int)\1);/'
        echo '    return 0;'
        echo '}'
    } >"$tmp/enums.c"
    cc -I include -I "$tmp" "$tmp/enums.c" -o "$tmp/enums"
    "$tmp/enums" | sort >"$1"
    rm -rf "$tmp"
}

soname_of() { grep -o "soname='[^']*'" "$1" | head -1 | cut -d"'" -f2; }

dump_enums "$build/enums.txt"
if [ $update -eq 1 ] || [ ! -f "$baseline" ]; then
    cp "$current" "$baseline"
    cp "$build/enums.txt" abi/enums.txt
    echo "check-abi: abi/enums.txt written ($(wc -l <abi/enums.txt) enumerators)"
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
removed=$({ grep -oE '[0-9]+ Removed' "$build/abidiff.txt" || true; } | awk '{s += $1} END {print s + 0}')
changed=$({ grep -oE '[0-9]+ Changed' "$build/abidiff.txt" || true; } | awk '{s += $1} END {print s + 0}')
added=$({ grep -oE '[0-9]+ Added' "$build/abidiff.txt" || true; } | awk '{s += $1} END {print s + 0}')
# Enumerators: lost or renumbered ones break the ABI, new ones do not.
enum_lost=$(comm -23 abi/enums.txt "$build/enums.txt" | wc -l)
enum_new=$(comm -13 abi/enums.txt "$build/enums.txt" | wc -l)
if [ "$enum_lost" -ne 0 ]; then
    echo "enumerators removed or renumbered (baseline value, then current):"
    comm -23 abi/enums.txt "$build/enums.txt" | sed 's/^/  - /'
    comm -13 abi/enums.txt "$build/enums.txt" | sed 's/^/  + /'
fi
echo "check-abi: abidiff exit $rc; functions/variables removed $removed, changed $changed, added $added; enumerators removed or renumbered $enum_lost, added $enum_new"
if [ $((rc & 8)) -ne 0 ] || [ "$removed" -ne 0 ] || [ "$changed" -ne 0 ] || [ "$enum_lost" -ne 0 ]; then
    if [ "$old_soname" != "$new_soname" ]; then
        echo "check-abi: incompatible change, declared by the soname bump $old_soname -> $new_soname: ok (run with --update to store the new baseline)"
        exit 0
    fi
    echo "check-abi: FAILED: incompatible ABI change without a soname bump (still $new_soname)"
    exit 1
fi
if [ "$added" -ne 0 ] || [ "$enum_new" -ne 0 ] || [ $((rc & 4)) -ne 0 ]; then
    echo "check-abi: compatible ABI change (additions only): ok"
else
    echo "check-abi: ABI unchanged: ok"
fi
