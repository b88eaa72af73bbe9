import Synchronization

/// What a sink's own queue reports back to the loop: the latest failure and what succeeded since
/// the loop last asked. The loop thread alone logs, so an ``EdgeIO/EventLog`` is never shared.
final class SinkWorkOutcome: Sendable {
    struct Report {
        /// The error of the latest piece of work, nil when it succeeded.
        var failure: String?
        /// Whether any work finished since the last ``take()``.
        var finishedAny = false
        /// Lines worth a journal line of their own (an incident written, files removed).
        var notes: [String] = []
    }

    private let state = Mutex(Report())

    /// Work finished: `failure` is its error, nil for success.
    func finished(failure: String?, notes: [String] = []) {
        state.withLock {
            $0.failure = failure
            $0.finishedAny = true
            $0.notes += notes
        }
    }

    /// Everything reported since the last call.
    func take() -> Report {
        state.withLock { report in
            let taken = report
            report.finishedAny = false
            report.notes = []
            return taken
        }
    }
}
