#!/usr/bin/env bash
# Build the libFuzzer targets (checkpoint loaders for cortex, cerebellum and optimizer;
# the optimizer checkpoint's semantic fields; random call sequences over the window and
# batch calls; the examples' IDX reader) with clang, AddressSanitizer and UndefinedBehaviorSanitizer,
# and run each for a bounded time.  Fails on any crash, sanitizer report, leak, timeout
# or out-of-memory.  New inputs go to BUILD/fuzz-corpus (the committed seeds in
# tests/reliability/corpus are only read); crashing inputs to BUILD/fuzz-artifacts.
#
#   tests/reliability/run-fuzz.sh [SECONDS_PER_TARGET]     (default 60; env FUZZ_SECONDS)
#   env FUZZ_BUILD_DIR (default build-fuzz), FUZZ_TARGETS (default "cortex cerebellum
#   optimizer idx optfields sequence")
set -euo pipefail
cd "$(dirname "$0")/../.."
secs=${1:-${FUZZ_SECONDS:-60}}
build=${FUZZ_BUILD_DIR:-build-fuzz}
targets=${FUZZ_TARGETS:-cortex cerebellum optimizer idx optfields sequence}

command -v clang >/dev/null || { echo "run-fuzz: clang not found (apt-get install clang)"; exit 1; }
opts=(--buildtype=debugoptimized -Db_sanitize=address,undefined -Db_lundef=false
      -Dc_args=-fno-sanitize-recover=all -Dexamples=false)
if [ -f "$build/build.ninja" ]; then
    meson setup --reconfigure "$build" "${opts[@]}" >/dev/null
else
    CC=clang meson setup "$build" "${opts[@]}" >/dev/null
fi
exes=()
for t in $targets; do exes+=("tests/reliability/fuzz-$t"); done
ninja -C "$build" "${exes[@]}" >"$build/ninja.log" 2>&1 || { tail -n 40 "$build/ninja.log"; echo "run-fuzz: build failed"; exit 1; }

export ASAN_OPTIONS=halt_on_error=1:detect_leaks=1:allocator_may_return_null=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
mkdir -p "$build/fuzz-artifacts"
total=0
status=0
for t in $targets; do
    work="$build/fuzz-corpus/$t"
    mkdir -p "$work"
    log="$build/fuzz-$t.log"
    # Checkpoint loaders refuse handles above 1 GiB, so no single allocation is larger.
    if "$build/tests/reliability/fuzz-$t" "$work" "tests/reliability/corpus/$t" \
        -max_total_time="$secs" -timeout=10 -rss_limit_mb=2560 -malloc_limit_mb=1100 \
        -print_final_stats=1 -artifact_prefix="$build/fuzz-artifacts/$t-" >"$log" 2>&1; then
        result=ok
    else
        result=FAILED
        status=1
        tail -40 "$log"
    fi
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
    echo "fuzz-$t: $result, ${runs:-0} inputs in ${secs} s, coverage ${cov:-?} edges, corpus $(ls "$work" | wc -l) new files"
    total=$((total + ${runs:-0}))
done
echo "run-fuzz: $total inputs fuzzed in total"
exit $status
