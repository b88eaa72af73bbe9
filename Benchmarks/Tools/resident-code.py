#!/usr/bin/env python3
"""Which of the daemon binary's pages are mapped (count in its RSS) after start-up, and whose they are.

Usage: resident-code.py BINARY [SECONDS]   (a release smallbmsd, unstripped or `strip --strip-debug`;
SECONDS of the load part's bank feed before the count, default 5)

Why: most of the daemon's peak RSS is clean file pages, and most of those are the binary's code
(README, Performance). Starts `smallbmsd run` as Benchmarks/reaction.py's load part does, feeds it
the 20 x 8-cell bank, then reads /proc/PID/pagemap for each of the binary's mappings and prints: the
megabytes mapped of each mapping's size, the process's page faults so far (a fault maps its
neighbours too, so the total is far above 4 KB times the faults), and the mapped pages by owner,
from the symbols (nm, code and data) that overlap each page: a Swift module by its mangled name, the
Swift runtime, ICU, CoreFoundation, Dispatch, or other C code. A page shared by several owners is
split between them; pages no symbol overlaps count by ELF section (relocations, metadata,
.eh_frame). Needs root (pagemap's present bit), nm and readelf (binutils).
"""

import bisect
import collections
import os
import re
import signal
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from reaction import BankFeed, Daemon  # noqa: E402

PAGE = 4096


def owner(symbol):
    """The module or library a symbol (code or data) belongs to."""
    body = symbol[2:] if symbol.startswith("$s") else symbol[3:] if symbol.startswith("_$s") else None
    if body is not None:
        length = re.match(r"\d+", body)
        if length:
            return body[length.end():length.end() + int(length.group())]
        return "Swift standard library types (with their specialisations)"
    if symbol.startswith(("swift_", "_ZN5swift", "_swift_")):
        return "Swift runtime"
    if "icu" in symbol.lower() or symbol.startswith(("u_", "ucol_", "ures_", "ubrk_", "udat_")):
        return "ICU"
    if symbol.startswith(("CF", "_CF", "__CF")):
        return "CoreFoundation"
    if symbol.startswith(("dispatch_", "_dispatch")):
        return "Dispatch"
    return "other C"


def main():
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # `| head` ends the listing quietly
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    binary = os.path.realpath(sys.argv[1])
    seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 5.0
    folder = tempfile.mkdtemp(prefix="smallbmsd-resident-", dir="/dev/shm" if os.path.isdir("/dev/shm") else None)
    daemon = Daemon(binary, folder, "load", batteries=20, cells=8, thresholds="")
    try:
        daemon.wait_ready()
        BankFeed([daemon.write], 0.005).run(seconds, False)
        pid = daemon.process.pid
        with open(f"/proc/{pid}/maps") as f:
            mappings = [line.split() for line in f if line.rstrip().endswith(binary)]
        if not mappings:
            sys.exit(f"resident-code.py: no mapping of {binary} in /proc/{pid}/maps")
        base = min(int(m[0].split("-")[0], 16) for m in mappings if int(m[2], 16) == 0)
        regions = []  # (permissions, link-time address of the first page, present flag per page)
        with open(f"/proc/{pid}/pagemap", "rb") as f:
            for m in mappings:
                start, end = (int(x, 16) for x in m[0].split("-"))
                f.seek(start // PAGE * 8)
                entries = f.read((end - start) // PAGE * 8)
                present = [struct.unpack_from("<Q", entries, i * 8)[0] >> 63 for i in range((end - start) // PAGE)]
                regions.append((m[1], start - base, present))
        with open(f"/proc/{pid}/stat") as f:
            faults = int(f.read().rsplit(")", 1)[1].split()[7])
    finally:
        daemon.stop()
    mapped = [address + i * PAGE for _, address, present in regions for i, bit in enumerate(present) if bit]
    if not mapped:
        sys.exit("resident-code.py: no page reads as mapped: pagemap's present bit needs root")
    symbols = []
    listing = subprocess.run(["nm", "-S", "--defined-only", binary], capture_output=True, text=True, check=True).stdout
    for line in listing.splitlines():
        parts = line.split()
        if len(parts) == 4 and parts[2] in "tTwWdDbBrRvV":
            symbols.append((int(parts[0], 16), int(parts[1], 16), parts[3]))
    symbols.sort()
    sections = []
    for line in subprocess.run(["readelf", "-SW", binary], capture_output=True, text=True, check=True).stdout.splitlines():
        fields = re.match(r"\s*\[\s*\d+\]\s+(\S+)\s+\S+\s+([0-9a-f]+)\s+[0-9a-f]+\s+([0-9a-f]+)", line)
        if fields and int(fields.group(2), 16) > 0:
            sections.append((int(fields.group(2), 16), int(fields.group(3), 16), fields.group(1)))
    starts = [s[0] for s in symbols]
    longest = max((s[1] for s in symbols), default=0)
    shares = collections.Counter()
    for page in mapped:
        first = bisect.bisect_left(starts, page - longest)
        owners = collections.Counter()
        for address, size, name in symbols[first:bisect.bisect_left(starts, page + PAGE)]:
            if address + size > page:
                owners[owner(name)] += 1
        if not owners:
            for address, size, name in sections:
                if address < page + PAGE and address + size > page:
                    owners[f"section {name}" if name != ".text" else "no symbol (.text)"] += 1
        if not owners:
            owners["no symbol"] = 1
        for name in owners:
            shares[name] += 1 / len(owners)
    print(f"{binary}: {len(mapped) * PAGE / 1e6:.1f} MB of its pages mapped, after {faults} page faults of the whole process")
    for permissions, address, present in regions:
        print(f"  {permissions} at {address:#10x}: {sum(present) * PAGE / 1e6:5.1f} of {len(present) * PAGE / 1e6:5.1f} MB")
    print("by owner (symbols, or the ELF section where no symbol lies):")
    for name, pages in shares.most_common(20):
        print(f"  {pages * PAGE / 1e3:8.0f} KB  {name}")


if __name__ == "__main__":
    main()
