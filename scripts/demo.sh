#!/usr/bin/env bash
# The demo: builds smallbmsd (release) and runs the whole daemon on a simulated bank and simulated
# GPIO lines. About two minutes; pass --speed 10 to see the same transitions ten times faster.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
swift build -c release --product smallbmsd 2>&1 | grep -E "error|warning: |Compiling smallbmsd|Build complete" || true
exec .build/release/smallbmsd demo "$@"
