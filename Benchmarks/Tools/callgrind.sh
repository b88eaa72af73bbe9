#!/usr/bin/env bash
# Instructions per operation of the hot paths, counted by valgrind --tool=callgrind: a figure
# that a busy machine does not move (wall-clock benchmarks on 2 shared cores do move).
# Usage: Benchmarks/Tools/callgrind.sh [COUNT]   (from anywhere; builds CallgrindDriver in release)
# Each case runs twice, with COUNT operations and with none; the difference of the two totals
# divided by COUNT is the cost of one operation without the set-up.
# Add KEEP=1 to keep the callgrind.out files (for callgrind_annotate) in $OUT (default /tmp).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
count="${1:-2000}"
out="${OUT:-/tmp}"
command -v valgrind >/dev/null || { echo "valgrind is not installed (apt-get install -y valgrind)" >&2; exit 2; }
(cd "$here" && swift build -c release --product CallgrindDriver >/dev/null)
driver="$here/.build/release/CallgrindDriver"

total() {  # total instructions of one run
    local file="$out/callgrind.out.smallbmsd.$1.$2"
    valgrind --tool=callgrind --callgrind-out-file="$file" "$driver" "${@:3}" >/dev/null 2>"$file.log"
    local ir
    ir=$(grep -m1 '^summary:' "$file" | awk '{print $2}')
    [ -n "${KEEP:-}" ] || rm -f "$file" "$file.log"
    echo "$ir"
}

per_op() {  # name, divisor-per-count, driver args with COUNT placeholder
    local name="$1" per="$2"; shift 2
    local with=() without=()
    for word in "$@"; do
        if [ "$word" = COUNT ]; then with+=("$count"); without+=(0); else with+=("$word"); without+=("$word"); fi
    done
    local a b
    a=$(total "${name// /_}" n "${with[@]}")
    b=$(total "${name// /_}" 0 "${without[@]}")
    awk -v a="$a" -v b="$b" -v n="$count" -v per="$per" -v name="$name" \
        'BEGIN { printf "%-58s %10.0f instructions\n", name, (a - b) / (n * per) }'
}

per_op "rule core handle+evaluate, 1 x 4 cells (per reading)" 1 rulecore 1 4 COUNT
per_op "rule core handle+evaluate, 20 x 8 cells (per reading)" 1 rulecore 20 8 COUNT
per_op "rule core evaluate alone, 20 x 8 cells (per call)" 1 evaluate 20 8 COUNT
per_op "data path receive, 20 x 8 cells (per sentence)" 1 datapath COUNT
# The decoder runs COUNT/100 passes over 1000 sentences: per sentence written.
dcount=$(( count / 100 > 0 ? count / 100 : 1 ))
count_saved=$count; count=$dcount
per_op "decoder 4-cell clean (per sentence)" 1000 decoder 4 clean COUNT
per_op "decoder 8-cell clean (per sentence)" 1000 decoder 8 clean COUNT
per_op "decoder 8-cell noisy (per sentence written)" 1000 decoder 8 noisy COUNT
count=$count_saved
