#!/usr/bin/env python3
"""Reaction time, CPU, memory and wake-ups of the release smallbmsd, measured from outside.

Run through reaction.sh (which builds the daemon); usage: reaction.py BINARY [TRANSITIONS].
Standard library only. The daemon runs as `smallbmsd run` on a pseudo-terminal with simulated
lines: `[gpio] chip = "simulated"` and SMALLBMSD_SIMULATED_LINES_LOG, so every line write is
logged as `<CLOCK_MONOTONIC ns> <output> <on|off>`; time.monotonic_ns() reads the same clock.

Part 1, reaction (1 battery of 4 cells, confirm_s 0.1, recover_s 1): the time from the last
byte of a sentence written to the pty to the first line write that sentence causes.
  - Every sentence is written in two parts: all but its final "\\n", then, 1 ms later, the "\\n"
    alone, stamped just before its write(2). The daemon has by then read the rest, so the
    figure is the reaction to the sentence's completion, not the cost of moving 50 bytes.
  - Most transitions come from the one path that flips a line on every single sentence, in
    both directions: with a cell above charge_disconnect_v the CHG latch is set, so the
    "temp/OVP" LED is on while the data is good; a sentence with a wrong cell count is a fault
    (rule 8) that turns it off at once, and the next good sentence ends the fault and turns it
    back on at once. (LOAD and CHARGER only come back after recover_s, so they cannot toggle
    per sentence.) This is the same code path as any protective cut: decoder, rule core,
    decision, line write.
  - A few transitions are real protective cuts: a cell under critical_cell_v cuts LOAD at once
    (rule 4); each needs recover_s of good data before LOAD is back on, so they are few.
Part 2, load: 20 batteries x 8 cells, 10 sentences a second each (200 sentences/s, one write
per sentence, evenly spaced) for LOAD_SECONDS (60 s; 10 s in the short form): CPU time per
second of run from /proc/PID/stat (utime+stime) and /proc/PID/task/*/schedstat, peak RSS
(VmHWM), and that no output changed.
Part 2b, the loop alone: then NOISE_SECONDS (20 s; 5 s in the short form) of lines as long as the
sentences, at the same pace, with no `$` in them, to the daemon and the floor: no reading reaches
the decoder, the rules or the sinks, so the daemon's CPU time per line is its loop's alone (poll,
clock read, descriptor list, timers, refresh check, the source's read and its scan for `$`).
Measured after 3 s, when the batteries have counted as silent and every output is OFF. The load
figure less this one is what a reading costs (decoder, rules, recorder, history).
Part 3, bus idle: no bytes for IDLE_SECONDS (20 s; 6 s in the short form) after the batteries
went silent (a fault: every output OFF, as on a real idle bus): voluntary context switches per
second, summed over the daemon's threads, less the watchdog pings counted on NOTIFY_SOCKET
(WATCHDOG_USEC = 10 s as in systemd/smallbmsd.service's WatchdogSec=10, so a ping every 5 s).

The last line is `reaction p50 X ms p99 Y ms max Z ms over N transitions`. The exit status
is non-zero only when the harness is broken (the daemon died or never got ready, a sentence
caused no line write, no transition was seen), never because a figure is over its budget.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import tty

BUDGET_REACTION_P99_MS = 1.0
BUDGET_CPU_PERCENT = 1.0
BUDGET_RSS_MB = 20.0
BUDGET_IDLE_WAKEUPS = 2.0
WATCHDOG_USEC = 10_000_000


class HarnessBroken(Exception):
    """The measurement could not be made: exit non-zero."""


def crc16_ccitt_false(data: bytes) -> int:
    crc = 0xFFFF
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else (crc << 1)
            crc &= 0xFFFF
    return crc


def sentence(battery: int, seq: int, cells, temps=(250,), flags: int = 0x03) -> bytes:
    body = f"M8B,{battery},{seq % 256},{flags:02X},{len(cells)}," + ",".join(map(str, cells))
    body += f",{len(temps)}" + "".join(f",{t}" for t in temps)
    raw = body.encode()
    return b"$" + raw + b"*" + f"{crc16_ccitt_false(raw):04X}".encode() + b"\r\n"


def percentile(sorted_values, fraction):
    """Nearest-rank percentile of an ascending list."""
    if not sorted_values:
        return float("nan")
    rank = max(1, -(-len(sorted_values) * fraction // 1))
    return sorted_values[int(rank) - 1]


# RECORDING=0 runs the daemon without the flight recorder and the history (both on by default,
# as in the shipped config); either way their files live in the work folder, not in /var/lib.
RECORDING = os.environ.get("RECORDING", "1") != "0"


def recording_tables(folder):
    """The config's [recorder] and [history] tables, on unless RECORDING=0, their files in FOLDER
    (also used by Tools/wakeup-callgrind.py)."""
    enabled = "true" if RECORDING else "false"
    return (f'[recorder]\nenabled = {enabled}\ndirectory = "{folder}/incidents"\n'
            f'[history]\nenabled = {enabled}\npath = "{folder}/history.db"\n')


def valgrind_bank(folder):
    """A raw pty and a config for the valgrind tools (Tools/wakeup-callgrind.py, Tools/wakeup-footprint.py):
    a 20 x 8-cell bank on the pty's slave (linked as FOLDER/bus), simulated lines, the status file and
    recording_tables() in FOLDER. Returns (master, slave, config path); the caller closes both ends."""
    master, slave = os.openpty()
    tty.setraw(slave)
    link = os.path.join(folder, "bus")
    os.symlink(os.ttyname(slave), link)
    config = os.path.join(folder, "smallbmsd.toml")
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
path = "{folder}/status.json"
{recording_tables(folder)}""")
    return master, slave, config


class Daemon:
    """One `smallbmsd run` on a fresh pty, with its lines log and a NOTIFY_SOCKET listener."""

    def __init__(self, binary, folder, name, batteries, cells, thresholds):
        self.folder = os.path.join(folder, name)
        os.makedirs(self.folder)
        self.master, self.slave = os.openpty()
        tty.setraw(self.slave)
        os.set_blocking(self.master, False)
        self.link = os.path.join(self.folder, "bus")
        os.symlink(os.ttyname(self.slave), self.link)
        self.lines_log = os.path.join(self.folder, "lines.log")
        self.status = os.path.join(self.folder, "status.json")
        self.stderr_path = os.path.join(self.folder, "stderr.log")
        config = os.path.join(self.folder, "smallbmsd.toml")
        with open(config, "w") as f:
            f.write(f"""[bus]
device = "{self.link}"
batteries = {batteries}
cells_per_battery = {cells}
comms_timeout_s = 2.0
[thresholds]
{thresholds}
[gpio]
chip = "simulated"
[gpio.led_load]
[gpio.led_temp_ovp]
[remote]
mode = "always-on"
[status]
path = "{self.status}"
{recording_tables(self.folder)}""")
        notify_path = os.path.join(self.folder, "notify")
        self.notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.notify.bind(notify_path)
        self.notify.setblocking(False)
        self.notifications = []  # (monotonic ns, text)
        env = dict(os.environ)
        for key in ("WATCHDOG_PID", "JOURNAL_STREAM", "LISTEN_FDS"):
            env.pop(key, None)
        env.update({
            "NOTIFY_SOCKET": notify_path,
            "WATCHDOG_USEC": str(WATCHDOG_USEC),
            "SMALLBMSD_SIMULATED_LINES_LOG": self.lines_log,
            "SWIFT_BACKTRACE": "enable=no",
        })
        open(self.lines_log, "w").close()
        self.log_fd = os.open(self.lines_log, os.O_RDONLY)
        self.log_pending = b""
        self.stderr_file = open(self.stderr_path, "w")
        self.process = subprocess.Popen(
            [binary, "run", "--config", config], env=env, stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=self.stderr_file)
        self.pid = self.process.pid

    # -- what the daemon says -------------------------------------------------------------

    def drain_notifications(self):
        while True:
            try:
                data = self.notify.recv(65536)
            except BlockingIOError:
                return
            now = time.monotonic_ns()
            for line in data.decode(errors="replace").split("\n"):
                self.notifications.append((now, line))

    def wait_ready(self, timeout=30.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.check_alive()
            self.drain_notifications()
            if any(text == "READY=1" for _, text in self.notifications):
                return
            time.sleep(0.01)
        raise HarnessBroken(f"the daemon sent no READY=1 within {timeout:.0f} s; its stderr:\n{self.stderr_tail()}")

    def new_line_writes(self):
        """Line writes logged since the last call: [(ns, output, state)]."""
        chunk = b""
        while True:
            part = os.read(self.log_fd, 65536)
            if not part:
                break
            chunk += part
        data = self.log_pending + chunk
        *complete, self.log_pending = data.split(b"\n")
        writes = []
        for line in complete:
            ns, output, state = line.decode().split()
            writes.append((int(ns), output, state))
        return writes

    def check_alive(self):
        if self.process.poll() is not None:
            raise HarnessBroken(
                f"the daemon exited with status {self.process.returncode}; its stderr:\n{self.stderr_tail()}")

    def stderr_tail(self, lines=15):
        try:
            with open(self.stderr_path, errors="replace") as f:
                return "".join(f.readlines()[-lines:])
        except OSError:
            return "(no stderr)"

    # -- the bus ------------------------------------------------------------------------

    def write(self, data: bytes):
        # Drain NOTIFY_SOCKET as systemd would: with a full queue (net.unix.max_dgram_qlen
        # datagrams) the daemon's sd_notify, and so its whole loop, would block.
        self.drain_notifications()
        view = memoryview(data)
        while view:
            try:
                written = os.write(self.master, view)
            except BlockingIOError:
                time.sleep(0.0005)
                continue
            view = view[written:]

    # -- /proc --------------------------------------------------------------------------

    def cpu_ticks(self):
        with open(f"/proc/{self.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)

    def schedstat_ns(self):
        total = 0
        for task in os.listdir(f"/proc/{self.pid}/task"):
            with open(f"/proc/{self.pid}/task/{task}/schedstat") as f:
                total += int(f.read().split()[0])
        return total

    def status_field(self, name, path=None):
        with open(path or f"/proc/{self.pid}/status") as f:
            for line in f:
                if line.startswith(name + ":"):
                    return line.split()[1]
        return None

    def voluntary_switches(self):
        total = 0
        for task in os.listdir(f"/proc/{self.pid}/task"):
            total += int(self.status_field("voluntary_ctxt_switches", f"/proc/{self.pid}/task/{task}/status"))
        return total

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.stderr_file.close()
        self.notify.close()
        os.close(self.log_fd)
        os.close(self.master)
        os.close(self.slave)


REFERENCE_C = r"""
/* The platform floor for the same measure: poll + read the pty; on every '\n' read,
   clock_gettime(CLOCK_MONOTONIC) and append one line to the log, as the simulated lines do. */
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
int main(int argc, char **argv) {
    int fd = open(argv[1], O_RDWR | O_NOCTTY | O_NONBLOCK);
    struct termios t; tcgetattr(fd, &t); cfmakeraw(&t); t.c_cc[VMIN] = 1; t.c_cc[VTIME] = 0;
    tcsetattr(fd, TCSANOW, &t);
    int log = argc > 2 ? open(argv[2], O_WRONLY | O_CREAT | O_APPEND, 0644) : -1;
    static char buf[4096];
    for (;;) {
        struct pollfd p = { fd, POLLIN, 0 };
        if (poll(&p, 1, 60000) < 0) return 1;
        ssize_t n = read(fd, buf, sizeof buf);
        for (ssize_t i = 0; log >= 0 && i < n; i++) if (buf[i] == '\n') {
            struct timespec ts; clock_gettime(CLOCK_MONOTONIC, &ts);
            char line[32];
            int len = snprintf(line, sizeof line, "%lld\n", (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec);
            if (write(log, line, len) < 0) return 1;
        }
    }
}
"""


class Reference:
    """A 25-line C program that only reads the pty and logs each end of line: the machine's floor,
    measured interleaved with the daemon so both see the same moments of a busy machine.
    Optional: without a C compiler (cc, clang) there is simply no reference line."""

    def __init__(self, folder, logging=True):
        self.process = None
        compiler = next((c for c in ("cc", "clang", "gcc") if shutil.which(c)), None)
        if compiler is None:
            return
        source = os.path.join(folder, "reference.c")
        program = os.path.join(folder, "reference")
        with open(source, "w") as f:
            f.write(REFERENCE_C)
        if subprocess.run([compiler, "-O2", "-o", program, source], stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL).returncode != 0:
            return
        self.master, self.slave = os.openpty()
        tty.setraw(self.slave)
        os.set_blocking(self.master, False)
        log = os.path.join(folder, "reference.log")
        open(log, "w").close()
        self.log_fd = os.open(log, os.O_RDONLY)
        self.pending = b""
        self.process = subprocess.Popen([program, os.ttyname(self.slave)] + ([log] if logging else []))
        self.seq = 0

    def feed(self, data):
        """Hands the reader the bytes the daemon gets (no log: the load part only wants its CPU time)."""
        if self.process is not None:
            try:
                os.write(self.master, data)
            except BlockingIOError:
                pass

    def schedstat_ns(self):
        if self.process is None or self.process.poll() is not None:
            return None
        with open(f"/proc/{self.process.pid}/schedstat") as f:
            return int(f.read().split()[0])

    def transition(self):
        """One sentence timed as the daemon's are; the latency in ns, or None."""
        if self.process is None or self.process.poll() is not None:
            return None
        data = sentence(1, self.seq, [3800, 3300, 3300, 3300])
        self.seq += 1
        os.write(self.master, data[:-1])
        time.sleep(0.001)
        stamp = time.monotonic_ns()
        os.write(self.master, data[-1:])
        time.sleep(0.002)
        deadline = time.monotonic() + 2.0
        while b"\n" not in self.pending:
            self.pending += os.read(self.log_fd, 4096)
            if b"\n" in self.pending or time.monotonic() > deadline:
                break
            time.sleep(0.001)
        if b"\n" not in self.pending:
            return None
        line, self.pending = self.pending.split(b"\n", 1)
        return int(line) - stamp

    def stop(self):
        if self.process is None:
            return
        process, self.process = self.process, None
        process.kill()
        process.wait()
        os.close(self.log_fd)
        os.close(self.master)
        os.close(self.slave)


def wait_for_write(daemon, predicate, timeout, seen):
    """Polls the lines log until a write satisfying predicate arrives; returns it or None."""
    deadline = time.monotonic() + timeout
    while True:
        for write in daemon.new_line_writes():
            seen.append(write)
        for write in seen:
            if predicate(write):
                return write
        if time.monotonic() > deadline:
            return None
        daemon.check_alive()
        daemon.drain_notifications()
        time.sleep(0.001)


def timed_sentence(daemon, data):
    """Writes all of `data` but its last byte, waits 1 ms, stamps, writes the last byte."""
    daemon.write(data[:-1])
    time.sleep(0.001)
    stamp = time.monotonic_ns()
    daemon.write(data[-1:])
    return stamp


def measure_reaction(binary, folder, transitions, cuts):
    """Part 1. Returns (led latencies ns, cut latencies ns, reference latencies ns)."""
    d = Daemon(binary, folder, "reaction", batteries=1, cells=4,
               thresholds="confirm_s = 0.1\nrecover_s = 1.0")
    reference = Reference(folder)
    reference_latencies = []
    try:
        d.wait_ready()
        seq = 0
        high = [3800, 3300, 3300, 3300]      # cell 1 above charge_disconnect_v: CHG set, LED temp/OVP on
        critical = [3800, 2400, 3300, 3300]  # cell 2 under critical_cell_v (2.50 V): LOAD off at once
        wrong_count = [3800, 3300, 3300]     # 3 cells where 4 are configured: a fault at once

        def feed_until(predicate, timeout, cells, seen=None):
            """Good data at 20 Hz until a line write (in `seen` or new) satisfies predicate."""
            nonlocal seq
            seen = [] if seen is None else seen
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                d.write(sentence(1, seq, cells))
                seq += 1
                found = wait_for_write(d, predicate, 0.05, seen)
                if found:
                    return found
            raise HarnessBroken(f"no line write as expected within {timeout:.0f} s of good data; "
                                f"writes seen: {seen[-10:]}; stderr:\n{d.stderr_tail()}")

        # Start-up: LOAD on after recover_s, LED temp/OVP on after confirm_s.
        start_up = []
        feed_until(lambda w: w[1] == "load" and w[2] == "on", 10, high, start_up)
        feed_until(lambda w: w[1] == "led_temp_ovp" and w[2] == "on", 5, high, start_up)

        cut_latencies = []
        for _ in range(cuts):
            feed_until(lambda w: w[1] == "load" and w[2] == "on", 10, high) if cut_latencies else None
            for _ in range(3):  # a little good data, so the daemon is in its steady state
                d.write(sentence(1, seq, high))
                seq += 1
                time.sleep(0.02)
            d.new_line_writes()
            stamp = timed_sentence(d, sentence(1, seq, critical))
            seq += 1
            seen = []
            first = wait_for_write(d, lambda w: w[0] >= stamp, 2.0, seen)
            if first is None or (first[1], first[2]) != ("load", "off"):
                raise HarnessBroken(f"a critical-floor sentence did not cut LOAD first: {seen}; stderr:\n{d.stderr_tail()}")
            cut_latencies.append(first[0] - stamp)
        # Back to the steady state with LOAD on (LED temp/OVP has stayed on).
        if cut_latencies:
            feed_until(lambda w: w[1] == "load" and w[2] == "on", 10, high)
        time.sleep(0.05)
        d.new_line_writes()

        led_latencies = []
        expected_state = "off"
        for index in range(transitions):
            cells = wrong_count if expected_state == "off" else high
            stamp = timed_sentence(d, sentence(1, seq, cells))
            seq += 1
            time.sleep(0.002)
            seen = []
            first = wait_for_write(d, lambda w: w[0] >= stamp and w[1] == "led_temp_ovp", 2.0, seen)
            if first is None or first[2] != expected_state:
                raise HarnessBroken(
                    f"transition {index}: expected LED temp/OVP {expected_state}, saw {seen}; stderr:\n{d.stderr_tail()}")
            # The first fault also moves LOAD, LED load and PRE-ALARM (written before the LED):
            # time the sentence's first line write, whatever the line.
            led_latencies.append(min(w[0] for w in seen if w[0] >= stamp) - stamp)
            expected_state = "on" if expected_state == "off" else "off"
            time.sleep(0.004)  # let the journal line, STATUS= and the status file finish
            latency = reference.transition()
            if latency is not None:
                reference_latencies.append(latency)
                time.sleep(0.002)
        d.check_alive()
        return led_latencies, cut_latencies, reference_latencies
    finally:
        reference.stop()
        d.stop()


class BankFeed:
    """The load part's bus: 20 batteries x 8 cells, 10 sentences a second each (one write per
    sentence, evenly spaced, `period` apart), written to every one of `feeders` at the same moment.
    Shared by the load part here and by Tools/cold-lines.py and Tools/wakeup-phases.py, so all
    three measure the same bytes at the same pace."""

    def __init__(self, feeders, period=1.0 / 200):
        self.feeders = feeders
        self.period = period
        self.seqs = [0] * 21
        self.templates = {}

    def sentence_for(self, battery):
        seq = self.seqs[battery]
        self.seqs[battery] = (seq + 1) % 256
        key = (battery, seq)
        if key not in self.templates:
            cells = [3290 + (i * 7 + battery * 3 + seq) % 40 for i in range(8)]
            self.templates[key] = sentence(battery, seq, cells, temps=(251, 238))
        return self.templates[key]

    def run(self, seconds, noise=False):
        """Feeds for `seconds` from battery 1 on; with `noise`, lines as long with no `$` in them
        (nothing for the decoder to start on). Returns how many lines were written."""
        start = time.monotonic()
        count = 0
        battery = 1
        while True:
            due = start + count * self.period
            now = time.monotonic()
            if due - now > 0:
                time.sleep(due - now)
            if due - start >= seconds:
                return count
            data = self.sentence_for(battery)
            if noise:
                data = b"#" * (len(data) - 1) + b"\n"
            for feed in self.feeders:
                feed(data)
            battery = battery % 20 + 1
            count += 1


def measure_load_and_idle(binary, folder, load_seconds, idle_seconds, noise_seconds):
    """Parts 2 and 3. Returns a dict of figures."""
    d = Daemon(binary, folder, "load", batteries=20, cells=8, thresholds="")
    reference = Reference(os.path.join(folder, "load"), logging=False)
    try:
        d.wait_ready()
        clock_ticks = os.sysconf("SC_CLK_TCK")
        bus = BankFeed([d.write, reference.feed])  # 20 batteries x 10 Hz
        # Warm-up: every battery reporting, outputs ON after recover_s (5 s by default).
        bus.run(7.0)
        d.check_alive()
        warm_writes = d.new_line_writes()
        if not any(w[1] == "load" and w[2] == "on" for w in warm_writes):
            raise HarnessBroken(f"LOAD did not come on during the warm-up: {warm_writes}; stderr:\n{d.stderr_tail()}")

        ticks0, sched0, ref0, wall0 = d.cpu_ticks(), d.schedstat_ns(), reference.schedstat_ns(), time.monotonic()
        sent = bus.run(load_seconds)
        ticks1, sched1, ref1, wall1 = d.cpu_ticks(), d.schedstat_ns(), reference.schedstat_ns(), time.monotonic()
        d.check_alive()
        changes = d.new_line_writes()
        noise = None
        if noise_seconds > 0:
            bus.run(3.0, noise=True)  # comms_timeout_s (2 s) passes: silent batteries, every output OFF
            noise0, noise_ref0 = d.schedstat_ns(), reference.schedstat_ns()
            lines = bus.run(noise_seconds, noise=True)
            noise1, noise_ref1 = d.schedstat_ns(), reference.schedstat_ns()
            d.check_alive()
            noise = {
                "lines": lines,
                "us_per_line": (noise1 - noise0) / 1e3 / max(lines, 1),
                "floor_us_per_line": None if noise_ref0 is None or noise_ref1 is None
                else (noise_ref1 - noise_ref0) / 1e3 / max(lines, 1),
            }
        reference.stop()
        rss_kb = int(d.status_field("VmHWM"))
        threads = int(d.status_field("Threads"))
        elapsed = wall1 - wall0

        # Bus idle: the batteries fall silent; after comms_timeout_s everything is OFF (a fault).
        time.sleep(3.0)
        d.drain_notifications()
        quiet_writes = d.new_line_writes()
        idle_start_notifications = len(d.notifications)
        v0, w0 = d.voluntary_switches(), time.monotonic()
        time.sleep(idle_seconds)
        v1, w1 = d.voluntary_switches(), time.monotonic()
        d.check_alive()
        d.drain_notifications()
        # Notifications received up to the second reading; the datagram of a ping sent just before
        # it may still be in flight, which moves the count by at most one.
        window = d.notifications[idle_start_notifications:]
        pings = sum(1 for _, text in window if text == "WATCHDOG=1")
        idle_writes = d.new_line_writes()
        idle_elapsed = w1 - w0
        return {
            "sentences": sent,
            "elapsed": elapsed,
            "cpu_stat_pct": 100.0 * (ticks1 - ticks0) / clock_ticks / elapsed,
            "cpu_sched_pct": 100.0 * (sched1 - sched0) / 1e9 / elapsed,
            "cpu_us_per_sentence": (sched1 - sched0) / 1e3 / max(sent, 1),
            "floor_pct": None if ref0 is None or ref1 is None else 100.0 * (ref1 - ref0) / 1e9 / elapsed,
            "floor_us_per_sentence": None if ref0 is None or ref1 is None else (ref1 - ref0) / 1e3 / max(sent, 1),
            "rss_mb": rss_kb / 1024.0,
            "threads": threads,
            "changes": changes,
            "noise": noise,
            "went_off": [w for w in quiet_writes if w[2] == "off"],
            "idle_seconds": idle_elapsed,
            "idle_switches": v1 - v0,
            "idle_pings": pings,
            "idle_writes": idle_writes,
        }
    finally:
        reference.stop()
        d.stop()


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    binary = sys.argv[1]
    transitions = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
    if transitions < 1:
        print("TRANSITIONS must be at least 1", file=sys.stderr)
        return 2
    short = transitions < 2000
    cuts = int(os.environ.get("CUTS", 3 if short else 20))
    load_seconds = float(os.environ.get("LOAD_SECONDS", 10 if short else 60))
    idle_seconds = float(os.environ.get("IDLE_SECONDS", 6 if short else 20))
    noise_seconds = float(os.environ.get("NOISE_SECONDS", 5 if short else 20))
    base = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None
    keep = os.environ.get("KEEP")
    folder = tempfile.mkdtemp(prefix="smallbmsd-reaction-", dir=base)
    try:
        print(f"daemon {binary}; work folder {folder} (tmpfs like /run when /dev/shm is usable); "
              f"flight recorder and history {'on' if RECORDING else 'off (RECORDING=0)'}")
        print(f"part 1: {transitions} transitions of the LED temp/OVP line (fault on, fault off), "
              f"{cuts} critical-floor LOAD cuts")
        led, cut, floor = measure_reaction(binary, folder, transitions, cuts)
        if not led and not cut:
            raise HarnessBroken("no transition was measured")

        def summary(values):
            ms = sorted(v / 1e6 for v in values)
            return ms, percentile(ms, 0.50), percentile(ms, 0.99), ms[-1]

        if cut:
            _, p50, p99, top = summary(cut)
            print(f"  critical-floor LOAD cuts: p50 {p50:.3f} ms p99 {p99:.3f} ms max {top:.3f} ms over {len(cut)}")
        if led:
            _, p50, p99, top = summary(led)
            print(f"  LED temp/OVP flips:       p50 {p50:.3f} ms p99 {p99:.3f} ms max {top:.3f} ms over {len(led)}")
        if floor:
            _, p50, p99, top = summary(floor)
            print(f"  machine floor (C reader, interleaved): p50 {p50:.3f} ms p99 {p99:.3f} ms max {top:.3f} ms "
                  f"over {len(floor)}: what this machine gives any reader at the same moments")
        else:
            print("  machine floor: not measured (no C compiler)")

        print(f"part 2: 20 batteries x 8 cells x 10 Hz for {load_seconds:.0f} s; part 2b: lines of noise for "
              f"{noise_seconds:.0f} s; part 3: bus idle for {idle_seconds:.0f} s")
        r = measure_load_and_idle(binary, folder, load_seconds, idle_seconds, noise_seconds)
        rate = r["sentences"] / r["elapsed"]
        print(f"  load: {r['sentences']} sentences in {r['elapsed']:.1f} s ({rate:.0f}/s), "
              f"output changes during it: {len(r['changes'])}")
        print(f"  CPU per second of run: {r['cpu_stat_pct']:.2f} % of one core (/proc/PID/stat utime+stime, "
              f"{os.sysconf('SC_CLK_TCK')} Hz ticks); {r['cpu_sched_pct']:.2f} % (schedstat, ns); "
              f"{r['cpu_us_per_sentence']:.1f} us per sentence   [budget < {BUDGET_CPU_PERCENT:g} %: "
              f"{'met' if r['cpu_sched_pct'] < BUDGET_CPU_PERCENT else 'MISSED'}]")
        if r["floor_pct"] is not None:
            print(f"  machine floor (C reader of the same bytes, same moments): {r['floor_pct']:.2f} % of one core, "
                  f"{r['floor_us_per_sentence']:.1f} us per sentence: a wake-up, poll and read, and nothing else")
        if r["noise"] is not None:
            n = r["noise"]
            against = "" if n["floor_us_per_line"] is None else (
                f" against the floor's {n['floor_us_per_line']:.1f} us ({n['us_per_line'] / n['floor_us_per_line']:.2f} x)")
            print(f"  the loop alone ({n['lines']} lines of noise, no reading; outputs OFF): {n['us_per_line']:.1f} us "
                  f"per line{against}; a reading adds {r['cpu_us_per_sentence'] - n['us_per_line']:.1f} us")
        print(f"  peak RSS (VmHWM): {r['rss_mb']:.1f} MB, threads: {r['threads']}   [budget < {BUDGET_RSS_MB:g} MB: "
              f"{'met' if r['rss_mb'] < BUDGET_RSS_MB else 'MISSED'}]")
        if len(r["went_off"]) == 0:
            print("  warning: the outputs did not go OFF when the bus fell silent")
        wakeups = r["idle_switches"] / r["idle_seconds"]
        # A ping sent just before the first reading is counted without its wake-up: never below 0.
        others = max(0, r["idle_switches"] - r["idle_pings"]) / r["idle_seconds"]
        print(f"  bus idle: {r['idle_switches']} voluntary context switches in {r['idle_seconds']:.1f} s "
              f"({wakeups:.2f}/s), {r['idle_pings']} of them watchdog pings (WATCHDOG_USEC={WATCHDOG_USEC}): "
              f"{others:.2f}/s besides the watchdog   [budget <= {BUDGET_IDLE_WAKEUPS:g}/s: "
              f"{'met' if others <= BUDGET_IDLE_WAKEUPS else 'MISSED'}]")
        all_values = led + cut
        _, p50, p99, top = summary(all_values)
        print(f"  reaction budget p99 < {BUDGET_REACTION_P99_MS:g} ms: {'met' if p99 < BUDGET_REACTION_P99_MS else 'MISSED'}")
        print(f"reaction p50 {p50:.3f} ms p99 {p99:.3f} ms max {top:.3f} ms over {len(all_values)} transitions")
        return 0
    except HarnessBroken as error:
        print(f"reaction.py: harness broken: {error}", file=sys.stderr)
        return 1
    finally:
        if keep:
            print(f"kept {folder}", file=sys.stderr)
        else:
            subprocess.run(["rm", "-rf", folder])


if __name__ == "__main__":
    sys.exit(main())
