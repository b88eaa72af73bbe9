#!/usr/bin/env bash
# Runs every test of smallbmsd: unit and scenario tests, then the integration tests against
# the real binary. Installs the Debian packages it needs first. Exit status non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
export SWIFT_BACKTRACE=enable=no

echo "== swift build (release, warnings are errors for our own code)"
log=$(mktemp)
if ! swift build -c release >"$log" 2>&1; then cat "$log"; exit 1; fi
if grep -E "warning: " "$log" | grep -v "/.build/checkouts/"; then
    echo "the release build warns about our own code (above): fix it" >&2
    exit 1
fi
rm -f "$log"

echo "== the systemd unit"
bash scripts/check-unit.sh .build/release/smallbmsd

echo "== swift test"
swift test --disable-xctest

echo "== the Debian package: Debian 13's Swift (its swift test, dpkg-buildpackage), lintian, install, purge"
bash scripts/test-package.sh

echo "== the libgpiod 2 variant (bookworm-backports 2.1.3 beside the system's 1.6)"
bash scripts/test-libgpiod2.sh

echo "== fuzzing, briefly (Tests/Fuzz/run.sh SECONDS for longer runs)"
bash Tests/Fuzz/run.sh 15

echo "== reaction harness, short form (fails only on a broken harness, never on a slow machine)"
BUILD=plain bash Benchmarks/reaction.sh 300

echo "== system test: the real daemon on a real kernel (qemu, gpio-sim, an 8250 UART)"
bash Tests/System/run.sh
