#!/usr/bin/env bash
# Screenshots of every page of the UI, against the real daemon in the network lab: builds what it
# needs, starts a lab with three WANs the way scripts/run-lab.sh does (smoothwand in the router
# namespace with SmoothWAN's own engine, paired with the real smoothwan-server in the lab's
# internet namespace, the VPS), makes some traffic through the bond, cuts one WAN so the dashboard
# shows varied states, then renders the UI offscreen at 800x480 and 1280x800 into
# docs/screenshots/<size>/<page>.png, and stops everything.
#
#   scripts/screenshots.sh                 (as root, or with sudo)
#   SMOOTHWAN_BUILD=build-x scripts/screenshots.sh
#   SMOOTHWAN_SCREENSHOT_SIZES="800x480 1024x600 1280x800" SMOOTHWAN_SCREENSHOT_THEME=light scripts/screenshots.sh
set -euo pipefail
if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null && [ -z "${SMOOTHWAN_NO_SUDO:-}" ]; then
    exec sudo -E "$0" "$@"   # network namespaces need root
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "screenshots: needs root (network namespaces); run it as root or install sudo" >&2
    exit 1
fi
src=$(cd "$(dirname "$0")/.." && pwd)
build=$(realpath -m "${SMOOTHWAN_BUILD:-$src/build}")
sizes=${SMOOTHWAN_SCREENSHOT_SIZES:-"800x480 1280x800"}
theme=${SMOOTHWAN_SCREENSHOT_THEME:-dark}
out=${SMOOTHWAN_SCREENSHOT_DIR:-$src/docs/screenshots}
run=$(mktemp -d /run/smoothwan-shots.XXXXXX)
lab_bin=$build/tests/lab/smoothwan-lab

"$src/scripts/install-deps.sh"
[ -f "$build/CMakeCache.txt" ] || cmake -S "$src" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -Wno-dev >/dev/null
cmake --build "$build" -j "$(nproc)" --target smoothwand smoothwan-lab smoothwan-screenshots smoothwanctl \
    smoothwan-fake-speedify-cli smoothwan-relay smoothwan-server

source "$src/scripts/lib/lab.sh"
pids=()
cleanup() {
    trap - INT TERM EXIT
    lab_stop
    rm -rf "$run"
}
trap cleanup INT TERM EXIT

lab_start
# SmoothWAN's own engine, paired below with the lab's VPS. The Speedify keys are for the last
# screenshot only: Speedify cannot be installed here, so its stand-in from tests/fakes (it calls its
# adapters "stand-in adapter" with the ISP "Stand-in ISP").
lab_write_config selfhosted "  speedify:
    cli_path: $build/tests/fakes/speedify/speedify_cli
    startup_connect: false"
lab_start_daemon SPEEDIFY_FAKE_STATE_DIR="$run/speedify" \
    SPEEDIFY_FAKE_ADAPTERS="${lab[wan0_interface]},${lab[wan1_interface]},${lab[wan2_interface]}"
live_engine=1
lab_start_selfhosted 90 || live_engine=

# Traffic through the bond: fibre and cable get 20 Mbit/s each, so the LAN client's 30 Mbit/s
# download (LAN TCP: ss-redir over MPTCP) needs both, and it uploads 4 Mbit/s (iperf3 in the
# internet namespace, reached through the tunnel; the lab's own iperf3 server takes one test at a
# time, so two more on 5202 and 5203); lte is cut, so it goes down.
"$lab_bin" impair 0 --rate 20000 --state-file "$run/lab.env" >/dev/null
"$lab_bin" impair 1 --rate 20000 --state-file "$run/lab.env" >/dev/null
if command -v iperf3 >/dev/null; then
    for port in 5202 5203; do
        ip netns exec "${lab[internet]}" iperf3 -s -p "$port" >/dev/null 2>&1 &
        pids+=($!)
    done
    sleep 0.5
    ip netns exec "${lab[lan]}" iperf3 -c "${targets[1]}" -p 5202 -R -t 600 -b 30M >/dev/null 2>&1 &
    pids+=($!)
    ip netns exec "${lab[lan]}" iperf3 -c "${targets[1]}" -p 5203 -t 600 -b 4M >/dev/null 2>&1 &
    pids+=($!)
fi
"$lab_bin" cut 2 --state-file "$run/lab.env" >/dev/null
sleep "${SMOOTHWAN_SCREENSHOT_WARMUP:-45}"   # probes settle, the charts' history fills

shoot() { # smoothwan-screenshots against the lab's daemon; arguments: the tool's options
    ip netns exec "$router" env QT_QPA_PLATFORM=offscreen "$build/tools/screenshots/smoothwan-screenshots" \
        --url ws://127.0.0.1:8443 --token-file "$run/state/local-token" --theme "$theme" "$@"
}
for size in $sizes; do
    shoot --size "$size" --out "$out"
done
# The Engine page of the self-hosted engine, connected to the lab's VPS, scrolled down to its
# paths, session and TCP aggregation, as engine-selfhosted.png.
for size in $sizes; do
    if [ -n "$live_engine" ]; then
        shoot --size "$size" --out "$out" --pages engine --scroll-to tcpAggregationLine --name engine-selfhosted
    else
        # The lab's engine did not connect (said above): a scripted state instead, so the page is
        # still there; the other pages show what really happened.
        echo "screenshots: engine-selfhosted.png ($size) rendered from a scripted state, not the lab" >&2
        env QT_QPA_PLATFORM=offscreen "$build/tools/screenshots/smoothwan-screenshots" \
            --state "$src/tools/screenshots/states/engine-selfhosted.json" --size "$size" --theme "$theme" \
            --out "$out" --pages engine --scroll-to tcpAggregationLine --name engine-selfhosted
    fi
done
# The Engine page with Speedify running (its stand-in, see the configuration above): signed in
# and connected, as engine-speedify-standin.png.
lab_ctl call engine.set_type engine=speedify >/dev/null
sleep 3
lab_ctl call engine.action name=login 'args={"user":"demo@example.com","password":"stand-in"}' >/dev/null
lab_ctl call engine.connect >/dev/null
sleep 5
for size in $sizes; do
    shoot --size "$size" --out "$run/speedify-shots" --pages engine
    mv "$run/speedify-shots/$size/engine.png" "$out/$size/engine-speedify-standin.png"
done
echo "screenshots: saved in $out"
