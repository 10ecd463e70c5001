# SPDX-License-Identifier: GPL-3.0-or-later
# shellcheck shell=bash disable=SC2154  # build, run, lab_bin: set by the caller
# Shared by scripts/run-lab.sh and scripts/screenshots.sh (sourced, not run): a three-WAN lab with
# the real smoothwand in its router namespace and, for SmoothWAN's own engine, the real
# smoothwan-server in the lab's internet namespace playing the VPS (198.18.0.1). The caller sets
# `build`, `run` (a directory for the lab's files) and `lab_bin`, and declares `pids=()`; every
# process started here is added to `pids`, and `lab_stop` (for the caller's cleanup trap) stops
# them all.

# Starts the lab and waits until it is ready; fills the array `lab` (its key=value facts),
# `router` and `targets`, and names the WireGuard interfaces of the engine after the lab
# (`lab_server_if`, `lab_router_if`: unique, since wireguard-go's control sockets in
# /var/run/wireguard are shared by every namespace).
lab_start() {
    "$lab_bin" up --wans 3 --state-file "$run/lab.env" >"$run/lab.log" 2>&1 &
    lab_pid=$!
    pids+=("$lab_pid")
    for _ in $(seq 1 300); do
        grep -qx ready "$run/lab.log" 2>/dev/null && break
        kill -0 "$lab_pid" 2>/dev/null || { cat "$run/lab.log" >&2; exit 1; }
        sleep 0.1
    done
    grep -qx ready "$run/lab.log" || { echo "$0: the lab did not come up" >&2; cat "$run/lab.log" >&2; exit 1; }
    declare -gA lab
    while IFS='=' read -r key value; do
        [[ $key =~ ^[a-z0-9_]+$ ]] && lab[$key]=$value
    done <"$run/lab.env"
    router=${lab[router]}
    IFS=',' read -r -a targets <<<"${lab[targets]}"
    lab_server_if=${lab[prefix]}s   # swlab<pid>x<n>s: at most 15 characters
    lab_router_if=${lab[prefix]}r
}

# Writes $run/config.yaml: two wired WANs and a metered LTE backup with a monthly cap, probed every
# second, the API on loopback and the LAN, and the engine $1:
#   selfhosted  SmoothWAN's own engine (mode $SMOOTHWAN_LAB_MODE, default speed), the LAN routed
#               through the bond (`routing.policy: bonded`; kill switch off, so the LAN falls back
#               to a WAN while the bond is down);
#   none        no engine, the LAN on one WAN at a time (`routing.policy: failover`).
# $2 is YAML added inside the engine section (indented two spaces), may be empty. Checks the file
# with the daemon.
lab_write_config() {
    local engine=$1 policy
    case $engine in
        selfhosted) policy=bonded ;;
        none) policy=failover ;;
        *) echo "$0: unknown engine '$engine' (none or selfhosted)" >&2; exit 2 ;;
    esac
    local probe="    probe:
      targets: [${targets[0]}, ${targets[1]}, ${targets[2]}]
      interval: 1000
      timeout: 800
      reliability: 1
      down: 3
      up: 3"
    cat >"$run/config.yaml" <<YAML
# Written by $(basename "$0") for the lab ${lab[prefix]}.
wans:
  - name: fibre
    interface: ${lab[wan0_interface]}
    priority: always
$probe
  - name: cable
    interface: ${lab[wan1_interface]}
    priority: secondary
$probe
  - name: lte
    interface: ${lab[wan2_interface]}
    priority: backup
    metered: true
$probe
    caps:
      monthly: 20GB
      reset_day: 1
routing:
  policy: $policy
  kill_switch: false
# Loopback (ws://) for the UI and smoothwanctl on the router, the LAN (wss://, with the router's
# own certificate) for desktops on the LAN: what a real router does.
api:
  listen: [127.0.0.1, ${lab[lan_router_address]}]
engine:
  type: $engine
  selfhosted:
    mode: ${SMOOTHWAN_LAB_MODE:-speed}
    interface: $lab_router_if
${2:-}
YAML
    "$build/app/smoothwand/smoothwand" --check-config "$run/config.yaml" >/dev/null
}

# Starts smoothwand in the router namespace on $run/config.yaml with its state in $run/state and
# waits for its local token (`daemon_pid`). Arguments are extra environment (NAME=value) for the
# daemon. The daemon finds smoothwan-relay (the self-hosted engine's) in the build tree.
lab_start_daemon() {
    ip netns exec "$router" env "$@" "$build/app/smoothwand/smoothwand" --config "$run/config.yaml" \
        --state-dir "$run/state" --relay "$build/relay/smoothwan-relay" >"$run/smoothwand.log" 2>&1 &
    daemon_pid=$!
    pids+=("$daemon_pid")
    for _ in $(seq 1 100); do [ -s "$run/state/local-token" ] && break; sleep 0.1; done
    [ -s "$run/state/local-token" ] || { echo "$0: the daemon did not start" >&2; cat "$run/smoothwand.log" >&2; exit 1; }
}

# smoothwanctl in the router namespace, signed in with the daemon's local token.
lab_ctl() {
    ip netns exec "$router" "$build/app/smoothwanctl/smoothwanctl" --token-file "$run/state/local-token" "$@"
}

# SmoothWAN's own engine, for real: the lab's internet namespace becomes the VPS at 198.18.0.1
# (`smoothwan-server init`, state in $run/server, then `smoothwan-server run` in the background,
# its log in $run/smoothwan-server.log), and the running daemon is paired with the code init
# printed, through the API (`engine.pair`), as a user would. Waits up to $1 seconds (default 60)
# for the engine to be connected with the LAN routed through the tunnel and prints the engine's
# state; returns 1 (after saying why) if it is not.
lab_start_selfhosted() {
    local wait_s=${1:-60} code state path out
    rm -rf "$run/server"
    # The server runs with its firewall, as on a real VPS, although the lab's internet namespace is
    # also the rest of the internet (the probe targets, iperf3): from the WANs it lets in ICMP (the
    # probes), the relay and ss-server and drops other new connections (an iperf3 bound to a WAN);
    # the LAN's traffic, which is what the lab shows, comes through the tunnel and is let in.
    code=$(ip netns exec "${lab[internet]}" "$build/app/smoothwan-server/smoothwan-server" init \
        --public-address 198.18.0.1 --state-dir "$run/server" --interface "$lab_server_if" \
        2>>"$run/smoothwan-server.log") || {
        echo "$0: smoothwan-server init failed:" >&2; cat "$run/smoothwan-server.log" >&2; return 1; }
    ip netns exec "${lab[internet]}" "$build/app/smoothwan-server/smoothwan-server" run \
        --state-dir "$run/server" --relay "$build/relay/smoothwan-relay" >>"$run/smoothwan-server.log" 2>&1 &
    server_pid=$!
    pids+=("$server_pid")
    for _ in $(seq 1 100); do
        grep -q "WireGuard $lab_server_if up" "$run/smoothwan-server.log" && break
        kill -0 "$server_pid" 2>/dev/null || break
        sleep 0.1
    done
    grep -q "WireGuard $lab_server_if up" "$run/smoothwan-server.log" || {
        echo "$0: smoothwan-server did not come up ($run/smoothwan-server.log):" >&2
        tail -20 "$run/smoothwan-server.log" >&2; return 1; }
    echo "VPS: smoothwan-server runs in ${lab[internet]} as 198.18.0.1 (log: $run/smoothwan-server.log)"

    # Pair: the daemon may still be opening its API; retry until it accepts the code.
    local paired=
    out="no local token"
    for _ in $(seq 1 60); do
        # The code holds keys: on stdin, never on a command line (ps, logs).
        if [ -s "$run/state/local-token" ] && out=$(lab_ctl engine pair <<<"$code" 2>&1); then
            paired=1
            break
        fi
        sleep 0.5
    done
    [ -n "$paired" ] || { echo "$0: pairing the daemon with the lab's server failed: $out" >&2; return 1; }
    echo "Router: smoothwand paired with it (engine.pair); waiting for the bond..."
    for _ in $(seq 1 "$wait_s"); do
        out=$(lab_ctl --json status 2>/dev/null) || out='{}'
        state=$(jq -r '.engine.state // "?"' <<<"$out")
        path=$(jq -r '.routing.path // "?"' <<<"$out")
        [ "$state" = connected ] && [ "$path" = tunnel ] && break
        sleep 1
    done
    jq -r '"Engine: \(.engine.type) \(.engine.state), mode \(.engine.mode), server \(.engine.server), tunnel \(.engine.tunnel) " +
        "(up: \(.engine.tunnelUp)); paths: " +
        ([.engine.adapters[]? | "\(.wan) \(.state)\(if .rttMs != null then " \(.rttMs) ms" else "" end)"] | join(", ")) +
        "\nRouting: LAN via \(.routing.path)"' <<<"$out"
    if [ "$state" != connected ] || [ "$path" != tunnel ]; then
        echo "$0: the self-hosted engine is not connected after ${wait_s} s (state $state, LAN via $path);" \
            "see $run/smoothwand.log and $run/smoothwan-server.log" >&2
        return 1
    fi
}

# Stops what was started, for the caller's cleanup trap: everything in `pids` but the lab first
# (SIGTERM; SIGKILL after 20 s): the daemon and smoothwan-server stop their own children
# (wireguard-go, smoothwan-relay, ss-redir, ss-server) and remove their nftables tables; then the
# lab, which removes its namespaces.
lab_stop() {
    local others=() pid
    for pid in "${pids[@]}"; do [ "$pid" = "${lab_pid:-}" ] || others+=("$pid"); done
    _lab_stop_group "${others[@]}"
    [ -z "${lab_pid:-}" ] || _lab_stop_group "$lab_pid"
}

_lab_stop_group() {
    [ $# -gt 0 ] || return 0
    local pid alive
    kill -TERM "$@" 2>/dev/null || true
    for _ in $(seq 1 200); do
        alive=
        for pid in "$@"; do
            case $(ps -o stat= -p "$pid" 2>/dev/null) in '' | Z*) ;; *) alive=1 ;; esac
        done
        [ -n "$alive" ] || break
        sleep 0.1
    done
    [ -z "$alive" ] || kill -KILL "$@" 2>/dev/null || true
    for pid in "$@"; do wait "$pid" 2>/dev/null || true; done
}
