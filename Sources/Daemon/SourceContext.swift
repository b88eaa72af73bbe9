import BMSCore
import EdgeIO

/// What a ``ReadingSource`` may do with the daemon: hand over inputs, log, read the time.
public protocol SourceContext: AnyObject {
    /// The instant of this turn of the loop, read once after `poll` returned: inputs delivered
    /// now are taken at this core instant.
    var now: DaemonInstant { get }
    /// Hands one input to the rules; the decision is carried out (lines, then sinks) as soon as
    /// the source returns to the loop, in the same turn.
    func deliver(_ input: Controller.Input)
    /// One journal line.
    func log(_ priority: LogPriority, _ message: String, fields: [String: String])
    /// What the rules see now (for a message that quotes the last state of charge, say).
    func snapshot() -> ControllerSnapshot
    /// A failure that leaves the outputs unsafe to drive: every output OFF, the daemon exits 1.
    func fail(_ message: String)
}

/// One reading of the daemon's clock: real (monotonic) time for waits and deadlines, core time
/// for the rules.
public struct DaemonInstant: Sendable, Hashable {
    /// Monotonic time since an arbitrary fixed point, in nanoseconds: what the loop's own timers
    /// compare on every wake-up (one Int64, where `Duration` arithmetic is 128-bit runtime calls).
    public var realNanoseconds: Int64
    /// The rules' time line.
    public var core: Instant

    /// Monotonic time since an arbitrary fixed point (the sources' reconnect and poll timers).
    public var real: Duration {
        Duration(secondsComponent: realNanoseconds / 1_000_000_000,
                 attosecondsComponent: (realNanoseconds % 1_000_000_000) * 1_000_000_000)
    }

    public init(real: Duration, core: Instant) {
        self.init(realNanoseconds: real.nearestNanoseconds, core: core)
    }

    public init(realNanoseconds: Int64, core: Instant) {
        self.realNanoseconds = realNanoseconds
        self.core = core
    }
}
