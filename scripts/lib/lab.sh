# SPDX-License-Identifier: GPL-3.0-or-later
# Shared by scripts/run-lab.sh and scripts/screenshots.sh (sourced, not run): a three-WAN lab with
# the real smoothwand in its router namespace. The caller sets `build`, `run` (a directory for the
# lab's files) and `lab_bin`, and declares `pids=()`; every process started here is added to
# `pids`, for the caller's cleanup trap.

# Starts the lab and waits until it is ready; fills the array `lab` (its key=value facts),
# `router` and `targets`.
lab_start() {
    "$lab_bin" up --wans 3 --state-file "$run/lab.env" >"$run/lab.log" 2>&1 &
    local lab_pid=$!
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
}

# Writes $run/config.yaml: two wired WANs and a metered LTE backup with a monthly cap, probed every
# second, failover, the API on loopback and the LAN. $1 is YAML added at the top level (e.g. an
# engine section), may be empty. Checks the file with the daemon.
lab_write_config() {
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
  policy: failover
# Loopback (ws://) for the UI and smoothwanctl on the router, the LAN (wss://, with the router's
# own certificate) for desktops on the LAN: what a real router does.
api:
  listen: [127.0.0.1, ${lab[lan_router_address]}]
${1:-}
YAML
    "$build/app/smoothwand/smoothwand" --check-config "$run/config.yaml" >/dev/null
}

# Starts smoothwand in the router namespace on $run/config.yaml with its state in $run/state and
# waits for its local token. Arguments are extra environment (NAME=value) for the daemon.
lab_start_daemon() {
    ip netns exec "$router" env "$@" "$build/app/smoothwand/smoothwand" --config "$run/config.yaml" \
        --state-dir "$run/state" >"$run/smoothwand.log" 2>&1 &
    pids+=($!)
    for _ in $(seq 1 100); do [ -s "$run/state/local-token" ] && break; sleep 0.1; done
    [ -s "$run/state/local-token" ] || { echo "$0: the daemon did not start" >&2; cat "$run/smoothwand.log" >&2; exit 1; }
}
