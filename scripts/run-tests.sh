#!/usr/bin/env bash
# The whole SmoothWAN test suite on a fresh Debian 12 machine: installs what it needs, builds
# with AddressSanitizer + UndefinedBehaviorSanitizer and runs every test (unit, contract,
# integration in network namespaces, QML offscreen), ending in ctest's summary; before that, the
# fuzz targets run under real libFuzzer for 60 s each (scripts/run-fuzzers.sh).
# Integration tests need root; without it they are reported as skipped, with the reason.
set -euo pipefail
if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null && [ -z "${SMOOTHWAN_NO_SUDO:-}" ]; then
    exec sudo -E "$0" "$@"   # packages and network namespaces need root
fi
src=$(cd "$(dirname "$0")/.." && pwd)
build=${SMOOTHWAN_TEST_BUILD:-$src/build-tests}
jobs=$(nproc)

"$src/scripts/install-deps.sh"

cmake -S "$src" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DSMOOTHWAN_SANITIZE=ON -Wno-dev >/dev/null
cmake --build "$build" -j "$jobs"
cmake --build "$build" --target all_qmllint

# Real libFuzzer (Clang build of the fuzz targets only) for a bounded time over a copy of the
# checked-in corpus; SMOOTHWAN_LIBFUZZER_SECONDS=0 skips it. A crash fails the run after ctest.
fuzz=0
if [ "${SMOOTHWAN_LIBFUZZER_SECONDS:-60}" != 0 ]; then
    "$src/scripts/run-fuzzers.sh" "${SMOOTHWAN_LIBFUZZER_SECONDS:-60}" || fuzz=$?
fi

cd "$build"
tests=0
ctest --output-on-failure -j "$jobs" "$@" || tests=$?
if [ "$fuzz" -ne 0 ]; then
    echo "run-tests: libFuzzer found a problem (see run-fuzzers above)" >&2
    exit 1
fi
exit "$tests"
