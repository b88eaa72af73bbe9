#!/usr/bin/env bash
# Reaction time of each serial BMS protocol, from a threshold crossing in the simulator to the
# line write, at the default poll interval (see serial-reaction.py).
#
#   Benchmarks/serial-reaction.sh [SAMPLES [PROTOCOL ...]]   default 20 samples, jbd jk daly
#
# Builds the release daemon (plain `swift build -c release`) unless SMALLBMSD_BIN names one.
# KEEP=1 keeps the work folder (configs, line-write logs, daemon stderr).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
if [ -n "${SMALLBMSD_BIN:-}" ]; then
    binary="$SMALLBMSD_BIN"
else
    (cd "$root" && swift build -c release >/dev/null)
    binary="$(cd "$root" && swift build -c release --show-bin-path)/smallbmsd"
fi
[ -x "$binary" ] || { echo "serial-reaction.sh: no daemon binary at $binary" >&2; exit 1; }
exec python3 "$here/serial-reaction.py" "$binary" "$@"
