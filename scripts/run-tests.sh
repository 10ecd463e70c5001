#!/usr/bin/env bash
# The whole SmoothWAN test suite on a fresh Debian 12 machine: installs what it needs, builds
# with AddressSanitizer + UndefinedBehaviorSanitizer and runs every test (unit, contract,
# integration in network namespaces, QML offscreen), ending in ctest's summary.
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

cd "$build"
exec ctest --output-on-failure -j "$jobs" "$@"
