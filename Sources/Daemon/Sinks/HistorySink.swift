import BMSCore
import Config
import Dispatch
import EdgeIO
import History

/// The history (`[history]`): every output change with its rule, battery and reason at once;
/// each day's cell and temperature extremes per battery and the time in each output state every
/// `flush_s`; the daemon's start, and its stop with the cause. SQLite (WAL) on a queue of its
/// own; a write that fails is said once in the journal, and protection goes on.
public final class HistorySink: DecisionSink {
    private var accumulator = HistoryAccumulator()
    private let worker: HistoryWorker
    private let log: any EventLog
    private let flushInterval: Duration
    private let wallClock: @Sendable () -> Double
    private let queue = DispatchQueue(label: "smallbmsd.history")
    private let writes = DispatchGroup()
    private let outcome = SinkWorkOutcome()
    private var failureReported = false
    private var started = false
    private var lastFlush = Instant.origin
    /// The UTC day readings are counted on, renewed at every refresh and change (not read from
    /// the clock per reading: a reading in the 5 s after midnight may count for the day before).
    private var epochDay: Int

    /// A history as `configuration` says, reporting to `log`; `wallClock` stamps the rows.
    public init(
        configuration: HistoryConfiguration, log: any EventLog,
        wallClock: @escaping @Sendable () -> Double = { SystemClock.wallClockSeconds() }
    ) {
        worker = HistoryWorker(path: configuration.path)
        self.log = log
        flushInterval = configuration.flushInterval
        self.wallClock = wallClock
        epochDay = HistoryAccumulator.epochDay(wallClock())
    }

    public func inputTaken(_ input: Controller.Input, at instant: Instant) {
        guard case .reading(let reading) = input else { return }
        accumulator.add(reading, epochDay: epochDay)
    }

    public func outputsChanged(_ changes: [OutputChange], _ daemon: any DaemonState) {
        let time = wallClock()
        epochDay = HistoryAccumulator.epochDay(time)
        startIfNeeded(daemon, at: time)
        accumulator.accrue(until: daemon.now.core, levels: daemon.levels, epochDay: epochDay)
        let rows = changes.map { change in
            RecordedChange(
                time: time, output: change.output.rawValue, state: change.state.rawValue,
                rule: change.reason.rule.rawValue, battery: change.reason.battery, reason: change.journalText)
        }
        perform { store throws(HardwareError) in try store.record(rows) }
    }

    public func heartbeat(_ daemon: any DaemonState) {
        let time = wallClock()
        epochDay = HistoryAccumulator.epochDay(time)
        startIfNeeded(daemon, at: time)
        accumulator.accrue(until: daemon.now.core, levels: daemon.levels, epochDay: epochDay)
        if daemon.now.core - lastFlush >= flushInterval { flush(at: time, now: daemon.now.core) }
        report()
    }

    public func stopped(_ daemon: any DaemonState) {
        let time = wallClock()
        startIfNeeded(daemon, at: time)
        accumulator.accrue(until: daemon.now.core, levels: .allOff, epochDay: HistoryAccumulator.epochDay(time))
        flush(at: time, now: daemon.now.core)
        let cause = daemon.exitCause ?? "stopped"
        perform { store throws(HardwareError) in try store.recordStop(at: time, cause: cause) }
        // The lines are already OFF and released: waiting here delays only the exit.
        _ = writes.wait(timeout: .now() + .seconds(5))
        report()
    }

    private func startIfNeeded(_ daemon: any DaemonState, at time: Double) {
        guard !started else { return }
        started = true
        lastFlush = daemon.now.core
        perform { store throws(HardwareError) in try store.recordStart(at: time) }
    }

    private func flush(at time: Double, now: Instant) {
        lastFlush = now
        let (extremes, stateTimes) = accumulator.drain()
        perform { store throws(HardwareError) in try store.flush(extremes: extremes, stateTimes: stateTimes, at: time) }
    }

    private func perform(_ work: @escaping @Sendable (HistoryStore) throws(HardwareError) -> Void) {
        let worker = worker
        let outcome = outcome
        queue.async(group: writes) { outcome.finished(failure: worker.run(work)) }
    }

    private func report() {
        let report = outcome.take()
        guard report.finishedAny else { return }
        if let failure = report.failure {
            if !failureReported {
                log.log(.warning, "\(failure); protection goes on, but the history misses what happens until it can write again")
                failureReported = true
            }
        } else if failureReported {
            log.log(.notice, "the history database \(worker.path) is writable again")
            failureReported = false
        }
    }
}

/// The history sink's database, touched only on the sink's queue (hence unchecked Sendable);
/// opened at first use and again after a failure to open.
final class HistoryWorker: @unchecked Sendable {
    let path: String
    private var store: HistoryStore?

    init(path: String) { self.path = path }

    /// Runs `work` on the open store; the error's text, or nil.
    func run(_ work: (HistoryStore) throws(HardwareError) -> Void) -> String? {
        do throws(HardwareError) {
            let open: HistoryStore
            if let store { open = store } else { open = try HistoryStore(path: path) }
            store = open
            try work(open)
            return nil
        } catch {
            return error.description
        }
    }
}
