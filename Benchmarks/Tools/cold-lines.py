#!/usr/bin/env python3
"""What one cache line costs a wake-up on this machine: the price behind the daemon's CPU ratio.

Usage: cold-lines.py [BINARY] [SECONDS]   (BINARY: a release smallbmsd, optional; SECONDS default 20)

Why: a wake-up of the daemon runs about 11,000 user-space instructions (Tools/wakeup-callgrind.py)
and touches about 600 distinct cache lines (Tools/wakeup-footprint.py). Hot, the same work takes a
few microseconds; at 200 sentences a second it costs several times that, because while a process
sleeps 5 ms between sentences its lines leave the caches it runs on (on a shared host the other
tenants run there meanwhile), and each line it needs next comes back at memory's latency. How much
that is per line is a property of the machine, not of the daemon, and this tool measures it.

Runs, side by side on their own ptys and fed the same bytes at the same moments as
Benchmarks/reaction.py feeds its load part (20 x 8-cell sentences, 200 a second, PERIOD_MS=5):
  - the machine floor of reaction.py (a C reader: poll, read, nothing else);
  - the same C reader made to follow a chain of N pointers after each read, each on its own cache
    line picked at random in SPREAD_KB kilobytes (default 16384: nearly every line on a page of its
    own, as a heap-sized spread gives), for N in LINES (default 0 150 300 600): every step waits for
    the one before, as the daemon's code and data mostly do;
  - with BINARY, the daemon itself (`smallbmsd run` as reaction.py's load part starts it).
Prints each one's CPU time per sentence (schedstat, ns), and the least-squares price of one chased
line: what a wake-up pays per line it touches that the sleep has made cold. Two more figures put the
daemon beside them: its cost above the floor, and how many chased lines that equals.
SPREAD_KB=48 packs the lines into 12 pages: the price is then a line's alone, without the walk of
the page tables that a line on a page of its own adds (the daemon's ~600 lines share ~100 pages).
PERIOD_MS changes the spacing (1 keeps more in the caches, 20 less). FEED=noise sends every reader,
the daemon included, lines of the same length with no `$` in them instead of sentences: the
daemon's wake-up is then its loop alone (the poll, the clock read, the descriptor list, the timers
and the refresh check, the source's read and a scan for `$`), with no reading for the decoder, the
rules or the sinks; its batteries count as silent (every output OFF). Standard library and a C
compiler (cc, clang or gcc).
"""

import os
import shutil
import subprocess
import sys
import tempfile
import tty

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from reaction import BankFeed, Daemon, Reference  # noqa: E402

CHASE_C = r"""
/* chase PTY N KB: poll + read the pty as the floor does, then follow a chain of N pointers, each on
   its own cache line at a random place in KB kilobytes, so that every load waits for the one before. */
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <termios.h>
#include <unistd.h>
int main(int argc, char **argv) {
    int fd = open(argv[1], O_RDWR | O_NOCTTY | O_NONBLOCK);
    struct termios t; tcgetattr(fd, &t); cfmakeraw(&t); t.c_cc[VMIN] = 1; t.c_cc[VTIME] = 0;
    tcsetattr(fd, TCSANOW, &t);
    int n = atoi(argv[2]);
    size_t span = (size_t)atoi(argv[3]) << 10, lines = span / 64;
    char *memory = mmap(0, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    size_t *order = malloc(sizeof(size_t) * lines);
    for (size_t i = 0; i < lines; i++) order[i] = i;
    srand(7);
    for (size_t i = lines - 1; i > 0; i--) { size_t j = (size_t)rand() % (i + 1); size_t x = order[i]; order[i] = order[j]; order[j] = x; }
    for (int i = 0; i < n; i++) *(char **)(memory + order[i] * 64) = memory + order[(i + 1) % n] * 64;
    static char buf[4096];
    char *volatile last = memory;
    for (;;) {
        struct pollfd p = { fd, POLLIN, 0 };
        if (poll(&p, 1, 60000) < 0) return 1;
        if (read(fd, buf, sizeof buf) <= 0) continue;
        char *at = memory + order[0] * 64;
        for (int i = 0; i < n; i++) at = *(char **)at;
        last = at;
    }
}
"""


class Chaser:
    """One chase reader on a pty of its own."""

    def __init__(self, program, lines, spread_kb):
        self.lines = lines
        self.master, self.slave = os.openpty()
        tty.setraw(self.slave)
        os.set_blocking(self.master, False)
        self.process = subprocess.Popen([program, os.ttyname(self.slave), str(lines), str(spread_kb)])

    def feed(self, data):
        try:
            os.write(self.master, data)
        except BlockingIOError:
            pass

    def schedstat_ns(self):
        with open(f"/proc/{self.process.pid}/schedstat") as f:
            return int(f.read().split()[0])

    def stop(self):
        self.process.kill()
        self.process.wait()
        os.close(self.master)
        os.close(self.slave)


def main():
    args = sys.argv[1:]
    binary = args.pop(0) if args and not args[0].replace(".", "").isdigit() else None
    seconds = float(args[0]) if args else 20.0
    period = float(os.environ.get("PERIOD_MS", "5")) / 1000.0
    counts = [int(n) for n in os.environ.get("LINES", "0 150 300 600").split()]
    noise = os.environ.get("FEED", "sentences") == "noise"
    if os.environ.get("FEED", "sentences") not in ("sentences", "noise"):
        sys.exit("cold-lines.py: FEED is sentences or noise")
    spread_kb = int(os.environ.get("SPREAD_KB", "16384"))
    if spread_kb * 16 < max(counts):
        sys.exit(f"cold-lines.py: SPREAD_KB={spread_kb} holds {spread_kb * 16} lines, fewer than LINES asks for")
    compiler = next((c for c in ("cc", "clang", "gcc") if shutil.which(c)), None)
    if compiler is None:
        sys.exit("cold-lines.py: needs a C compiler (cc, clang or gcc)")
    folder = tempfile.mkdtemp(prefix="smallbmsd-cold-lines-", dir="/dev/shm" if os.path.isdir("/dev/shm") else None)
    source, program = os.path.join(folder, "chase.c"), os.path.join(folder, "chase")
    with open(source, "w") as f:
        f.write(CHASE_C)
    subprocess.run([compiler, "-O1", "-o", program, source], check=True)

    daemon = Daemon(binary, folder, "load", batteries=20, cells=8, thresholds="") if binary else None
    floor = Reference(folder, logging=False)
    chasers = [Chaser(program, n, spread_kb) for n in counts]
    try:
        if daemon:
            daemon.wait_ready()
        bus = BankFeed(([daemon.write] if daemon else []) + [floor.feed] + [c.feed for c in chasers], period)

        def readings():
            return ([daemon.schedstat_ns()] if daemon else []) + [floor.schedstat_ns()] + [c.schedstat_ns() for c in chasers]

        bus.run(7.0, noise)  # the daemon's warm-up: every battery reported, outputs ON (with FEED=noise: OFF, settled)
        before = readings()
        sent = bus.run(seconds, noise)
        after = readings()
        if daemon:
            daemon.check_alive()
    finally:
        for chaser in chasers:
            chaser.stop()
        floor.stop()
        if daemon:
            daemon.stop()
        shutil.rmtree(folder, ignore_errors=True)

    cost = [(b - a) / 1e3 / max(sent, 1) for a, b in zip(before, after)]
    daemon_cost = cost.pop(0) if daemon else None
    floor_cost, chase_costs = cost[0], cost[1:]
    what = "lines of noise" if noise else "sentences"
    print(f"{sent} {what} in {seconds:.0f} s, one every {period * 1000:.1f} ms; CPU time per line (schedstat):")
    print(f"  machine floor (C reader, poll + read):   {floor_cost:6.1f} us")
    for n, c in zip(counts, chase_costs):
        print(f"  C reader + {n:4d} chased cache lines:    {c:6.1f} us   (on {min(n, spread_kb // 4)} of {spread_kb // 4} pages at most)")
    slope = None
    if len(set(counts)) > 1:
        mean_n = sum(counts) / len(counts)
        mean_c = sum(chase_costs) / len(chase_costs)
        spread = sum((n - mean_n) ** 2 for n in counts)
        slope = sum((n - mean_n) * (c - mean_c) for n, c in zip(counts, chase_costs)) / spread
        print(f"  one cold cache line, chased: {slope * 1000:.0f} ns (least squares over {len(counts)} readers)")
    if daemon_cost is not None:
        above = daemon_cost - floor_cost
        print(f"  the daemon: {daemon_cost:.1f} us, {daemon_cost / floor_cost:.2f} x the floor, {above:.1f} us above it"
              + (f": the price of {above / slope:.0f} chased lines" if slope and slope > 0 else ""))


if __name__ == "__main__":
    main()
