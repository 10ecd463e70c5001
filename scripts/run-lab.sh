#!/usr/bin/env bash
# The product, live: builds SmoothWAN, creates a lab of emulated WANs in network namespaces
# (a router with three WANs, each behind its own ISP, an "internet" and a LAN client), runs the
# real smoothwand inside the router namespace managing those WANs, opens the UI when there is a
# display, and shows what the daemon sees. Ctrl-C tears everything down.
#
#   scripts/run-lab.sh                     start it
#   scripts/run-lab.sh cut 1               in another terminal: act on the running lab
#   scripts/run-lab.sh blackhole 0 | restore 0 | impair 2 --loss 20 | impair 2 --rate 2000
set -euo pipefail
if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null && [ -z "${SMOOTHWAN_NO_SUDO:-}" ]; then
    exec sudo -E "$0" "$@"   # network namespaces and packages need root
fi
src=$(cd "$(dirname "$0")/.." && pwd)
build=${SMOOTHWAN_BUILD:-$src/build}
run=/run/smoothwan-lab
lab_bin=$build/tests/lab/smoothwan-lab

if [ $# -gt 0 ]; then
    [ -x "$lab_bin" ] || { echo "run-lab: no lab has been built yet; start one with scripts/run-lab.sh" >&2; exit 1; }
    exec "$lab_bin" "$@" --state-file "$run/lab.env"
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "run-lab: needs root (network namespaces); run it as root or install sudo" >&2
    exit 1
fi

"$src/scripts/install-deps.sh"
cmake -S "$src" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -Wno-dev >/dev/null
cmake --build "$build" -j "$(nproc)" --target smoothwand smoothwanctl smoothwan smoothwan-lab

mkdir -p "$run"
rm -f "$run/lab.env" "$run/lab.log"
pids=()
cleanup() {
    trap - INT TERM EXIT
    echo
    echo "run-lab: stopping"
    for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    rm -f "$run/lab.env"
}
trap cleanup INT TERM EXIT

source "$src/scripts/lib/lab.sh"
lab_start
lab_write_config

echo
echo "Lab ${lab[prefix]}: router namespace $router, WANs ${lab[wan0_interface]} ${lab[wan1_interface]} ${lab[wan2_interface]}"
echo "LAN client: ip netns exec ${lab[lan]} ping ${targets[0]}"
echo "Try, in another terminal:  scripts/run-lab.sh cut 0   |  blackhole 1  |  impair 2 --loss 30  |  restore 0"
echo "The daemon's API: ip netns exec $router $build/app/smoothwanctl/smoothwanctl --token-file $run/state/local-token status"

lab_start_daemon

if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && [ -x "$build/app/smoothwan/smoothwan" ]; then
    # The UI runs in the router's namespace, where the daemon listens on loopback, signed in with
    # the local token as the touchscreen would be.
    ip netns exec "$router" "$build/app/smoothwan/smoothwan" --url ws://127.0.0.1:8443 \
        --token-file "$run/state/local-token" &
    pids+=($!)
    echo "smoothwand's log follows ($run/smoothwand.log); Ctrl-C stops everything:"
    tail -f "$run/smoothwand.log" &
    pids+=($!)
    wait "${pids[1]}"
elif [ -t 1 ]; then
    # No display: the live console view, as seen through the daemon's API.
    echo "No display: showing smoothwanctl watch (the daemon's log is in $run/smoothwand.log). Ctrl-C stops everything."
    sleep 2
    ip netns exec "$router" "$build/app/smoothwanctl/smoothwanctl" --token-file "$run/state/local-token" watch || true
else
    echo "smoothwand's log follows ($run/smoothwand.log); Ctrl-C stops everything:"
    tail -f "$run/smoothwand.log" &
    pids+=($!)
    wait "${pids[1]}"
fi
