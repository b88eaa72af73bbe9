import BMSCore
import Dashboards
import Dispatch
import EdgeIO
import Status
import Synchronization

/// The Prometheus textfile (`[metrics] textfile`) for node_exporter's textfile collector, replaced
/// atomically (write, fsync, rename) at every status refresh and once more on the way out.
///
/// Unlike the status file (on /run, a tmpfs, where fsync costs nothing) this file lives on the SD
/// card, where an fsync can wait seconds behind other writes; the loop feeds the watchdog, so the
/// file is written on a queue of its own. The loop only takes the report (cheap) and leaves it in
/// a one-slot mailbox: a writer still busy with the previous file finds the newest report when it
/// is done, and reports never pile up. The writer leaves its outcome in the same mailbox and the
/// loop journals it at the next refresh: a failure once, its recovery once.
public final class PrometheusTextfileSink: DecisionSink {
    private let writer: Writer
    private let log: any EventLog
    private var failureReported = false

    /// A sink writing the textfile at `path`, reporting its failures to `log`.
    public init(path: String, log: any EventLog) {
        writer = Writer(path: path)
        self.log = log
    }

    public func heartbeat(_ daemon: any DaemonState) {
        journalOutcome()
        writer.post(daemon.statusReport(stopping: false), running: true)
    }

    /// The last file, saying every output is OFF and the daemon is not running; waited for
    /// (at most 2 s), since the process exits next.
    public func stopped(_ daemon: any DaemonState) {
        writer.post(daemon.statusReport(stopping: true), running: false)
        writer.waitUntilIdle(seconds: 2)
        journalOutcome()
    }

    private func journalOutcome() {
        switch writer.takeOutcome() {
        case nil:
            break
        case .some(nil):
            if failureReported {
                log.log(.notice, "Prometheus textfile \(writer.path) is writable again")
                failureReported = false
            }
        case .some(let problem?):
            if !failureReported {
                log.log(.warning, "\(problem); protection goes on, but Prometheus sees stale readings")
                failureReported = true
            }
        }
    }

    /// The queue's side: the mailbox and the writes. Shared with the queue, hence Sendable.
    private final class Writer: Sendable {
        let path: String
        private let queue = DispatchQueue(label: "smallbmsd.prometheus-textfile")
        private let mailbox = Mutex(Mailbox())

        private struct Mailbox {
            var pending: (report: StatusReport, running: Bool)?
            var writerScheduled = false
            /// The latest write's outcome not yet journalled: nil none, `.some(nil)` written, else the error.
            var outcome: String??
        }

        init(path: String) { self.path = path }

        func post(_ report: StatusReport, running: Bool) {
            let schedule = mailbox.withLock { box in
                box.pending = (report, running)
                defer { box.writerScheduled = true }
                return !box.writerScheduled
            }
            if schedule { queue.async { self.drain() } }
        }

        func takeOutcome() -> String?? {
            mailbox.withLock { box in
                defer { box.outcome = nil }
                return box.outcome
            }
        }

        func waitUntilIdle(seconds: Int) {
            let done = DispatchSemaphore(value: 0)
            queue.async { done.signal() }
            _ = done.wait(timeout: .now() + .seconds(seconds))
        }

        // On the queue: writes the newest report until none is waiting.
        private func drain() {
            while true {
                let next = mailbox.withLock { box in
                    defer { box.pending = nil }
                    if box.pending == nil { box.writerScheduled = false }
                    return box.pending
                }
                guard let next else { return }
                let outcome: String?
                do {
                    try AtomicFile.replace(
                        path, with: Array(PrometheusText.render(next.report, running: next.running).utf8),
                        what: "the Prometheus textfile",
                        permissionHint: "the smallbmsd user must be able to write in that folder, and the unit must list it in ReadWritePaths=")
                    outcome = nil
                } catch {
                    outcome = error.message
                }
                mailbox.withLock { $0.outcome = .some(outcome) }
            }
        }
    }
}
