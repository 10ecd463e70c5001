#!/usr/bin/env bash
# Screenshots of every page of the UI, against the real daemon in the network lab: builds what it
# needs, starts a lab with three WANs (the way scripts/run-lab.sh does), runs smoothwand in the
# router namespace, makes some traffic, cuts one WAN so the dashboard shows varied states, then
# renders the UI offscreen at 800x480 and 1280x800 into docs/screenshots/<size>/<page>.png, and
# stops everything.
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
    smoothwan-fake-speedify-cli

pids=()
cleanup() {
    trap - INT TERM EXIT
    for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    rm -rf "$run"
}
trap cleanup INT TERM EXIT

source "$src/scripts/lib/lab.sh"
lab_start
# The engine section is for the last screenshot only: Speedify cannot be installed here, so its
# stand-in from tests/fakes (it calls its adapters "stand-in adapter" with the ISP "Stand-in ISP").
lab_write_config "engine:
  type: none
  speedify:
    cli_path: $build/tests/fakes/speedify/speedify_cli
    startup_connect: false"
lab_start_daemon SPEEDIFY_FAKE_STATE_DIR="$run/speedify" \
    SPEEDIFY_FAKE_ADAPTERS="${lab[wan0_interface]},${lab[wan1_interface]},${lab[wan2_interface]}"

# Traffic: the LAN client downloads through the bond's path (fibre) and the router uploads through
# cable (bound to its address); lte is cut, so it goes down.
# (the lab's iperf3 server takes one test at a time: a second one on 5202 for the LAN)
if command -v iperf3 >/dev/null; then
    ip netns exec "${lab[internet]}" iperf3 -s -p 5202 >/dev/null 2>&1 &
    pids+=($!)
    sleep 0.5
    ip netns exec "${lab[lan]}" iperf3 -c "${targets[0]}" -p 5202 -R -t 600 -b 30M >/dev/null 2>&1 &
    pids+=($!)
    ip netns exec "$router" iperf3 -c "${targets[0]}" -B "${lab[wan1_address]%/*}" -t 600 -b 4M >/dev/null 2>&1 &
    pids+=($!)
fi
"$lab_bin" cut 2 --state-file "$run/lab.env" >/dev/null
sleep "${SMOOTHWAN_SCREENSHOT_WARMUP:-45}"   # probes settle, the charts' history fills

for size in $sizes; do
    ip netns exec "$router" env QT_QPA_PLATFORM=offscreen "$build/tools/screenshots/smoothwan-screenshots" \
        --url ws://127.0.0.1:8443 --token-file "$run/state/local-token" --size "$size" --theme "$theme" --out "$out"
done
# The Engine page with Speedify running (its stand-in, see the configuration above): signed in
# and connected, as engine-speedify-standin.png.
ctl() {
    ip netns exec "$router" "$build/app/smoothwanctl/smoothwanctl" --token-file "$run/state/local-token" "$@" >/dev/null
}
ctl call engine.set_type engine=speedify
sleep 3
ctl call engine.action name=login 'args={"user":"demo@example.com","password":"stand-in"}'
ctl call engine.connect
sleep 5
for size in $sizes; do
    ip netns exec "$router" env QT_QPA_PLATFORM=offscreen "$build/tools/screenshots/smoothwan-screenshots" \
        --url ws://127.0.0.1:8443 --token-file "$run/state/local-token" --size "$size" --theme "$theme" \
        --out "$run/speedify-shots" --pages engine
    mv "$run/speedify-shots/$size/engine.png" "$out/$size/engine-speedify-standin.png"
done
# The Engine page with the self-hosted engine connected over two paths, as engine-selfhosted.png:
# the lab has no VPS, so this one is rendered from a scripted state (tools/screenshots/states/),
# scrolled until the second path is in view.
for size in $sizes; do
    env QT_QPA_PLATFORM=offscreen "$build/tools/screenshots/smoothwan-screenshots" \
        --state "$src/tools/screenshots/states/engine-selfhosted.json" --size "$size" --theme "$theme" \
        --out "$out" --pages engine --scroll-to path_lte --name engine-selfhosted
done
echo "screenshots: saved in $out"
