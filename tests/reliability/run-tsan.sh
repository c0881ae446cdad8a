#!/usr/bin/env bash
# Thread safety under ThreadSanitizer: a separate build with -Db_sanitize=thread, then
# the reliability suite (its 'threads' test trains independent handles from several
# pthreads and saves concurrently to one path) and the Check suites, with every report
# fatal.  Prints the number of ThreadSanitizer reports (the goal is zero).
#
#   tests/reliability/run-tsan.sh            env TSAN_BUILD_DIR (default build-tsan),
#                                            TSAN_SUITES (default "reliability check")
#
# Built with clang: GCC's target_clones (CCRNN_SIMD_CLONES in lib/internal.h) make
# ifunc resolvers that run during relocation, before the TSan runtime is initialised,
# and a GCC -fsanitize=thread build crashes at load time.  Clang builds have no clones.
# Without OpenMP too: ThreadSanitizer does not see the OpenMP runtime's barriers, so
# ccrnn__la_rows's split passes would be reported as races (libgomp and libomp are not
# instrumented); the handles' own thread safety is what this run checks.
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${TSAN_BUILD_DIR:-build-tsan}
suites=${TSAN_SUITES:-reliability check}
opts=(--buildtype=debugoptimized -Db_sanitize=thread -Db_lundef=false -Dexamples=false -Dopenmp=disabled)
if [ -f "$build/build.ninja" ]; then meson setup --reconfigure "$build" "${opts[@]}" >/dev/null
else CC=clang meson setup "$build" "${opts[@]}" >/dev/null; fi
ninja -C "$build" >"$build/ninja.log" 2>&1 || { tail -n 40 "$build/ninja.log"; echo "run-tsan: build failed"; exit 1; }
args=()
for s in $suites; do args+=(--suite "$s"); done
rc=0
TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1:allocator_may_return_null=1 \
    meson test -C "$build" --print-errorlogs "${args[@]}" >"$build/tsan.out" 2>&1 || rc=1
tail -n 12 "$build/tsan.out"
log="$build/meson-logs/testlog.txt"
reports=$(grep -c 'WARNING: ThreadSanitizer' "$log" || true)
tests=$(grep -cE '^=+ [0-9]+/[0-9]+ =+$' "$log" || true)
echo "tsan: $tests tests run; ThreadSanitizer reports: $reports"
if [ $rc -ne 0 ] || [ "$reports" -ne 0 ]; then echo "run-tsan: FAILED"; exit 1; fi
echo "run-tsan: 0 reports"
