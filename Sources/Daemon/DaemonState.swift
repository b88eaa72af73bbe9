import BMSCore
import Config
import Status

/// What a ``DecisionSink`` may read of the running daemon. Each value is made when asked for,
/// so a sink that needs none of them costs the loop nothing.
public protocol DaemonState: AnyObject {
    /// The levels now on the lines.
    var levels: OutputLevels { get }
    /// This turn of the loop's instant (real and core time).
    var now: DaemonInstant { get }
    /// The configuration in effect (thresholds change on a reload).
    var configuration: Configuration { get }
    /// What the rules see now.
    func snapshot() -> ControllerSnapshot
    /// The whole status report: outputs, batteries, every source's link and counters.
    /// `stopping` reports every output OFF and released.
    func statusReport(stopping: Bool) -> StatusReport
    /// Why the daemon is stopping, once it is (`stop requested by signal`, or the fatal error
    /// that stopped it); nil while it runs. The history records it with the run.
    var exitCause: String? { get }
}
