#!/usr/bin/env python3
"""Reaction time of a polled serial BMS source, per protocol, at the default poll interval.

Usage: serial-reaction.py BINARY [SAMPLES] [PROTOCOL ...]   (default 20 samples; jbd jk daly)
Run through serial-reaction.sh, which builds the release daemon. Standard library only.

For each protocol, `smallbmsd simulate --protocol P --control` is the BMS on a pty (4 cells at
3.30 V) and `smallbmsd run` polls it as the only battery (`[[battery]]`, no `[bus]`, every default:
poll_interval_s 1.0, critical_cell_v 2.50) with simulated lines whose every write is logged with
its CLOCK_MONOTONIC time (SMALLBMSD_SIMULATED_LINES_LOG); time.monotonic_ns() reads that clock.

One sample: after a random wait (so the crossing falls at a random phase of the poll cycle), the
harness stamps the time and tells the simulator `cell 2 2400`: from then on the BMS reports a cell
under critical_cell_v, which cuts LOAD at once (rule 4: no confirm_s, no lead). The figure is the
time from that threshold crossing in the simulator to the `load off` line write. It is the wait
for the next poll (0 to poll_interval_s) plus the poll cycle (requests, replies, decoding) plus
the rule core and the write. On a pty bytes take no line time: on a real UART add the cycle's bytes
at the BMS's baud, 10 bit times a byte (4 cells, 1 sensor: JBD 2 requests and 2 replies, 61 bytes,
64 ms at 9600; Daly 5 requests and 6 reply frames, 143 bytes, 149 ms at 9600; JK a read-all of about
276 bytes, 24 ms at 115200) plus the BMS's own turnaround for each request. Then `cell 2 3300` and the harness waits for LOAD on
(recover_s 1) before the next sample.
"""

import os
import random
import shutil
import subprocess
import sys
import tempfile
import time


def percentile(sorted_values, fraction):
    if not sorted_values:
        return float("nan")
    rank = max(1, -(-len(sorted_values) * fraction // 1))
    return sorted_values[int(rank) - 1]


class Lines:
    """The simulated lines' write log, read as it grows."""

    def __init__(self, path):
        self.fd = os.open(path, os.O_RDONLY)
        self.pending = b""

    def new(self):
        data = os.read(self.fd, 65536)
        self.pending += data
        *complete, self.pending = self.pending.split(b"\n")
        result = []
        for line in complete:
            ns, output, state = line.decode().split()
            result.append((int(ns), output, state))
        return result


def wait_for(lines, output, state, after_ns, timeout, daemon):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for ns, name, level in lines.new():
            if name == output and level == state and ns >= after_ns:
                return ns
        if daemon.poll() is not None:
            raise SystemExit(f"the daemon exited ({daemon.returncode})")
        time.sleep(0.001)
    return None


def measure(binary, protocol, samples, folder):
    simulator = subprocess.Popen(
        [binary, "simulate", "--protocol", protocol, "--scenario", "steady", "--repeat", "--control"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    first = simulator.stdout.readline().decode()
    pty = next(word for word in first.split() if word.startswith("/dev/pts/"))
    config = os.path.join(folder, f"{protocol}.toml")
    lines_log = os.path.join(folder, f"{protocol}-lines.log")
    status = os.path.join(folder, f"{protocol}-status.json")
    with open(config, "w") as f:
        f.write(f'[[battery]]\nsource = "{protocol}"\ndevice = "{pty}"\n'
                f'[thresholds]\nrecover_s = 1\n'
                f'[gpio]\nchip = "simulated"\n[remote]\nmode = "always-on"\n[status]\npath = "{status}"\n')
    open(lines_log, "w").close()
    env = dict(os.environ, SMALLBMSD_SIMULATED_LINES_LOG=lines_log)
    env.pop("NOTIFY_SOCKET", None)
    stderr = open(os.path.join(folder, f"{protocol}-stderr.log"), "w")
    daemon = subprocess.Popen([binary, "run", "--config", config], env=env,
                              stdout=subprocess.DEVNULL, stderr=stderr)
    lines = Lines(lines_log)
    figures = []
    try:
        if wait_for(lines, "load", "on", 0, 30, daemon) is None:
            raise SystemExit(f"{protocol}: LOAD never came on; see {folder}")
        for _ in range(samples):
            time.sleep(1.0 + random.random())
            crossed = time.monotonic_ns()
            simulator.stdin.write(b"cell 2 2400\n")
            simulator.stdin.flush()
            cut = wait_for(lines, "load", "off", crossed, 10, daemon)
            if cut is None:
                raise SystemExit(f"{protocol}: no LOAD cut within 10 s of the crossing")
            figures.append((cut - crossed) / 1e6)
            simulator.stdin.write(b"cell 2 3300\n")
            simulator.stdin.flush()
            if wait_for(lines, "load", "on", cut, 20, daemon) is None:
                raise SystemExit(f"{protocol}: LOAD did not come back")
    finally:
        daemon.terminate()
        daemon.wait(10)
        simulator.terminate()
        simulator.wait(10)
        stderr.close()
    return figures


def main():
    binary = sys.argv[1]
    samples = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    protocols = sys.argv[3:] or ["jbd", "jk", "daly"]
    folder = tempfile.mkdtemp(prefix="smallbmsd-serial-reaction-")
    for protocol in protocols:
        figures = sorted(measure(binary, protocol, samples, folder))
        print(f"{protocol}: crossing -> LOAD line write at poll_interval_s 1.0: "
              f"min {figures[0]:.0f} ms, p50 {percentile(figures, 0.5):.0f} ms, p90 {percentile(figures, 0.9):.0f} ms, "
              f"max {figures[-1]:.0f} ms, mean {sum(figures) / len(figures):.0f} ms over {len(figures)}", flush=True)
    if os.environ.get("KEEP") != "1":
        shutil.rmtree(folder)
    else:
        print(f"kept {folder}")


if __name__ == "__main__":
    main()
