#!/usr/bin/env python3
"""Instructions the daemon spends on one wake-up (one sentence read), counted by callgrind.

Usage: wakeup-callgrind.py BINARY [SENTENCES]   (run through wakeup-callgrind.sh, which builds)

Runs `smallbmsd run` under `valgrind --tool=callgrind` on a pty with simulated lines, twice, for
the same 12 s each on a 20 x 8-cell bank: once fed SENTENCES sentences, once a third as many (one
write each, evenly spaced, so each is a wake-up of its own). Both runs see the same status
refreshes of the same bank, so the difference of the two totals divided by the difference in
sentences is the user-space cost of one wake-up alone: poll's bookkeeping, the clock reads, the
read, the decoder, the rules, the timer checks. Kernel time (the poll and read system calls themselves) is not counted: the C reader
of Benchmarks/reaction.py pays it too. With KEEP=1 the two callgrind.out files stay in the work
folder, and the functions that cost the most per wake-up are printed (callgrind_annotate).
Standard library only.
"""

import os
import re
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
# The same encoder, and the bank and [recorder]/[history] tables (valgrind_bank) the reaction harness defines: RECORDING=0
# measures the loop alone, without the flight recorder and the history (on by default).
from reaction import sentence, valgrind_bank  # noqa: E402


def run(binary, folder, name, count, seconds=12.0):
    work = os.path.join(folder, name)
    os.makedirs(work)
    master, slave, config = valgrind_bank(work)
    out = os.path.join(work, "callgrind.out")
    daemon = subprocess.Popen(
        ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", binary, "run", "--config", config],
        stdout=subprocess.DEVNULL, stderr=open(os.path.join(work, "stderr.log"), "w"))
    deadline = time.monotonic() + 60
    while not os.path.exists(os.path.join(work, "status.json")):
        if time.monotonic() > deadline or daemon.poll() is not None:
            raise SystemExit(f"{name}: the daemon did not start (see {work}/stderr.log)")
        time.sleep(0.1)
    time.sleep(1.0)
    cells = [3300] * 8
    start = time.monotonic()
    for index in range(count):
        battery = index % 20 + 1
        os.write(master, sentence(battery, index // 20, cells))
        pause = start + seconds * (index + 1) / count - time.monotonic()
        if pause > 0:
            time.sleep(pause)
    time.sleep(0.5)
    daemon.send_signal(signal.SIGTERM)
    daemon.wait(timeout=60)
    os.close(master)
    os.close(slave)
    with open(out) as f:
        for line in f:
            if line.startswith("summary:") or line.startswith("totals:"):
                return int(line.split()[1]), out
    raise SystemExit(f"{name}: no total in {out}")


def function_costs(path):
    """Self cost per function, from callgrind_annotate."""
    text = subprocess.run(["callgrind_annotate", "--inclusive=no", "--threshold=100", path],
                          capture_output=True, text=True).stdout
    costs = {}
    for line in text.splitlines():
        match = re.match(r"\s*([\d,]+) \([^)]*\)\s+(.*)", line)
        if match and "PROGRAM TOTALS" not in line:
            name = match.group(2)
            costs[name] = costs.get(name, 0) + int(match.group(1).replace(",", ""))
    return costs


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        raise SystemExit(2)
    binary = sys.argv[1]
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 500
    folder = tempfile.mkdtemp(prefix="smallbmsd-wakeup-")
    fewer = count // 3
    fed, fed_out = run(binary, folder, "fed", count)
    idle, idle_out = run(binary, folder, "idle", fewer)
    print(f"daemon {binary}: {fed} instructions fed {count} sentences in 12 s, {idle} fed {fewer}")
    print(f"one wake-up (one 20 x 8-cell sentence read): {(fed - idle) / (count - fewer):.0f} instructions in user space")
    if os.environ.get("KEEP"):
        print(f"kept {folder}")
        print("instructions per wake-up by function (self cost, fed minus fewer):")
        fed_costs, fewer_costs = function_costs(fed_out), function_costs(idle_out)
        per_wakeup = sorted(
            ((fed_costs.get(name, 0) - fewer_costs.get(name, 0)) / (count - fewer), name)
            for name in set(fed_costs) | set(fewer_costs))
        for cost, name in reversed(per_wakeup[-40:]):
            print(f"{cost:9.0f}  {name[:140]}")


if __name__ == "__main__":
    main()
