import BMSCore
import BMSEngine
import Config
import Hardware
import M8Bus
import VEDirect
#if canImport(Glibc)
import Glibc
#endif

/// The run loop of `smallbmsd run`: an executor of the core's decisions, never a decider.
///
/// One thread and one `poll`: bytes from the UART, remote edges, signals and a stop request
/// wake it, and so do the core's next deadline, the watchdog and the status refresh. One data
/// path: bytes -> decoder -> controller (with `now`) -> decision -> lines, journal, status,
/// watchdog. The watchdog is fed from this loop only, so a hung loop starves it.
public final class Daemon {
    /// What the daemon runs with, beyond the config file.
    public struct Options: Sendable {
        /// The config file, re-read on SIGHUP; nil when there is none to re-read (demo).
        public var configPath: String?
        /// Where time comes from.
        public var clock: any DaemonClock = MonotonicClock()
        /// Handle SIGTERM, SIGINT and SIGHUP (off for an embedded run such as the demo's).
        public var handlesSignals = true
        /// Write the status file.
        public var writesStatus = true
        /// How often the status file is refreshed without a change (behaviour.md: at least every 5 s).
        public var statusInterval: Duration = .seconds(5)
        /// Test-only fault hook: block the loop forever after this much real time, to prove the
        /// watchdog starves (set from `SMALLBMSD_TEST_HANG_LOOP_AFTER_S`).
        public var hangLoopAfter: Duration?

        public init(configPath: String?) { self.configPath = configPath }
    }

    private var configuration: Configuration
    private let options: Options
    private let journal: any EventLog
    private weak var observer: (any DaemonObserver)?
    private var bus: BusController
    private var outputs: (any OutputLines)?
    private var remote: (any RemoteInput)?
    private var remoteOn = true
    private var serial: SerialPort?
    private var serialLink = Reconnection()
    /// The VE.Direct port of a SmartShunt or BMV (`[vedirect]`, rule 10), while open.
    private var monitor: SerialPort?
    private var monitorLink = Reconnection()
    private var monitorDecoder = VEDirectDecoder()
    /// When the last state of charge arrived (real time), and whether its silence was reported.
    private var lastStateOfChargeAt: Duration?
    private var stateOfChargeSilenceReported = false
    private var coreDeadline: Instant?
    private var levels = OutputLevels.allOff
    private var watchdogInterval: Duration?
    private var nextWatchdog: Duration = .zero
    private var nextStatus: Duration = .zero
    private var statusFailureReported = false
    private var readySent = false
    private var exitStatus: Int32?
    private var startedAtReal: Duration = .zero
    private let stopPipe: (read: Int32, write: Int32)
    /// The UART read buffer, made once: a new zero-filled 4 KB array on every wake-up (up to 200
    /// a second on a big bank) cost more than decoding the sentence in it.
    private var readBuffer = [UInt8](repeating: 0, count: 4096)
    /// What `poll` waits on, rebuilt on every turn of the loop in the same storage.
    private var descriptors: [pollfd] = []

    /// A daemon for `configuration`; nothing is opened until ``run()``.
    public init(configuration: Configuration, options: Options, journal: any EventLog, observer: (any DaemonObserver)? = nil) {
        self.configuration = configuration
        self.options = options
        self.journal = journal
        self.observer = observer
        bus = BusController(settings: configuration.settings, start: options.clock.coreNow())
        var fds: [Int32] = [-1, -1]
        _ = pipe(&fds)
        for fd in fds {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        }
        stopPipe = (fds[0], fds[1])
    }

    deinit {
        close(stopPipe.read)
        close(stopPipe.write)
    }

    /// Asks a running loop to stop as on SIGTERM; safe from any thread.
    public func requestStop() { stopHandle.requestStop() }

    /// A handle another thread can keep to stop the loop (the demo's bank feeder).
    public var stopHandle: StopHandle { StopHandle(descriptor: stopPipe.write) }

    // MARK: - Life cycle

    /// Runs until SIGTERM/SIGINT or ``requestStop()``; returns the exit status (0 for a clean stop).
    public func run() -> Int32 {
        let signals: SignalDescriptor?
        do {
            signals = options.handlesSignals ? try SignalDescriptor() : nil
        } catch {
            journal.log(.error, "cannot set up signal handling: \(error)")
            return 1
        }
        journal.log(.notice, "starting: \(configuration.settings.batteryCount) × \(configuration.settings.cellsPerBattery)-cell batteries on \(configuration.bus.device) at \(configuration.bus.baud) baud, GPIO chip \(configuration.gpio.chip)")

        do {
            let lines = try GPIO.open(configuration.gpio, remote: configuration.remote)
            outputs = lines.outputs
            remote = lines.remote
        } catch {
            journal.log(.error, "cannot hold the GPIO lines: \(error); every output stays OFF (released)")
            _ = ServiceManager.status("failed: \(error)")
            return 1
        }
        let start = options.clock.coreNow()
        startedAtReal = options.clock.realNow()
        bus = BusController(settings: configuration.settings, start: start)
        take(bus.evaluate(at: start))
        setUpRemote(at: start)
        watchdogInterval = ServiceManager.watchdogInterval
        openSerial()
        openMonitor()

        while exitStatus == nil {
            if !readySent, serial != nil, outputs != nil {
                readySent = true
                _ = ServiceManager.ready()
                journal.log(.info, "ready: lines held, bus open")
            }
            waitAndServe(signals: signals)
        }
        shutDown()
        return exitStatus ?? 0
    }

    private func setUpRemote(at now: Instant) {
        guard let remote else { return }
        do {
            let on = try remote.isOn()
            remoteOn = on
            journal.log(.info, "remote input is \(on ? "ON" : "OFF")", fields: ["REMOTE": on ? "on" : "off"])
            take(bus.handle(.remote(on: on), at: now))
        } catch {
            fail("cannot read the remote input: \(error)")
        }
    }

    private func shutDown() {
        _ = ServiceManager.stopping()
        levels = .allOff
        if let outputs {
            for problem in outputs.releaseSafely() {
                journal.log(.error, "while driving the outputs OFF on the way out: \(problem)")
            }
        }
        remote?.release()
        serial?.close()
        monitor?.close()
        journal.log(.notice, "stopped: every output OFF and released", fields: ["STATE": "off"])
        writeStatus(stopping: true)
        observer?.daemonDidStop()
    }

    /// A fatal error at an edge: log it, drive what can be driven OFF (at shutdown), exit non-zero.
    private func fail(_ message: String) {
        journal.log(.error, "\(message); driving every output OFF and exiting")
        exitStatus = 1
    }

    // MARK: - The loop

    private func waitAndServe(signals: SignalDescriptor?) {
        // Refilled in place: no allocation per wake-up.
        descriptors.removeAll(keepingCapacity: true)
        descriptors.append(pollfd(fd: stopPipe.read, events: Int16(POLLIN), revents: 0))
        if let signals { descriptors.append(pollfd(fd: signals.descriptor, events: Int16(POLLIN), revents: 0)) }
        let serialIndex = serial.map { descriptors.append(pollfd(fd: $0.descriptor, events: Int16(POLLIN), revents: 0)); return descriptors.count - 1 }
        let remoteIndex = remote.map { descriptors.append(pollfd(fd: $0.eventDescriptor, events: Int16(POLLIN), revents: 0)); return descriptors.count - 1 }
        let monitorIndex = monitor.map { descriptors.append(pollfd(fd: $0.descriptor, events: Int16(POLLIN), revents: 0)); return descriptors.count - 1 }

        let timeout = pollTimeoutMilliseconds()
        let ready = poll(&descriptors, nfds_t(descriptors.count), timeout)
        if ready < 0, errno != EINTR {
            fail("poll failed: \(String(cString: strerror(errno)))")
            return
        }
        if let hang = options.hangLoopAfter, options.clock.realNow() - startedAtReal >= hang {
            journal.log(.warning, "test fault hook: the control loop blocks now (SMALLBMSD_TEST_HANG_LOOP_AFTER_S)")
            while true { pause() }
        }

        if descriptors[0].revents != 0 {
            var sink = [UInt8](repeating: 0, count: 16)
            _ = read(stopPipe.read, &sink, sink.count)
            exitStatus = exitStatus ?? 0
            return
        }
        if let signals, descriptors[1].revents != 0 {
            for request in signals.read() {
                switch request {
                case .stop:
                    journal.log(.notice, "stop requested by signal")
                    exitStatus = exitStatus ?? 0
                case .reload:
                    reload()
                }
            }
            if exitStatus != nil { return }
        }
        if let serialIndex, descriptors[serialIndex].revents != 0 { readSerial() }
        if let remoteIndex, descriptors[remoteIndex].revents != 0 { readRemote() }
        if let monitorIndex, descriptors[monitorIndex].revents != 0 { readMonitor() }
        serveTimers()
    }

    private func pollTimeoutMilliseconds() -> Int32 {
        let clock = options.clock
        let realNow = clock.realNow()
        var wait: Duration = .seconds(60)
        if let deadline = coreDeadline {
            wait = min(wait, clock.realDuration(forCore: deadline - clock.coreNow()))
        }
        if serial == nil { wait = min(wait, serialLink.retryAt - realNow) }
        if configuration.vedirect != nil, monitor == nil { wait = min(wait, monitorLink.retryAt - realNow) }
        if watchdogInterval != nil { wait = min(wait, nextWatchdog - realNow) }
        if options.writesStatus { wait = min(wait, nextStatus - realNow) }
        if let hang = options.hangLoopAfter { wait = min(wait, startedAtReal + hang - realNow) }
        guard wait > .zero else { return 0 }
        // Round up: waking a millisecond early would only spin once more before the deadline.
        let milliseconds = (wait + .nanoseconds(999_999)).wholeMilliseconds
        return Int32(clamping: milliseconds)
    }

    private func serveTimers() {
        let now = options.clock.coreNow()
        if let deadline = coreDeadline, deadline <= now {
            take(bus.evaluate(at: now))
        }
        let realNow = options.clock.realNow()
        if serial == nil, realNow >= serialLink.retryAt { openSerial() }
        if configuration.vedirect != nil, monitor == nil, realNow >= monitorLink.retryAt { openMonitor() }
        if let interval = watchdogInterval, realNow >= nextWatchdog {
            _ = ServiceManager.watchdog()
            nextWatchdog = realNow + interval / 2
        }
        if options.writesStatus, realNow >= nextStatus {
            noticeStateOfChargeSilence(at: realNow)
            writeStatus()
            observer?.daemonHeartbeat(snapshot: bus.controller.snapshot(at: now), counters: bus.counters)
        }
    }

    // MARK: - Edges

    private func openSerial() {
        do {
            serial = try SerialPort(path: configuration.bus.device, baud: configuration.bus.baud)
            bus.resetDecoder()
            if serialLink.opened() {
                journal.log(.notice, "bus device \(configuration.bus.device) is back", fields: ["DEVICE": configuration.bus.device])
            }
        } catch {
            serial = nil
            if serialLink.failed(at: options.clock.realNow()) {
                journal.log(.error, "\(error); the batteries count as silent (LOAD and CHARGER OFF after comms_timeout_s), retrying until it is back", fields: ["DEVICE": configuration.bus.device])
            }
        }
    }

    /// Reads everything waiting on `port` into the one read buffer, handing each chunk to `consume`;
    /// returns the error that ended the port (close it and retry), or nil once nothing more waits.
    private func drain(_ port: SerialPort, _ consume: (UnsafeRawBufferPointer) -> Void) -> (any Error)? {
        while true {
            let count: Int
            do {
                count = try readBuffer.withUnsafeMutableBytes { buffer throws(HardwareError) in try port.read(into: buffer) }
            } catch {
                return error
            }
            if count == 0 { return nil }
            readBuffer.withUnsafeBytes { consume(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
            if count < readBuffer.count { return nil }
        }
    }

    private func readSerial() {
        guard let serial else { return }
        let lost = drain(serial) { bytes in take(bus.receive(bytes, at: options.clock.coreNow())) }
        guard let lost else { return }
        journal.log(.error, "bus device lost: \(lost); the batteries count as silent, retrying", fields: ["DEVICE": configuration.bus.device])
        _ = serialLink.failed(at: options.clock.realNow())
        serial.close()
        self.serial = nil
    }

    private func openMonitor() {
        guard let device = configuration.vedirect?.device else { return }
        do {
            monitor = try SerialPort(path: device, baud: VEDirectDecoder.baud, role: .batteryMonitor)
            monitorDecoder.reset()
            if monitorLink.opened() {
                journal.log(.notice, "VE.Direct monitor \(device) is back", fields: ["DEVICE": device])
            }
        } catch {
            monitor = nil
            if monitorLink.failed(at: options.clock.realNow()) {
                journal.log(.error, "VE.Direct monitor: \(error); the state-of-charge rule waits for it (the cell rules protect as ever), retrying", fields: ["DEVICE": device])
            }
        }
    }

    private func readMonitor() {
        guard let monitor, let device = configuration.vedirect?.device else { return }
        // Collected first and taken after: taking a decision writes the status file, which reads the
        // decoder's counters, and the decoder is busy inside `feed`.
        var percents: [Double] = []
        let lost = drain(monitor) { bytes in
            monitorDecoder.feed(bytes) { block in
                if let percent = block.stateOfChargePercent { percents.append(percent) }
            }
        }
        for percent in percents { stateOfChargeArrived(percent) }
        guard let lost else { return }
        journal.log(.error, "VE.Direct monitor lost: \(lost); the state-of-charge rule keeps its last value, retrying", fields: ["DEVICE": device])
        _ = monitorLink.failed(at: options.clock.realNow())
        monitor.close()
        self.monitor = nil
    }

    private func stateOfChargeArrived(_ percent: Double) {
        if lastStateOfChargeAt == nil || stateOfChargeSilenceReported {
            journal.log(.info, "VE.Direct monitor reports a state of charge: \(percentText(percent))", fields: ["RULE": Rule.stateOfCharge.rawValue])
        }
        lastStateOfChargeAt = options.clock.realNow()
        stateOfChargeSilenceReported = false
        take(bus.handle(.stateOfCharge(percent: percent), at: options.clock.coreNow()))
    }

    /// Says once when the monitor has sent no state of charge for a while (checked at each status
    /// refresh, so it costs no wake-up). The rule keeps the last value: a low one keeps LOAD off.
    private func noticeStateOfChargeSilence(at realNow: Duration) {
        guard configuration.vedirect != nil, !stateOfChargeSilenceReported else { return }
        let silentFor = realNow - (lastStateOfChargeAt ?? startedAtReal)
        guard silentFor >= Self.stateOfChargeSilence else { return }
        stateOfChargeSilenceReported = true
        let last = bus.controller.snapshot(at: options.clock.coreNow()).stateOfChargePercent
        journal.log(.warning, "VE.Direct monitor sent no state of charge for \(secondsText(silentFor)): the state-of-charge rule acts on \(last.map { "the last one, \(percentText($0))" } ?? "none until one arrives")", fields: ["RULE": Rule.stateOfCharge.rawValue])
    }

    /// A monitor sends a block a second; this long without a state of charge is worth saying.
    static let stateOfChargeSilence: Duration = .seconds(10)

    /// The remote input's descriptor turned readable: its debounced level may have changed
    /// (libgpiod 1 debounces in `DebouncedInput`, libgpiod 2 in the kernel).
    private func readRemote() {
        guard let remote else { return }
        do {
            try remote.drainEvents()
            let on = try remote.isOn()
            if on != remoteOn {
                remoteOn = on
                remoteChanged(to: on, at: options.clock.coreNow())
            }
        } catch {
            fail("cannot read the remote input: \(error)")
        }
    }

    private func remoteChanged(to on: Bool, at now: Instant) {
        journal.log(.notice, "remote input \(on ? "ON" : "OFF")", fields: ["REMOTE": on ? "on" : "off", "RULE": "remote"])
        take(bus.handle(.remote(on: on), at: now))
    }

    private func reload() {
        guard let path = options.configPath else { return }
        _ = ServiceManager.reloading()
        do {
            let fresh = try ConfigurationLoader.load(path: path)
            var restartNeeded: [String] = []
            if fresh.bus != configuration.bus { restartNeeded.append("[bus]") }
            if fresh.gpio != configuration.gpio { restartNeeded.append("[gpio]") }
            if fresh.remote != configuration.remote { restartNeeded.append("[remote]") }
            if fresh.statusPath != configuration.statusPath { restartNeeded.append("[status]") }
            if fresh.vedirect != configuration.vedirect { restartNeeded.append("[vedirect]") }
            bus.reconfigure(fresh.settings, at: options.clock.coreNow())
            configuration.settings = fresh.settings
            journal.log(.notice, "reloaded \(path): thresholds and timings in effect")
            if !restartNeeded.isEmpty {
                journal.log(.warning, "changes to \(restartNeeded.joined(separator: ", ")) take effect only after systemctl restart smallbmsd")
            }
            take(bus.evaluate(at: options.clock.coreNow()))
        } catch {
            journal.log(.error, "reload refused, the running config stays in effect: \(error)")
        }
        _ = ServiceManager.ready()
    }

    // MARK: - Carrying out decisions

    private func take(_ decision: Decision) {
        coreDeadline = decision.nextDeadline
        if !decision.changes.isEmpty {
            levels = decision.levels
            if let outputs {
                do {
                    try outputs.drive(decision.levels)
                    // Timed from the write, not the decision: see Controller.outputsApplied.
                    coreDeadline = bus.outputsApplied(decision.changes, at: options.clock.coreNow())
                } catch {
                    fail("cannot drive the output lines: \(error)")
                }
            }
            for change in decision.changes { logChange(change) }
            _ = ServiceManager.status(statusLine())
            writeStatus()
        }
        for notice in decision.notices {
            var fields: [String: String] = [:]
            if let battery = notice.battery { fields["BATTERY"] = String(battery) }
            journal.log(notice.severity == .warning ? .warning : .info, notice.text, fields: fields)
        }
        if !decision.changes.isEmpty || !decision.notices.isEmpty {
            observer?.daemon(didApply: decision, snapshot: bus.controller.snapshot(at: options.clock.coreNow()), counters: bus.counters)
        }
    }

    private func logChange(_ change: OutputChange) {
        var fields = [
            "OUTPUT": change.output.rawValue, "STATE": change.state.rawValue, "RULE": change.reason.rule.rawValue,
        ]
        if let battery = change.reason.battery { fields["BATTERY"] = String(battery) }
        if let cell = change.reason.cell { fields["CELL"] = String(cell) }
        let protective = change.state == .off && (change.output == .load || change.output == .charger)
            || change.state == .on && change.output == .prealarm
        journal.log(protective ? .warning : .notice, change.journalText, fields: fields)
    }

    /// The one-line summary systemd shows in `systemctl status`.
    private func statusLine() -> String {
        let outputsText = [Output.load, .charger, .prealarm].map { "\($0.displayName) \(levels[$0].rawValue)" }
        let snapshot = bus.controller.snapshot(at: options.clock.coreNow())
        let cells = snapshot.batteries.compactMap(\.reading).flatMap(\.cellMillivolts)
        var line = outputsText.joined(separator: ", ")
        if let low = cells.min(), let high = cells.max() {
            line += "; cells \(voltsText(millivolts: low))..\(voltsText(millivolts: high))"
        }
        if let fault = snapshot.fault { line += "; fault: \(fault.text)" }
        return line
    }

    private func writeStatus(stopping: Bool = false) {
        nextStatus = options.clock.realNow() + options.statusInterval
        guard options.writesStatus else { return }
        let now = options.clock.coreNow()
        let report = StatusReportBuilder.report(
            snapshot: bus.controller.snapshot(at: now), counters: bus.counters, configuration: configuration,
            busOpen: serial != nil, monitorCounters: monitorDecoder.counters, monitorOpen: monitor != nil, coreNow: now, uptime: options.clock.realNow() - startedAtReal,
            stopping: stopping)
        do {
            try StatusFile.write(report, to: configuration.statusPath)
            if statusFailureReported {
                journal.log(.notice, "status file \(configuration.statusPath) is writable again")
                statusFailureReported = false
            }
        } catch {
            if !statusFailureReported {
                journal.log(.warning, "\(error); protection goes on, but smallbmsd status shows stale data")
                statusFailureReported = true
            }
        }
    }
}

/// A way to stop a running ``Daemon`` from another thread.
public struct StopHandle: Sendable {
    let descriptor: Int32

    /// Stops the loop as SIGTERM would: every output OFF, lines released, `run()` returns 0.
    public func requestStop() {
        var byte: UInt8 = 1
        _ = write(descriptor, &byte, 1)
    }
}

/// Where the daemon's log lines go: the journal (or stderr), or the demo's view.
public protocol EventLog: AnyObject {
    /// One line with a priority and structured fields (`OUTPUT=load`, `STATE=off`, ...).
    func log(_ priority: Journal.Priority, _ message: String, fields: [String: String])
}

extension EventLog {
    /// One line without structured fields.
    func log(_ priority: Journal.Priority, _ message: String) { log(priority, message, fields: [:]) }
}

extension Journal: EventLog {}

/// Something that watches the daemon decide (the demo's live view).
public protocol DaemonObserver: AnyObject {
    /// A decision was carried out on the lines.
    func daemon(didApply decision: Decision, snapshot: ControllerSnapshot, counters: BusCounters)
    /// The periodic refresh (every status interval).
    func daemonHeartbeat(snapshot: ControllerSnapshot, counters: BusCounters)
    /// The daemon stopped and released its lines.
    func daemonDidStop()
}
