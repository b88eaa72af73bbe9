import BMSCore
import Status

/// What a ``DecisionSink`` may read of the running daemon. Each value is made when asked for,
/// so a sink that needs none of them costs the loop nothing.
public protocol DaemonState: AnyObject {
    /// The levels now on the lines.
    var levels: OutputLevels { get }
    /// What the rules see now.
    func snapshot() -> ControllerSnapshot
    /// The whole status report: outputs, batteries, every source's link and counters.
    /// `stopping` reports every output OFF and released.
    func statusReport(stopping: Bool) -> StatusReport
}
