#!/usr/bin/env bash
# Installs the Debian packages smallbmsd builds against, if they are missing.
# Idempotent: does nothing when pkg-config already finds them. Uses sudo when not root.
set -euo pipefail

packages=(libgpiod-dev libsystemd-dev libssl-dev libsqlite3-dev pkg-config)
# Test-only: libfaketime makes the wall clock jump under a running daemon (Tests/DaemonTests);
# dbus (dbus-daemon) and python3-dbusmock (its bluez5 template) stand in for bluetoothd on a
# private bus in the Bluetooth tests (Tests/DaemonTests/MockBlueZ).
[ "${SMALLBMSD_BUILD_ONLY:-}" = 1 ] || packages+=(libfaketime dbus python3-dbusmock)
# Dashboards: libmosquitto for `smallbmsd export`; for its tests a real broker and subscriber, Prometheus' text parser.
packages+=(libmosquitto-dev mosquitto mosquitto-clients python3-prometheus-client)
# --print: the list alone, one a line (the trixie chroot of scripts/test-package.sh installs the same).
if [ "${1:-}" = --print ]; then printf '%s\n' "${packages[@]}"; exit 0; fi
missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
# Extra packages a caller asks for (the system test needs qemu and friends).
for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "install-deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
    sudo="sudo"
fi
echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
