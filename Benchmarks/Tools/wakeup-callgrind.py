#!/usr/bin/env python3
"""Instructions the daemon spends on one wake-up (one sentence read), counted by callgrind.

Usage: wakeup-callgrind.py BINARY [SENTENCES]   (run through wakeup-callgrind.sh, which builds)

Runs `smallbmsd run` under `valgrind --tool=callgrind` on a pty with simulated lines, twice: once
fed SENTENCES sentences of a 20 x 8-cell bank (one write each, 20 ms apart, so each is a wake-up
of its own), once fed none. The difference of the two totals divided by SENTENCES is the user-space
cost of one wake-up: poll's bookkeeping, the clock reads, the read, the decoder, the rules, the
timer checks. Kernel time (the poll and read system calls themselves) is not counted: the C reader
of Benchmarks/reaction.py pays it too. With KEEP=1 the two callgrind.out files stay in the work
folder, and the functions that cost the most per wake-up are printed (callgrind_annotate).
Standard library only.
"""

import os
import signal
import subprocess
import sys
import tempfile
import time
import tty

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from reaction import sentence  # noqa: E402  (the same encoder the reaction harness uses)


def run(binary, folder, name, count, idle_for=0):
    work = os.path.join(folder, name)
    os.makedirs(work)
    master, slave = os.openpty()
    tty.setraw(slave)
    link = os.path.join(work, "bus")
    os.symlink(os.ttyname(slave), link)
    config = os.path.join(work, "smallbmsd.toml")
    with open(config, "w") as f:
        f.write(f"""[bus]
device = "{link}"
batteries = 20
cells_per_battery = 8
comms_timeout_s = 30.0
[gpio]
chip = "simulated"
[remote]
mode = "always-on"
[status]
path = "{work}/status.json"
""")
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
    # The idle run waits as long as the fed one writes, so both see the same refreshes and timers.
    for index in range(count):
        battery = index % 20 + 1
        os.write(master, sentence(battery, index // 20, cells))
        time.sleep(0.02)
    if count == 0:
        time.sleep(0.02 * idle_for)
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


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        raise SystemExit(2)
    binary = sys.argv[1]
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 500
    folder = tempfile.mkdtemp(prefix="smallbmsd-wakeup-")
    fed, fed_out = run(binary, folder, "fed", count)
    idle, idle_out = run(binary, folder, "idle", 0, idle_for=count)
    print(f"daemon {binary}: {fed} instructions fed {count} sentences, {idle} fed none")
    print(f"one wake-up (one 20 x 8-cell sentence read): {(fed - idle) / count:.0f} instructions in user space")
    if os.environ.get("KEEP"):
        print(f"kept {folder}")
        annotate = subprocess.run(["callgrind_annotate", "--inclusive=no", fed_out], capture_output=True, text=True)
        print("\n".join(annotate.stdout.splitlines()[:60]))


if __name__ == "__main__":
    main()
