#!/usr/bin/env bash
# Checks the systemd unit: `systemd-analyze verify` (with the binary present at the path the unit
# names, here the freshly built one) and the hardening score. Prints the score; fails on any error.
set -euo pipefail
cd "$(dirname "$0")/.."
binary="$(realpath -m "${1:-.build/release/smallbmsd}")"
[ -x "$binary" ] || { echo "check-unit: build first: $binary is missing" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
sed "s#/usr/bin/smallbmsd#$binary#g" systemd/smallbmsd.service > "$work/smallbmsd.service"
# verify also runs `man` for the unit's Documentation= pages: give it this tree's (the package installs them).
mkdir -p "$work/man/man8" "$work/man/man5"
cp man/smallbmsd.8 "$work/man/man8/"
"$binary" manual config > "$work/man/man5/smallbmsd.toml.5"
export MANPATH="$work/man"
systemd-analyze verify "$work/smallbmsd.service"
score=$(systemd-analyze security --offline=true "$work/smallbmsd.service" 2>/dev/null | tail -1)
echo "unit verified; $score"
echo "$score" | grep -qE "level for smallbmsd.service: (0\.[0-9]|1\.[0-9]|2\.0) " || { echo "check-unit: exposure above 2.0" >&2; exit 1; }
# The MQTT exporter's unit (unprivileged, with network): verified, and held to the same 2.0.
sed "s#/usr/local/bin/smallbmsd#$binary#g" systemd/smallbmsd-export.service > "$work/smallbmsd-export.service"
systemd-analyze verify "$work/smallbmsd-export.service"
score=$(systemd-analyze security --offline=true "$work/smallbmsd-export.service" 2>/dev/null | tail -1)
echo "export unit verified; $score"
echo "$score" | grep -qE "level for smallbmsd-export.service: (0\.[0-9]|1\.[0-9]|2\.0) " || { echo "check-unit: export unit exposure above 2.0" >&2; exit 1; }
