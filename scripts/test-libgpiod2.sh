#!/usr/bin/env bash
# Builds and tests smallbmsd against libgpiod 2 on Debian 12, beside the default libgpiod 1.6 build:
# bookworm-backports' 2.1.3 unpacked into .cache/libgpiod2 (scripts/libgpiod2-prefix.sh), found by
# pkg-config through PKG_CONFIG_PATH (so Package.swift sets LIBGPIOD_V2 and compiles GPIOD2.swift),
# built in its own scratch folder .build-gpiod2 (the default .build keeps the 1.6 build), and run
# with LD_LIBRARY_PATH pointing at the unpacked libgpiod.so.3.
#
#   bash scripts/test-libgpiod2.sh          HardwareTests and CLITests (about 10 s after the build)
#   bash scripts/test-libgpiod2.sh --all    every test, as scripts/test.sh runs them for 1.6 (about 1 min)
#
# HardwareTests include the libgpiod 2 call-sequence tests (GPIOD2CallSequenceTests: a fake
# libgpiod.so.3 compiled at test time), which run only in this build. Exit status non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."

filters=(--filter HardwareTests --filter CLITests)
[ "${1:-}" = "--all" ] && filters=()

bash scripts/install-deps.sh
eval "$(bash scripts/libgpiod2-prefix.sh)"
export SWIFT_BACKTRACE=enable=no
scratch=.build-gpiod2

version="$(pkg-config --modversion libgpiod)"
case "$version" in
    [2-9].*) ;;
    *) echo "test-libgpiod2: pkg-config finds libgpiod $version, not 2.x (PKG_CONFIG_PATH=$PKG_CONFIG_PATH)" >&2; exit 1 ;;
esac
if [ -n "${SMALLBMSD_LIBGPIOD:-}" ] && [ "$SMALLBMSD_LIBGPIOD" != 2 ]; then
    echo "test-libgpiod2: SMALLBMSD_LIBGPIOD=$SMALLBMSD_LIBGPIOD would force the 1.x backend: unset it" >&2
    exit 1
fi

echo "== swift build --scratch-path $scratch (libgpiod $version; warnings are errors for our own code)"
log=$(mktemp)
if ! swift build --scratch-path "$scratch" --build-tests >"$log" 2>&1; then cat "$log"; rm -f "$log"; exit 1; fi
if grep -E "warning: " "$log" | grep -v "/checkouts/"; then
    echo "the libgpiod 2 build warns about our own code (above): fix it" >&2
    rm -f "$log"
    exit 1
fi
rm -f "$log"

# The variant really is the libgpiod 2 one: the binary needs libgpiod.so.3, not .so.2, and finds it.
binary="$scratch/debug/smallbmsd"
needed="$(readelf -d "$binary" | grep NEEDED | grep -o 'libgpiod[^]]*' || true)"
if [ "$needed" != "libgpiod.so.3" ]; then
    echo "test-libgpiod2: $binary links '${needed:-no libgpiod}', expected libgpiod.so.3 only" >&2
    echo "  (a scratch folder first built against 1.6 keeps its build plan: rm -rf $scratch and run again)" >&2
    exit 1
fi
# ldd's output captured first: `ldd | grep -q` under pipefail fails when grep exits early (SIGPIPE).
libraries="$(ldd "$binary")"
grep -q "libgpiod.so.3 => ${LD_LIBRARY_PATH%%:*}/" <<<"$libraries" \
    || { echo "test-libgpiod2: $binary does not load the unpacked libgpiod.so.3:" >&2; echo "$libraries" >&2; exit 1; }
echo "== $binary links libgpiod.so.3 from ${LD_LIBRARY_PATH%%:*}"

echo "== swift test --scratch-path $scratch ${filters[*]:-(all)}"
swift test --scratch-path "$scratch" --disable-xctest --skip-build "${filters[@]}"
