import BMSCore
import EdgeIO
import Status

/// The status file (`[status] path`), replaced atomically on every output change, at every
/// refresh and once more on the way out. A write that fails is said once (and its recovery once);
/// protection goes on either way.
public final class StatusFileSink: DecisionSink {
    private let path: String
    private let log: any EventLog
    private var failureReported = false

    /// A sink writing the status file at `path`, reporting its failures to `log`.
    public init(path: String, log: any EventLog) {
        self.path = path
        self.log = log
    }

    public func outputsChanged(_ changes: [OutputChange], _ daemon: any DaemonState) { write(daemon, stopping: false) }
    public func heartbeat(_ daemon: any DaemonState) { write(daemon, stopping: false) }
    public func stopped(_ daemon: any DaemonState) { write(daemon, stopping: true) }

    private func write(_ daemon: any DaemonState, stopping: Bool) {
        do {
            try StatusFile.write(daemon.statusReport(stopping: stopping), to: path)
            if failureReported {
                log.log(.notice, "status file \(path) is writable again")
                failureReported = false
            }
        } catch {
            if !failureReported {
                log.log(.warning, "\(error); protection goes on, but smallbmsd status shows stale data")
                failureReported = true
            }
        }
    }
}
