import BMSCore
import Config
import Devices
import EdgeIO
import Pipeline
import Status
import Systemd
#if canImport(Glibc)
import Glibc
#endif

/// The run loop of `smallbmsd run`: an executor of the core's decisions, never a decider.
///
/// One thread and one `poll`: the sources' descriptors, signals and a stop request wake it, and
/// so do the core's next deadline, the sources' deadlines, the watchdog and the refresh. One data
/// path: source bytes -> decoder -> inputs -> controller (with `now`) -> decision -> lines, then
/// the sinks. The loop names no device and no sink: it holds a list of each. The watchdog is fed
/// from this loop only, so a hung loop starves it.
public final class Daemon: SourceContext, DaemonState {
    public internal(set) var configuration: Configuration
    let options: Options
    let clock: any DaemonClock
    let eventLog: any EventLog
    private(set) var sources: [any ReadingSource]
    private let sinks: [any DecisionSink]
    var controller: Controller
    private var outputs: (any OutputLines)?
    private var coreDeadline: Instant?
    private var merged = DecisionMerger()
    public private(set) var levels = OutputLevels.allOff
    // The loop's own timers in real (monotonic) nanoseconds, compared on every wake-up.
    private var watchdogPingNanoseconds: Int64?
    private var nextWatchdogNanoseconds: Int64 = 0
    private var nextHeartbeatNanoseconds: Int64 = 0
    private var hangAtNanoseconds: Int64?
    private var readySent = false
    private var exitStatus: Int32?
    public private(set) var exitCause: String?
    private(set) var startedAtReal: Duration = .zero
    private let stopPipe: (read: Int32, write: Int32)
    /// This turn's instant, read once after `poll` returned.
    public private(set) var now: DaemonInstant

    /// A daemon for `configuration` reading `sources` and telling `sinks`; nothing is opened until ``run()``.
    public init(
        configuration: Configuration, options: Options, log: any EventLog,
        sources: [any ReadingSource], sinks: [any DecisionSink]
    ) {
        self.configuration = configuration
        self.options = options
        clock = options.clock
        eventLog = log
        self.sources = sources
        self.sinks = sinks
        now = clock.instant()
        controller = Controller(settings: configuration.settings, start: now.core)
        stopPipe = (try? NonBlockingPipe.make(purpose: "the daemon's stop pipe")) ?? (-1, -1)
    }

    deinit {
        close(stopPipe.read)
        close(stopPipe.write)
    }

    /// A handle another thread can keep to stop the loop as SIGTERM would (the demo's bank feeder).
    public var stopHandle: StopHandle { StopHandle(descriptor: stopPipe.write) }

    // MARK: - Life cycle

    /// Runs until SIGTERM/SIGINT or a ``StopHandle``; returns the exit status (0 for a clean stop).
    public func run() -> Int32 {
        // What the loop waits on: the stop pipe, signals, then each source's descriptor by its index.
        let signals: SignalDescriptor?
        let descriptors: EventPoll
        do {
            signals = options.handlesSignals ? try SignalDescriptor() : nil
            descriptors = try EventPoll()
            try descriptors.watch(token: Self.stopToken, PollInterest(descriptor: stopPipe.read, events: Int16(POLLIN)))
            if let signals { try descriptors.watch(token: Self.signalToken, PollInterest(descriptor: signals.descriptor, events: Int16(POLLIN))) }
        } catch {
            eventLog.log(.error, "cannot set up signal handling and the event set: \(error)")
            return 1
        }
        eventLog.log(.notice, "starting: \(configuration.startupSummary)")
        do {
            let lines = try GPIO.open(configuration.gpio, remote: configuration.remote)
            outputs = lines.outputs
            if let remote = lines.remote { sources.insert(RemoteInputSource(remote: remote), at: 0) }
        } catch {
            eventLog.log(.error, "cannot hold the GPIO lines: \(error); every output stays OFF (released)")
            _ = ServiceManager.status("failed: \(error)")
            return 1
        }
        readClock()
        startedAtReal = now.real
        hangAtNanoseconds = options.hangLoopAfter.map { now.realNanoseconds &+ $0.nearestNanoseconds }
        controller = Controller(settings: configuration.settings, start: now.core)
        take(controller.evaluate(at: now.core))
        // Pinged at half the interval systemd gives.
        watchdogPingNanoseconds = ServiceManager.watchdogInterval.map { $0.nearestNanoseconds / 2 }
        for source in sources where exitStatus == nil {
            source.start(self)
            takeDelivered()
        }
        while exitStatus == nil {
            if !readySent, outputs != nil, sources.allSatisfy(\.isReady) {
                readySent = true
                _ = ServiceManager.ready()
                eventLog.log(.info, "ready: lines held, bus open")
            }
            waitAndServe(signals: signals, descriptors: descriptors)
        }
        shutDown()
        return exitStatus ?? 0
    }

    private func shutDown() {
        _ = ServiceManager.stopping()
        levels = .allOff
        for problem in outputs?.releaseSafely() ?? [] {
            eventLog.log(.error, "while driving the outputs OFF on the way out: \(problem)")
        }
        for source in sources { source.stop() }
        eventLog.log(.notice, "stopped: every output OFF and released", fields: ["STATE": "off"])
        for sink in sinks { sink.stopped(self) }
    }

    // MARK: - The loop

    private func waitAndServe(signals: SignalDescriptor?, descriptors: EventPoll) {
        do {
            for (index, source) in sources.enumerated() {
                try descriptors.watch(token: Self.firstSourceToken + index, source.pollInterest)
            }
            // At each refresh, in case a source closed and reopened a descriptor under the same number.
            if now.realNanoseconds >= nextHeartbeatNanoseconds { try descriptors.rewatchAll() }
        } catch {
            fail("cannot wait on the sources' devices: \(error)")
            return
        }
        let ready = descriptors.wait(timeoutMilliseconds: pollTimeoutMilliseconds())
        if ready < 0, errno != EINTR {
            fail("epoll_wait failed: \(String(cString: strerror(errno)))")
            return
        }
        readClock()
        if let hangAt = hangAtNanoseconds, now.realNanoseconds >= hangAt {
            eventLog.log(.warning, "test fault hook: the control loop blocks now (SMALLBMSD_TEST_HANG_LOOP_AFTER_S)")
            while true { pause() }
        }
        // A stop first, then signals (a reload), then the sources in the order the set gives them.
        var signalled = false
        for index in 0..<descriptors.readyCount {
            let token = descriptors.ready(index).token
            if token == Self.stopToken {
                try? NonBlockingPipe.drain(stopPipe.read)
                exitCause = exitCause ?? "stop requested"
                exitStatus = exitStatus ?? 0
                return
            }
            signalled = signalled || token == Self.signalToken
        }
        if let signals, signalled {
            for request in signals.read() {
                switch request {
                case .stop:
                    eventLog.log(.notice, "stop requested by signal")
                    exitCause = exitCause ?? "stop requested by signal"
                    exitStatus = exitStatus ?? 0
                case .reload:
                    reload()
                }
            }
            if exitStatus != nil { return }
        }
        for index in 0..<descriptors.readyCount {
            let (token, events) = descriptors.ready(index)
            guard token >= Self.firstSourceToken else { continue }
            sources[token - Self.firstSourceToken].serve(events: events, self)
            takeDelivered()
        }
        serveTimers()
    }

    private static let stopToken = 0
    private static let signalToken = 1
    private static let firstSourceToken = 2

    private func pollTimeoutMilliseconds() -> Int32 {
        let current = clock.instant()
        let realNow = current.realNanoseconds
        var wait = min(nextHeartbeatNanoseconds &- realNow, 60_000_000_000)
        if let deadline = coreDeadline {
            wait = min(wait, clock.realNanoseconds(forCore: deadline.nanoseconds(since: current.core)))
        }
        for source in sources { if let due = source.nextDeadline { wait = min(wait, due.nearestNanoseconds &- realNow) } }
        if watchdogPingNanoseconds != nil { wait = min(wait, nextWatchdogNanoseconds &- realNow) }
        if let hangAt = hangAtNanoseconds { wait = min(wait, hangAt &- realNow) }
        guard wait > 0 else { return 0 }
        // Round up: waking a millisecond early would only spin once more before the deadline.
        return Int32(clamping: (wait &+ 999_999) / 1_000_000)
    }

    private func serveTimers() {
        if let deadline = coreDeadline, deadline <= now.core {
            take(controller.evaluate(at: now.core))
        }
        for source in sources {
            guard let due = source.nextDeadline, due <= now.real else { continue }
            source.serveDeadline(self)
            takeDelivered()
        }
        if let ping = watchdogPingNanoseconds, now.realNanoseconds >= nextWatchdogNanoseconds {
            _ = ServiceManager.watchdog()
            nextWatchdogNanoseconds = now.realNanoseconds &+ ping
        }
        if now.realNanoseconds >= nextHeartbeatNanoseconds {
            nextHeartbeatNanoseconds = now.realNanoseconds &+ options.statusInterval.nearestNanoseconds
            for source in sources { source.heartbeat(self) }
            takeDelivered()
            for sink in sinks { sink.heartbeat(self) }
        }
    }

    private func readClock() { now = clock.instant() }

    // MARK: - Carrying out decisions

    /// The decision on what the sources delivered in this step, if they delivered anything.
    private func takeDelivered() {
        guard let decision = merged.decision else { return }
        merged.reset()
        take(decision)
    }

    func take(_ decision: Decision) {
        coreDeadline = decision.nextDeadline
        if !decision.changes.isEmpty {
            levels = decision.levels
            if let outputs {
                do {
                    try outputs.drive(decision.levels)
                    // Timed from the write, not the decision: see Controller.outputsApplied.
                    coreDeadline = controller.outputsApplied(decision.changes, at: clock.coreNow())
                } catch {
                    fail("cannot drive the output lines: \(error)")
                }
            }
            for sink in sinks { sink.outputsChanged(decision.changes, self) }
        }
        if !decision.notices.isEmpty {
            for sink in sinks { sink.noticed(decision.notices, self) }
        }
    }

    // MARK: - SourceContext and DaemonState

    public func deliver(_ input: Controller.Input) {
        for sink in sinks { sink.inputTaken(input, at: now.core) }
        merged.add(controller.handle(input, at: now.core))
    }

    public func log(_ priority: LogPriority, _ message: String, fields: [String: String]) {
        eventLog.log(priority, message, fields: fields)
    }

    /// A fatal error at an edge: log it, drive what can be driven OFF (at shutdown), exit non-zero.
    public func fail(_ message: String) {
        eventLog.log(.error, "\(message); driving every output OFF and exiting")
        exitCause = exitCause ?? message
        exitStatus = 1
    }
}
