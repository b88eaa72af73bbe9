#!/usr/bin/env python3
"""Memory one wake-up of the daemon touches: distinct 64-byte code lines, data lines and 4 KB pages.

Usage: wakeup-footprint.py BINARY [SENTENCES]   (a release smallbmsd; `strip --strip-debug` a copy
first: valgrind 3.19 cannot read swiftc's DWARF 5)

Why: at 200 sentences a second on a busy machine the caches are cold at every wake-up, so what a
wake-up costs is mostly how many cache lines and pages it touches, not how many instructions it runs
(Tools/wakeup-callgrind.py counts those). Runs `smallbmsd run` under valgrind's lackey with
--trace-mem and --trace-syscalls on a pty with simulated lines (a 20 x 8-cell bank, recorder and
history as Benchmarks/reaction.py sets them, RECORDING=0 without), feeds SENTENCES sentences (default
40) slowly enough that each is a wake-up of its own, splits the trace at every epoll_wait, and
prints, for the median wake-up that read the pty and made no other system call: instructions, code lines, data lines, pages, and
the code lines per function (nm of BINARY; code outside BINARY counts as shared libraries).
Needs valgrind and nm (binutils). The trace is about 30 MB a wake-up; the work folder is removed
unless KEEP=1. Standard library only.
"""

import bisect
import collections
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from reaction import sentence, valgrind_bank  # noqa: E402


def trace(binary, work, count):
    master, slave, config = valgrind_bank(work)
    log = os.path.join(work, "trace.log")
    daemon = subprocess.Popen(
        ["valgrind", "--tool=lackey", "--trace-mem=yes", "--trace-syscalls=yes", f"--log-file={log}",
         binary, "run", "--config", config], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 180
    while not os.path.exists(os.path.join(work, "status.json")):
        if time.monotonic() > deadline or daemon.poll() is not None:
            raise SystemExit(f"the daemon did not start under lackey (see {log})")
        time.sleep(0.2)
    time.sleep(5.0)
    # Every battery once, in one write, so that the measured wake-ups are the steady state: until all
    # 20 have reported the bank is in its start-up fault, whose reason text is rebuilt on every input.
    os.write(master, b"".join(sentence(battery, 0, [3300] * 8, temps=(251, 238)) for battery in range(1, 21)))
    time.sleep(2.0)
    for index in range(count):
        battery = index % 20 + 1
        cells = [3290 + (cell * 7 + battery * 3 + index) % 40 for cell in range(8)]
        os.write(master, sentence(battery, (index // 20 + 1) % 256, cells, temps=(251, 238)))
        time.sleep(0.4)
    time.sleep(1.0)
    daemon.terminate()
    daemon.wait(timeout=120)
    os.close(master)
    os.close(slave)
    return log


def wakeups(log):
    """The epoll_wait-to-epoll_wait stretches that read the pty and made no other system call (no refresh,
    no history write, no watchdog ping): instruction count, code lines, data lines, pages."""
    stretches, current = [], None
    with open(log, errors="replace") as f:
        for line in f:
            if line.startswith("SYSCALL"):
                if "sys_epoll_wait (" in line:
                    if current is not None:
                        stretches.append(current)
                    current = {"instructions": 0, "code": set(), "data": set(), "pages": set(), "code pages": set(),
                               "read": False, "other": False}
                elif current is not None and "sys_read (" in line:
                    current["read"] = True
                elif current is not None and " ... [async]" not in line and "sys_clock_gettime" not in line:
                    current["other"] = True  # a refresh, a history write, a ping: not a plain reading
                continue
            if current is None or len(line) < 4 or line[0:2].strip() not in ("I", "L", "S", "M"):
                continue
            try:
                address = int(line[3:].split(",")[0], 16)
            except ValueError:
                continue
            if line[0] == "I":
                current["instructions"] += 1
                current["code"].add(address >> 6)
                current["code pages"].add(address >> 12)
            else:
                current["data"].add(address >> 6)
            current["pages"].add(address >> 12)
    return [s for s in stretches if s["read"] and not s["other"]]


def code_by_function(binary, lines):
    """Code lines per function symbol of BINARY (a PIE that valgrind maps at 0x108000)."""
    symbols = []
    listing = subprocess.run(["nm", "-n", binary], capture_output=True, text=True).stdout
    for row in listing.splitlines():
        parts = row.split(" ", 2)
        if len(parts) == 3 and parts[0] and parts[1] in "tTwW":
            symbols.append((int(parts[0], 16) + 0x108000, parts[2]))
    starts = [start for start, _ in symbols]
    end = symbols[-1][0] + 0x100000 if symbols else 0
    counts = collections.Counter()
    for line in lines:
        address = line << 6
        index = bisect.bisect_right(starts, address) - 1
        counts[symbols[index][1] if 0 <= index and address < end else "<shared libraries: Swift runtime, libc>"] += 1
    return counts


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        raise SystemExit(2)
    for tool in ("valgrind", "nm"):
        if shutil.which(tool) is None:
            raise SystemExit(f"{tool} is not installed")
    binary, count = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 40
    work = tempfile.mkdtemp(prefix="smallbmsd-footprint-")
    try:
        found = wakeups(trace(binary, work, count))
        if not found:
            raise SystemExit("no wake-up with a read of the pty in the trace")
        found.sort(key=lambda s: s["instructions"])
        median = found[len(found) // 2]
        print(f"{binary}: {len(found)} plain reading wake-ups (a read of the pty and nothing else); the median one: {median['instructions']} "
              f"instructions, {len(median['code'])} code lines, {len(median['data'])} data lines, "
              f"{len(median['pages'])} pages ({len(median['code pages'])} of them code)")
        print("its code lines by function:")
        for name, lines in code_by_function(binary, median["code"]).most_common(int(os.environ.get("TOP", "30"))):
            print(f"{lines:6d}  {name[:140]}")
    finally:
        if os.environ.get("KEEP"):
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
