#!/usr/bin/env bash
# Installs the Debian 12 packages SmoothWAN needs to build, test and run its lab.
# Idempotent: does nothing (and needs no network) when everything is already installed.
set -euo pipefail

packages=(
    # build
    cmake ninja-build g++ pkg-config clang-format
    qt6-base-dev qt6-declarative-dev qt6-declarative-dev-tools qt6-websockets-dev
    qt6-virtualkeyboard-dev qt6-qpa-plugins
    libnl-3-dev libnl-route-3-dev libnl-genl-3-dev libyaml-cpp-dev libsodium-dev libsystemd-dev libssl-dev
    # real libFuzzer for scripts/run-fuzzers.sh: Clang, and compiler-rt (libFuzzer, ASan, UBSan
    # runtimes), which clang only recommends
    clang libclang-rt-dev
    # QML modules the UI imports at run time (shlibdeps cannot see these)
    qml6-module-qtquick qml6-module-qtquick-controls qml6-module-qtquick-templates
    qml6-module-qtquick-layouts qml6-module-qtqml-workerscript qml6-module-qtquick-window
    qml6-module-qtquick-virtualkeyboard qml6-module-qttest
    # QtQml's qmldir and qmltypes: qmllint resolves Timer, Connections and Binding through it
    qml6-module-qtqml
    # `import QtQml` pulls in QtQml.Models at run time (without it: "module QtQml.Models is not installed")
    qml6-module-qtqml-models
    # the virtual keyboard (kiosk) imports Qt.labs.folderlistmodel at run time
    qml6-module-qt-labs-folderlistmodel
    # the network lab and the integration tests
    iproute2 nftables iputils-ping iperf3 conntrack procps
    # scripts/lib/lab.sh reads smoothwanctl --json (the lab's engine state)
    jq
    # WireGuard (userspace) through smoothwan-relay in tst_relay_lab
    wireguard-go wireguard-tools
    # SmoothWAN's own engine, TCP aggregation (tst_mptcp_lab): ss-redir/ss-server under mptcpize
    shadowsocks-libev mptcpd mptcpize
)

missing=()
for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$p")
    fi
done
if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps: these packages are missing: ${missing[*]}" >&2
    echo "install-deps: run this command with sudo (or as root) to install them" >&2
    exit 1
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
