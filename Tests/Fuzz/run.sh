#!/usr/bin/env bash
# Builds every libFuzzer target of smallbmsd and runs each for SECONDS seconds.
#
#   Tests/Fuzz/run.sh SECONDS
#
# Builds under .cache/fuzz/ (git-ignored), straight from Sources/ with swiftc and clang++ of the
# Swift toolchain (no `swift build`: see README.md beside this file), replays the committed crash
# reproducers in crashes/<target>/, then fuzzes each target on a copy of corpus/<target>/ so that
# a run never grows the committed corpus. The last line is always
#   fuzzed N targets, M executions, K crashes
# and the exit status is non-zero after any crash or build failure.
set -uo pipefail

if [[ $# -ne 1 || ! $1 =~ ^[0-9]+$ ]]; then
    echo "usage: $0 SECONDS   (how long to fuzz each target)" >&2
    exit 64
fi
SECONDS_EACH=$1
FUZZ=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$FUZZ/../.." && pwd)
SOURCES=$REPO/Sources
CACHE=$REPO/.cache/fuzz
BUILD=$CACHE/build
RUNS=$CACHE/runs
JOBS=$(nproc 2>/dev/null || echo 2)
(( JOBS > 2 )) && JOBS=2
TARGETS=(m8-decoder vedirect replay config jbd jk daly victron-ble)
export SWIFT_BACKTRACE=enable=no
# Leaks are checked per target below; allocation stacks kept short for speed.
export ASAN_OPTIONS=${ASAN_OPTIONS:-malloc_context_size=8:quarantine_size_mb=64}

summary() {  # targets executions crashes
    echo "fuzzed $1 targets, $2 executions, $3 crashes"
}

# ---------------------------------------------------------------- tools
SWIFTC=$(command -v swiftc || true)
if [[ -z $SWIFTC ]]; then
    echo "swiftc not found: put the Swift toolchain's usr/bin on PATH" >&2
    summary 0 0 0
    exit 1
fi
TOOLCHAIN_BIN=$(dirname "$(readlink -f "$SWIFTC")")
# The toolchain's own clang++: its sanitizer instrumentation must match the Swift runtime's.
CLANGXX=$TOOLCHAIN_BIN/clang++
if [[ ! -x $TOOLCHAIN_BIN/ld.lld ]] && ! command -v ld.lld >/dev/null; then
    echo "== ld.lld missing: installing lld" >&2
    if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
        apt-get install -y lld >/dev/null || { apt-get update >/dev/null && apt-get install -y lld >/dev/null; }
    fi
fi

# toml++ needs the C++ standard library headers (Debian: libstdc++-12-dev, which Swift's
# own install instructions already require).
if ! echo '#include <string>' | "$CLANGXX" -x c++ -std=c++17 -fsyntax-only - 2>/dev/null; then
    echo "== C++ standard library headers missing: installing libstdc++-12-dev" >&2
    if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
        apt-get install -y libstdc++-12-dev >/dev/null || { apt-get update >/dev/null && apt-get install -y libstdc++-12-dev >/dev/null; }
    fi
fi

mkdir -p "$BUILD" "$RUNS"

# ---------------------------------------------------------------- TOMLKit sources
# The same TOMLKit the package builds: its checkout when there is one, otherwise resolved by
# SwiftPM (same requirement as Package.swift) in a scratch package under the cache.
tomlkit_checkout() {
    if [[ -d $REPO/.build/checkouts/TOMLKit/Sources/CTOML ]]; then
        echo "$REPO/.build/checkouts/TOMLKit"
        return
    fi
    local requirement
    requirement=$(grep -oE '\.package\(url: *"[^"]*TOMLKit[^)]*\)' "$REPO/Package.swift" | head -n1)
    [[ -n $requirement ]] || requirement='.package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0")'
    local scratch=$CACHE/tomlkit-resolve
    mkdir -p "$scratch/Sources/Empty"
    : >"$scratch/Sources/Empty/Empty.swift"
    cat >"$scratch/Package.swift" <<EOF
// swift-tools-version: 5.9
// Written by Tests/Fuzz/run.sh only to fetch TOMLKit's sources.
import PackageDescription
let package = Package(
    name: "TOMLKitResolve",
    dependencies: [$requirement],
    targets: [.target(name: "Empty", dependencies: [.product(name: "TOMLKit", package: "TOMLKit")])]
)
EOF
    (cd "$scratch" && swift package resolve >"$CACHE/tomlkit-resolve.log" 2>&1) || {
        cat "$CACHE/tomlkit-resolve.log" >&2
        return 1
    }
    echo "$scratch/.build/checkouts/TOMLKit"
}

# ---------------------------------------------------------------- build steps
# Each step skips itself when its inputs and command did not change (a stamp of their hash).
# Code under test gets coverage (-sanitize=fuzzer) and ASan; harnesses get ASan only, so that
# only the code under test guides libFuzzer.
COVERAGE=(-sanitize=fuzzer,address)
HARNESS=(-sanitize=address)
SWIFT_COMMON=(-parse-as-library -O -g -wmo -I "$BUILD")
# libcrypto's module map (Sources/CCrypto), for VictronInstantReadout and every module importing it.
CCRYPTO_INCLUDES=(-I "$SOURCES/CCrypto")

fresh() {  # name command... : true when the stamp matches
    local name=$1; shift
    local hash
    hash=$( { printf '%s\n' "$@"; for f in "$@"; do [[ -f $f ]] && cat "$f"; done; } | sha256sum | cut -c1-32)
    [[ -f $BUILD/$name.stamp && $(cat "$BUILD/$name.stamp") == "$hash" ]] && return 0
    echo "$hash" >"$BUILD/$name.pending"
    return 1
}

step() {  # name command...: runs the command, logs to build/name.log, stamps on success
    local name=$1; shift
    if fresh "$name" "$@"; then return 0; fi
    rm -f "$BUILD/$name.stamp"
    if "$@" >"$BUILD/$name.log" 2>&1; then
        mv "$BUILD/$name.pending" "$BUILD/$name.stamp"
    else
        echo "== build step $name failed:" >&2
        cat "$BUILD/$name.log" >&2
        return 1
    fi
}

swift_module() {  # name kind sources...
    local name=$1 kind=$2; shift 2
    local flags=()
    case $kind in
        core) flags=(-swift-version 6) ;;
        testable) flags=(-swift-version 6 -enable-testing) ;;
        tomlkit) flags=(-swift-version 5 -suppress-warnings "${TOML_INCLUDES[@]}") ;;
        # Config knows InstantReadoutKey (victron-ble keys): VictronInstantReadout and its CCrypto map.
        config) flags=(-swift-version 6 "${TOML_INCLUDES[@]}" "${CCRYPTO_INCLUDES[@]}") ;;
        crypto) flags=(-swift-version 6 -enable-testing "${CCRYPTO_INCLUDES[@]}") ;;
    esac
    step "$name" "$SWIFTC" "${SWIFT_COMMON[@]}" "${COVERAGE[@]}" "${flags[@]}" -module-name "$name" \
        -emit-module -emit-module-path "$BUILD/$name.swiftmodule" -c -o "$BUILD/$name.o" "$@"
}

harness() {  # name sources...
    local name=$1; shift
    step "$name" "$SWIFTC" "${SWIFT_COMMON[@]}" "${HARNESS[@]}" -swift-version 6 "${TOML_INCLUDES[@]}" \
        "${CCRYPTO_INCLUDES[@]}" -module-name "$name" -c -o "$BUILD/$name.o" "$FUZZ"/Shared/*.swift "$@"
}

link() {  # target objects...
    local target=$1; shift
    step "link-$target" "$SWIFTC" -sanitize=fuzzer,address -use-ld=lld "$@" -o "$BUILD/$target"
}

cxx() {  # object source
    # No -DNDEBUG, exactly as SwiftPM builds it (debug and release): toml++'s assertions are live
    # in the shipped binary, so they must be live here.
    step "ctoml-$1" "$CLANGXX" -std=c++17 -O1 -g -w -fsanitize=fuzzer-no-link,address -DTOML_EXCEPTIONS=1 \
        -DSWIFT_PACKAGE=1 -I "$TOMLKIT/Sources/CTOML/include" -c "$2" -o "$BUILD/ctoml-$1.o"
}

# Runs the given shell words as jobs, at most JOBS at once; fails if any job failed.
parallel() {
    local failed=0 pids=() cmd
    for cmd in "$@"; do
        while (( $(jobs -rp | wc -l) >= JOBS )); do wait -n || failed=1; done
        eval "$cmd" &
        pids+=($!)
    done
    for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
    return $failed
}

build_all() {
    TOMLKIT=$(tomlkit_checkout) || { echo "cannot fetch TOMLKit" >&2; return 1; }
    TOML_INCLUDES=(-Xcc "-I$TOMLKIT/Sources/CTOML/include" -I "$TOMLKIT/Sources/CTOML/include")
    # Commands for `parallel`, with every path quoted for eval.
    local q_src q_fuzz q_build tomlkit_sources=() cpp=() source name
    q_src=$(printf %q "$SOURCES"); q_fuzz=$(printf %q "$FUZZ"); q_build=$(printf %q "$BUILD")
    mapfile -d '' tomlkit_sources < <(find "$TOMLKIT/Sources/TOMLKit" -name '*.swift' -print0 | sort -z)
    for source in "$TOMLKIT"/Sources/CTOML/Sources/*.cpp; do
        name=$(basename "$source" .cpp)
        cpp+=("cxx $(printf %q "${name//&/-}") $(printf %q "$source")")
    done

    echo "== build (TOMLKit from $TOMLKIT)"
    parallel \
        "swift_module M8Bus testable $q_src/M8Bus/*.swift" \
        "swift_module VEDirect testable $q_src/VEDirect/*.swift" \
        "swift_module BMSCore core $q_src/BMSCore/*.swift" \
        "swift_module TOMLKit tomlkit $(printf '%q ' "${tomlkit_sources[@]}")" \
        "${cpp[@]}" || return 1
    parallel \
        "swift_module Pipeline core $q_src/Pipeline/*.swift" \
        "harness M8DecoderFuzz $q_fuzz/m8-decoder/*.swift" \
        "swift_module SerialBMS core $q_src/SerialBMS/*.swift" \
        "swift_module VictronInstantReadout crypto $q_src/VictronInstantReadout/*.swift" || return 1
    parallel \
        "harness ReplayFuzz $q_fuzz/replay/*.swift" \
        "harness VEDirectFuzz $q_fuzz/vedirect/*.swift" \
        "swift_module JBD core $q_src/JBD/*.swift" \
        "swift_module JK core $q_src/JK/*.swift" \
        "swift_module Daly core $q_src/Daly/*.swift" || return 1
    # Config takes the [[battery]] bauds from the protocol modules.
    parallel \
        "swift_module Config config $q_src/Config/*.swift" \
        "harness VictronBLEFuzz $q_fuzz/victron-ble/*.swift" \
        "harness JBDFuzz $q_fuzz/SerialShared/*.swift $q_fuzz/jbd/*.swift" \
        "harness JKFuzz $q_fuzz/SerialShared/*.swift $q_fuzz/jk/*.swift" \
        "harness DalyFuzz $q_fuzz/SerialShared/*.swift $q_fuzz/daly/*.swift" || return 1
    parallel \
        "harness ConfigFuzz $q_fuzz/config/*.swift" || return 1
    parallel \
        "link m8-decoder $q_build/M8Bus.o $q_build/M8DecoderFuzz.o" \
        "link vedirect $q_build/VEDirect.o $q_build/VEDirectFuzz.o" \
        "link replay $q_build/BMSCore.o $q_build/M8Bus.o $q_build/VEDirect.o $q_build/Pipeline.o $q_build/ReplayFuzz.o" \
        "link config $q_build/BMSCore.o $q_build/SerialBMS.o $q_build/JBD.o $q_build/JK.o $q_build/Daly.o $q_build/VictronInstantReadout.o $q_build/TOMLKit.o $q_build/Config.o $q_build/ConfigFuzz.o $q_build/ctoml-*.o -lstdc++ -lcrypto" \
        "link jbd $q_build/BMSCore.o $q_build/SerialBMS.o $q_build/JBD.o $q_build/JBDFuzz.o" \
        "link jk $q_build/BMSCore.o $q_build/SerialBMS.o $q_build/JK.o $q_build/JKFuzz.o" \
        "link daly $q_build/BMSCore.o $q_build/SerialBMS.o $q_build/Daly.o $q_build/DalyFuzz.o" \
        "link victron-ble $q_build/BMSCore.o $q_build/VictronInstantReadout.o $q_build/VictronBLEFuzz.o -lcrypto" \
        || return 1
}

start=$(date +%s)
if ! build_all; then
    echo "the fuzzers did not build (above)" >&2
    summary 0 0 0
    exit 1
fi
echo "== built in $(( $(date +%s) - start )) s"

# ---------------------------------------------------------------- run
# Per target: input size limit and options. The config target does not check leaks (neither
# libFuzzer's per-input check nor LeakSanitizer's at exit): TOMLKit 0.6.0 leaks on every key
# list, value read and parse error (see README.md).
options_for() {
    case $1 in
        m8-decoder) echo "-max_len=1024 -dict=$FUZZ/m8-decoder/m8.dict" ;;
        vedirect) echo "-max_len=2048 -dict=$FUZZ/vedirect/vedirect.dict" ;;
        replay) echo "-max_len=2048 -dict=$FUZZ/replay/replay.dict" ;;
        config) echo "-max_len=4096 -dict=$FUZZ/config/toml.dict -detect_leaks=0" ;;
        jbd) echo "-max_len=1024 -dict=$FUZZ/jbd/jbd.dict" ;;
        jk) echo "-max_len=2048 -dict=$FUZZ/jk/jk.dict" ;;
        daly) echo "-max_len=1024 -dict=$FUZZ/daly/daly.dict" ;;
        victron-ble) echo "-max_len=1024 -dict=$FUZZ/victron-ble/victron-ble.dict" ;;
    esac
}

asan_options_for() {
    if [[ $1 == config ]]; then echo "$ASAN_OPTIONS:detect_leaks=0"; else echo "$ASAN_OPTIONS"; fi
}

run_target() {  # target
    local target=$1 dir=$RUNS/$1
    rm -rf "$dir"
    mkdir -p "$dir/corpus" "$dir/artifacts"
    cp "$FUZZ/corpus/$target"/* "$dir/corpus/" 2>/dev/null
    # shellcheck disable=SC2046
    ASAN_OPTIONS=$(asan_options_for "$target") \
        "$BUILD/$target" $(options_for "$target") -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -max_total_time="$SECONDS_EACH" -artifact_prefix="$dir/artifacts/" "$dir/corpus" >"$dir/fuzz.log" 2>&1
    echo $? >"$dir/status"
}

crashes=0
executions=0
fuzzed=0

# The committed reproducers first: every one of them must run clean now.
for target in "${TARGETS[@]}"; do
    reproducers=("$FUZZ/crashes/$target"/*)
    [[ -e ${reproducers[0]} ]] || continue
    # shellcheck disable=SC2046
    if ! ASAN_OPTIONS=$(asan_options_for "$target") \
        "$BUILD/$target" $(options_for "$target") -timeout=10 "${reproducers[@]}" >"$RUNS/$target-reproducers.log" 2>&1; then
        echo "== $target: a committed reproducer in crashes/$target/ crashes again:" >&2
        grep -E "INVARIANT|ERROR|Assertion|Running:" "$RUNS/$target-reproducers.log" | tail -n 20 >&2
        crashes=$((crashes + 1))
    else
        echo "== $target: ${#reproducers[@]} committed reproducers run clean"
    fi
done

if (( SECONDS_EACH == 0 )); then  # libFuzzer reads -max_total_time=0 as "no limit"
    echo "== built and replayed only (SECONDS is 0)"
    summary 0 0 "$crashes"
    (( crashes == 0 ))
    exit
fi

echo "== fuzzing ${#TARGETS[@]} targets for $SECONDS_EACH s each, $JOBS at a time"
run_commands=()
for target in "${TARGETS[@]}"; do run_commands+=("run_target $target"); done
parallel "${run_commands[@]}" || true

for target in "${TARGETS[@]}"; do
    dir=$RUNS/$target
    fuzzed=$((fuzzed + 1))
    runs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$dir/fuzz.log" | head -n1 | grep -oE '[0-9]+$' || true)
    [[ -z $runs ]] && runs=$(grep -oE '^#[0-9]+' "$dir/fuzz.log" | tail -n1 | tr -d '#' || true)
    runs=${runs:-0}
    rate=$(grep -oE 'stat::average_exec_per_sec: *[0-9]+' "$dir/fuzz.log" | head -n1 | grep -oE '[0-9]+$' || true)
    executions=$((executions + runs))
    found=$(find "$dir/artifacts" -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) | wc -l)
    status=$(cat "$dir/status" 2>/dev/null || echo 1)
    if (( found == 0 && status != 0 )); then found=1; fi
    crashes=$((crashes + found))
    echo "== $target: $runs executions (${rate:-?}/s), corpus $(ls "$dir/corpus" | wc -l) inputs, exit $status"
    if (( found > 0 )); then
        grep -E "INVARIANT BROKEN|ERROR:|Assertion|SUMMARY" "$dir/fuzz.log" | head -n 5 | sed 's/^/   /'
        for artifact in "$dir"/artifacts/*; do
            [[ -e $artifact ]] || continue
            echo "   reproducer: $artifact"
            echo "   replay it:  $BUILD/$target $artifact"
        done
        echo "   full log:   $dir/fuzz.log"
    fi
done

summary "$fuzzed" "$executions" "$crashes"
(( crashes == 0 ))
