#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Real libFuzzer, for a bounded time, over the fuzz targets of tests/fuzz (the API's message
# decoder, the configuration loader, and any added since). Builds only those targets (and what
# they link) with Clang and -fsanitize=fuzzer,address,undefined in their own build directory, runs
# them all at once over a COPY of the checked-in corpus (tests/fuzz/corpus is never written),
# prints runs and execs/s per target, and exits non-zero when a fuzzer finds a crash, a leak, an
# input that hangs (-timeout) or one that takes too much memory (-rss_limit_mb). scripts/run-tests.sh calls
# it before ctest; run it by hand for longer sessions (docs/operations.md, "Fuzzing").
#
#   scripts/run-fuzzers.sh [SECONDS] [TARGET...]     default: 60 s, every smoothwan_add_fuzzer() of
#                                                     tests/fuzz/CMakeLists.txt
#   SMOOTHWAN_FUZZ_BUILD=<dir>                        build directory (default <repo>/build-fuzz)
#   SMOOTHWAN_FUZZ_KEEP=1                             keep the grown corpora of earlier runs
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
build=${SMOOTHWAN_FUZZ_BUILD:-$src/build-fuzz}
seconds=${1:-60}
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    mapfile -t targets < <(sed -n 's/^smoothwan_add_fuzzer(\([a-z_0-9]*\) .*/\1/p' "$src/tests/fuzz/CMakeLists.txt")
fi
jobs=$(nproc)

cxx=$(command -v clang++ || command -v clang++-14 || true)
if [ -z "$cxx" ]; then
    echo "run-fuzzers: clang++ is missing (scripts/install-deps.sh installs it)" >&2
    exit 1
fi

mkdir -p "$build"
start=$(date +%s)
# -O1 -g, assertions on: fast enough to fuzz, and every Q_ASSERT still fires. -Werror stays with
# the GCC build: a warning only Clang has must not stop the fuzzing.
if ! cmake -S "$src" -B "$build" -G Ninja -Wno-dev -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_BUILD_TYPE=Debug \
        -DCMAKE_CXX_FLAGS=-O1 -DSMOOTHWAN_SANITIZE=ON -DSMOOTHWAN_LIBFUZZER=ON -DSMOOTHWAN_WERROR=OFF \
        -DSMOOTHWAN_BUILD_UI=OFF -DSMOOTHWAN_BUILD_BENCH=OFF >"$build/configure.log" 2>&1; then
    tail -n 40 "$build/configure.log" >&2
    echo "run-fuzzers: configuring the Clang build failed (log: $build/configure.log)" >&2
    exit 1
fi
if ! cmake --build "$build" -j "$jobs" --target "${targets[@]}" >"$build/build.log" 2>&1; then
    grep -E -B2 -A8 'error:' "$build/build.log" | head -n 80 >&2 || tail -n 40 "$build/build.log" >&2
    echo "run-fuzzers: building the fuzz targets failed (log: $build/build.log)" >&2
    exit 1
fi
echo "run-fuzzers: built ${targets[*]} with $("$cxx" --version | head -n 1) in $(($(date +%s) - start)) s"

# A 64 MiB quarantine still catches use-after-free of these small inputs; the default 256 MiB
# (plus the allocator's caches) lets a long run's RSS creep towards -rss_limit_mb.
export ASAN_OPTIONS=detect_leaks=1:strict_string_checks=1:quarantine_size_mb=64
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export LSAN_OPTIONS=suppressions=$src/tests/lsan.supp:print_suppressions=0

pids=()
for t in "${targets[@]}"; do
    work=$build/fuzz-run/$t
    [ -n "${SMOOTHWAN_FUZZ_KEEP:-}" ] || rm -rf "$work"
    mkdir -p "$work/corpus" "$work/artifacts"
    cp -r "$src/tests/fuzz/corpus/$t/." "$work/corpus/"
    # -max_len: well above every seed; longer inputs only slow the search down.
    maxlen=8192
    [ "$t" = fuzz_config ] && maxlen=16384
    dict=()
    [ -f "$src/tests/fuzz/$t.dict" ] && dict=(-dict="$src/tests/fuzz/$t.dict")
    (cd "$work" && exec "$build/tests/fuzz/$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -max_len=$maxlen "${dict[@]}" -print_final_stats=1 -artifact_prefix="$work/artifacts/" corpus \
        >"$work/log" 2>&1) &
    pids+=($!)
done

failed=0
for i in "${!targets[@]}"; do
    t=${targets[$i]}
    work=$build/fuzz-run/$t
    rc=0
    wait "${pids[$i]}" || rc=$?
    final() { sed -n "s/^stat::$1: *//p" "$work/log" 2>/dev/null | tail -n 1 || true; }
    runs=$(final number_of_executed_units)
    speed=$(final average_exec_per_sec)
    rss=$(final peak_rss_mb)
    inputs=$(find "$work/corpus" -type f | wc -l)
    seeds=$(find "$src/tests/fuzz/corpus/$t" -type f | wc -l)
    artifacts=$(find "$work/artifacts" -type f | sort)
    if [ "$rc" -ne 0 ] || [ -n "$artifacts" ]; then
        failed=1
        echo "run-fuzzers: $t FAILED (exit $rc) after ${runs:-?} runs; the end of its log:" >&2
        tail -n 60 "$work/log" >&2
        for a in $artifacts; do
            echo "run-fuzzers: input: $a (replay: $build/tests/fuzz/$t $a; once fixed, add it to tests/fuzz/corpus/$t/)" >&2
        done
    else
        echo "run-fuzzers: $t: ${seconds} s, ${runs:-?} runs, ${speed:-?} exec/s, corpus $seeds -> $inputs inputs, peak RSS ${rss:-?} MB, no crash"
    fi
done
echo "run-fuzzers: done in $(($(date +%s) - start)) s"
exit $failed
