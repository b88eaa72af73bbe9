#!/usr/bin/env bash
# Reaction time, CPU, memory and bus-idle wake-ups of the release daemon (see reaction.py).
#
#   Benchmarks/reaction.sh [TRANSITIONS]   default 2000; below 2000 is the short (CI) form:
#                                          3 LOAD cuts, 10 s of load, 5 s of noise, 6 s of idle bus
#
# Builds the daemon as README's install step does, `swift build -c release --static-swift-stdlib`,
# in its own scratch folder `.build-static` (git-ignored) so that it does not relink the plain
# release build others use; BUILD=plain builds and measures plain `swift build -c release`
# instead (Swift's libraries then load as shared objects: about 6 MB more resident memory).
# A failed build is retried a minute later (someone may be mid-edit). SMALLBMSD_BIN=PATH skips
# the build and measures that binary.
# Environment: CUTS, LOAD_SECONDS, NOISE_SECONDS, IDLE_SECONDS override the part sizes; KEEP=1 keeps the work
# folder (lines log, daemon stderr, status file); BUILD_TRIES (default 3); RECORDING=0 runs the
# daemon without the flight recorder and the history (on by default, their files in the work folder).
# The last line is `reaction p50 X ms p99 Y ms max Z ms over N transitions`. Exits non-zero
# only when the harness is broken (build failed, daemon died, no transition seen), never
# because a figure is over budget: a slow machine is not a broken harness.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
transitions="${1:-2000}"

if [ -n "${SMALLBMSD_BIN:-}" ]; then
    binary="$SMALLBMSD_BIN"
else
    case "${BUILD:-static}" in
        static) build=(-c release --static-swift-stdlib --scratch-path "$root/.build-static") ;;
        plain) build=(-c release) ;;
        *) echo "reaction.sh: BUILD is static or plain" >&2; exit 2 ;;
    esac
    log="$(mktemp -t smallbmsd-reaction-build.XXXXXX)"
    tries="${BUILD_TRIES:-3}"
    for attempt in $(seq 1 "$tries"); do
        if (cd "$root" && swift build "${build[@]}" >"$log" 2>&1); then
            break
        fi
        tail -20 "$log" >&2
        if [ "$attempt" -eq "$tries" ]; then
            echo "reaction.sh: swift build ${build[*]} failed $tries times" >&2
            exit 1
        fi
        echo "reaction.sh: release build failed (attempt $attempt of $tries); retrying in 60 s" >&2
        sleep 60
    done
    binary="$(cd "$root" && swift build "${build[@]}" --show-bin-path)/smallbmsd"
    rm -f "$log"
    echo "built: swift build ${build[*]}"
fi
[ -x "$binary" ] || { echo "reaction.sh: no daemon binary at $binary" >&2; exit 1; }
exec python3 "$here/reaction.py" "$binary" "$transitions"
