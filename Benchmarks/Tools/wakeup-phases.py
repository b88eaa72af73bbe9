#!/usr/bin/env python3
"""Where one wake-up of the daemon spends its time, phase by phase, timed inside the daemon.

Usage: wakeup-phases.py [SECONDS]   (default 15; run from anywhere in the repository)

Why: valgrind counts instructions and lines, and /proc counts a whole wake-up; neither says which
part of a real wake-up on this machine is slow. This builds a copy of the daemon with
`wakeup-phases.patch` applied (in a git worktree of HEAD under .build-phases/, git-ignored, never
in the shipped build): at 16 points of `Daemon.waitAndServe`, `M8AdapterSource.serve` and
`Daemon.deliver` it stores CLOCK_MONOTONIC (about 20 ns a read) in a preallocated table, which it
writes to $SMALLBMSD_PHASES_FILE at stop. It runs that daemon as Benchmarks/reaction.py's load
part does (20 x 8 cells, 200 sentences a second, recorder and history on; PERIOD_MS=5 sets the
spacing), with the C floor beside it, and prints the median of each phase over the steady
wake-ups that read one sentence. FEED=noise sends lines with no `$` instead (the loop alone, as
reaction.sh part 2b).

The patch also reads the clock twice more and computes the timeout once more right after the
sleep, to show what the same code costs warm. The first build takes about 5 minutes here; later
ones rebuild only the patched module. If the patch no longer applies to HEAD, the tool says so:
move its probes to where the phases now are (`git diff` in .build-phases/worktree). Needs git, a
Swift toolchain and a C compiler. Standard library only.
"""

import os
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import time

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, ".."))
from reaction import BankFeed, Daemon, Reference  # noqa: E402

SLOTS = 16
# (from slot, to slot, phase); the sleep (12 -> 0) is left out.
PHASES = [
    (10, 11, "the descriptor list (watch per source)"),
    (11, 12, "the timeout (pollTimeoutMilliseconds)"),
    (0, 1, "the clock read after epoll_wait"),
    (1, 13, "  the same clock read again (warm)"),
    (13, 14, "  and a third time"),
    (14, 15, "  the timeout again, just after the sleep"),
    (15, 2, "the dispatch to the source"),
    (2, 3, "the read system call and the decoder"),
    (3, 4, "to the first delivery"),
    (4, 5, "the sinks' inputTaken (recorder, history)"),
    (5, 6, "the rules (handle, then the merge)"),
    (6, 7, "the rest of the source's serve"),
    (7, 8, "the decision (takeDelivered)"),
    (8, 9, "the timers, with the refresh check (serveTimers)"),
]
EXTRA = {(1, 13), (13, 14), (14, 15)}  # added by the patch, not the daemon's own work


def run(command, cwd, what):
    result = subprocess.run(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if result.returncode != 0:
        sys.exit(f"wakeup-phases.py: {what} failed:\n{result.stdout[-3000:]}")
    return result.stdout


def build(root):
    work = os.path.join(root, ".build-phases")
    tree = os.path.join(work, "worktree")
    head = run(["git", "rev-parse", "HEAD"], root, "git rev-parse").strip()
    if not os.path.isdir(tree):
        os.makedirs(work, exist_ok=True)
        run(["git", "worktree", "add", "--detach", tree, head], root, "git worktree add")
    run(["git", "checkout", "--force", "--detach", head], tree, "git checkout in the worktree")
    run(["git", "clean", "-fdq", "Sources"], tree, "git clean in the worktree")
    patch = os.path.join(here, "wakeup-phases.patch")
    check = subprocess.run(["git", "apply", "--check", patch], cwd=tree, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True)
    if check.returncode != 0:
        sys.exit(f"wakeup-phases.py: {patch} no longer applies to HEAD ({head[:10]}):\n{check.stdout}"
                 "Move its probes to where the phases now are, and refresh it with `git diff` in the worktree.")
    run(["git", "apply", patch], tree, "git apply")
    print(f"building the daemon with the phase probes (HEAD {head[:10]}; the first build takes minutes)", flush=True)
    scratch = os.path.join(work, "build")
    flags = ["-c", "release", "--static-swift-stdlib", "--scratch-path", scratch, "--product", "smallbmsd"]
    run(["swift", "build"] + flags, tree, "swift build")
    binary = os.path.join(run(["swift", "build"] + flags + ["--show-bin-path"], tree, "swift build --show-bin-path").strip(),
                          "smallbmsd")
    return binary


def main():
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 15.0
    period = float(os.environ.get("PERIOD_MS", "5")) / 1000.0
    noise = os.environ.get("FEED", "sentences") == "noise"
    root = run(["git", "rev-parse", "--show-toplevel"], here, "git rev-parse").strip()
    binary = build(root)
    folder = tempfile.mkdtemp(prefix="smallbmsd-phases-", dir="/dev/shm" if os.path.isdir("/dev/shm") else None)
    table = os.path.join(folder, "phases.bin")
    os.environ["SMALLBMSD_PHASES_FILE"] = table  # the daemon inherits it
    daemon = Daemon(binary, folder, "load", batteries=20, cells=8, thresholds="")
    floor = Reference(folder, logging=False)
    try:
        daemon.wait_ready()
        bus = BankFeed([daemon.write, floor.feed], period)

        bus.run(7.0, noise)
        start_ns, daemon0, floor0 = time.monotonic_ns(), daemon.schedstat_ns(), floor.schedstat_ns()
        sent = bus.run(seconds, noise)
        daemon1, floor1 = daemon.schedstat_ns(), floor.schedstat_ns()
        daemon.check_alive()
    finally:
        floor.stop()
        daemon.stop()
    try:
        with open(table, "rb") as f:
            data = f.read()
    except OSError:
        sys.exit(f"wakeup-phases.py: the daemon wrote no {table} (did it stop cleanly?)")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    rows = [struct.unpack_from(f"<{SLOTS}q", data, i * SLOTS * 8) for i in range(len(data) // (SLOTS * 8))]
    # Steady wake-ups of the measured part that served the source (and, fed sentences, delivered one).
    steady = [r for r in rows if r[0] >= start_ns and r[2] and r[9] and (noise or r[4])]
    if not steady:
        sys.exit("wakeup-phases.py: no steady wake-up in the table")
    print(f"{sent} {'lines of noise' if noise else 'sentences'} in {seconds:.0f} s, one every {period * 1000:.1f} ms; "
          f"{len(steady)} wake-ups; CPU per line (schedstat): daemon {(daemon1 - daemon0) / 1e3 / sent:.1f} us, "
          f"floor {(floor1 - floor0) / 1e3 / sent:.1f} us")
    own = 0.0
    for a, b, name in PHASES:
        values = [r[b] - r[a] for r in steady if r[a] and r[b]]
        if noise and a in (3, 4, 5) and b in (4, 5, 6):
            continue
        if not values:
            continue
        median = statistics.median(values) / 1e3
        if (a, b) not in EXTRA:
            own += median
        print(f"  {name:50s} {median:7.2f} us median")
    print(f"  {'the daemon' + chr(39) + 's own phases together':50s} {own:7.2f} us (the patch's extra reads left out)")


if __name__ == "__main__":
    main()
