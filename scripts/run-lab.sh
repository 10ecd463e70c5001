#!/usr/bin/env bash
# The product, live: builds SmoothWAN, creates a lab of emulated WANs in network namespaces
# (a router with three WANs, each behind its own ISP, an "internet" and a LAN client), runs the
# real smoothwand inside the router namespace managing those WANs with SmoothWAN's own bonding
# engine, whose VPS end is the real smoothwan-server running in the lab's internet namespace
# (198.18.0.1), pairs the two through the API, opens the UI when there is a display, and shows what
# the daemon sees. Ctrl-C tears everything down.
#
#   scripts/run-lab.sh                     start it
#   scripts/run-lab.sh cut 1               in another terminal: act on the running lab
#   scripts/run-lab.sh blackhole 0 | restore 0 | impair 2 --loss 20 | impair 2 --rate 2000
#
#   SMOOTHWAN_LAB_ENGINE=none              no engine: the LAN on one WAN at a time (failover)
#   SMOOTHWAN_LAB_MODE=redundant           the own engine's mode (speed, redundant, streaming)
#   SMOOTHWAN_BUILD=build-x                the build directory (default: build)
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

engine=${SMOOTHWAN_LAB_ENGINE:-selfhosted}
case $engine in
    selfhosted | none) ;;
    *) echo "run-lab: SMOOTHWAN_LAB_ENGINE is 'selfhosted' (the default) or 'none', not '$engine'" >&2; exit 2 ;;
esac

"$src/scripts/install-deps.sh"
cmake -S "$src" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -Wno-dev >/dev/null
cmake --build "$build" -j "$(nproc)" --target smoothwand smoothwanctl smoothwan smoothwan-lab \
    smoothwan-relay smoothwan-server

mkdir -p "$run"
rm -f "$run/lab.env" "$run/lab.log" "$run/smoothwan-server.log"
source "$src/scripts/lib/lab.sh"
pids=()
cleanup() {
    trap - INT TERM EXIT
    echo
    echo "run-lab: stopping"
    lab_stop
    rm -f "$run/lab.env"
}
trap cleanup INT TERM EXIT

lab_start
lab_write_config "$engine"

ctl="ip netns exec $router $build/app/smoothwanctl/smoothwanctl --token-file $run/state/local-token"
echo
echo "Lab ${lab[prefix]}: router namespace $router, WANs ${lab[wan0_interface]} ${lab[wan1_interface]} ${lab[wan2_interface]}"
echo "LAN client: ip netns exec ${lab[lan]} ping ${targets[1]}"
echo "Try, in another terminal:  scripts/run-lab.sh cut 0   |  blackhole 1  |  impair 2 --loss 30  |  restore 0"
echo "The daemon's API: $ctl status"

lab_start_daemon
if [ "$engine" = selfhosted ]; then
    echo
    if lab_start_selfhosted 60; then
        echo
        echo "The LAN goes through SmoothWAN's own engine: WireGuard over smoothwan-relay on every WAN to the"
        echo "VPS (${lab[internet]}, 198.18.0.1), mode ${SMOOTHWAN_LAB_MODE:-speed}."
        echo "See it:      $ctl status"
        echo "             $ctl call engine.action name=status"
        echo "Cut a WAN:   scripts/run-lab.sh cut 0   -- the LAN's traffic keeps flowing through the bond"
        echo "             (ip netns exec ${lab[lan]} ping ${targets[1]} keeps answering); restore 0 mends it."
        echo "Mode:        $ctl engine mode redundant   (until the engine restarts; engine.selfhosted.mode lasts)"
    else
        echo "run-lab: continuing without the bond (the LAN uses the WANs directly); see the logs above." >&2
    fi
fi
echo

if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && [ -x "$build/app/smoothwan/smoothwan" ]; then
    # The UI runs in the router's namespace, where the daemon listens on loopback, signed in with
    # the local token as the touchscreen would be.
    ip netns exec "$router" "$build/app/smoothwan/smoothwan" --url ws://127.0.0.1:8443 \
        --token-file "$run/state/local-token" &
    pids+=($!)
    echo "smoothwand's log follows ($run/smoothwand.log); Ctrl-C stops everything:"
    tail -f "$run/smoothwand.log" &
    pids+=($!)
    wait "$daemon_pid"
elif [ -t 1 ]; then
    # No display: the live console view, as seen through the daemon's API.
    echo "No display: showing smoothwanctl watch (the daemon's log is in $run/smoothwand.log). Ctrl-C stops everything."
    sleep 2
    ip netns exec "$router" "$build/app/smoothwanctl/smoothwanctl" --token-file "$run/state/local-token" watch || true
else
    echo "smoothwand's log follows ($run/smoothwand.log); Ctrl-C stops everything:"
    tail -f "$run/smoothwand.log" &
    pids+=($!)
    wait "$daemon_pid"
fi
