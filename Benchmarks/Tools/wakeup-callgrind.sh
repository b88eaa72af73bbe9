#!/usr/bin/env bash
# Instructions per wake-up of the release daemon, counted by callgrind (see wakeup-callgrind.py).
# Usage: Benchmarks/Tools/wakeup-callgrind.sh [SENTENCES]   (KEEP=1: keep the outputs, print the top functions)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
command -v valgrind >/dev/null || { echo "valgrind is not installed (apt-get install -y valgrind)" >&2; exit 2; }
(cd "$root" && swift build -c release --product smallbmsd >/dev/null)
exec python3 "$here/wakeup-callgrind.py" "$(cd "$root" && swift build -c release --show-bin-path)/smallbmsd" "${1:-500}"
