import BMSCore
import EdgeIO
import Status

/// Something that produces the rules' inputs: an M8 bus adapter, a VE.Direct monitor, a serial
/// BMS it polls, the batteries' Bluetooth readout, the remote input.
///
/// The daemon's loop holds a list of sources and knows none of them by name: it polls the
/// descriptor each one asks for, calls it when that descriptor is ready or its deadline is due,
/// and takes whatever inputs it delivered through the ``SourceContext`` (at once, in the same
/// turn of the loop). A new kind of device is a new conforming type, not an edit of the loop.
///
/// A source owns its device and its decoding: the pure part (bytes -> `Controller.Input`, an
/// ``Pipeline/InputDecoder``) and the edge part (the port, reconnection, counters). It never throws
/// into the loop: a lost device is retried by the source itself, and only a failure that leaves
/// the outputs unsafe to drive goes to ``SourceContext/fail(_:)``.
public protocol ReadingSource: AnyObject {
    /// How the journal names it: `bus`, `VE.Direct monitor`, `battery 3 (jbd)`.
    var name: String { get }
    /// Opens the device, before the loop starts; a device that is not there is retried later
    /// (by ``nextDeadline``), never fatal.
    func start(_ context: any SourceContext)
    /// The descriptor to poll and for which events (`POLLIN`, `POLLOUT` while bytes wait to be
    /// sent), or nil while the device is closed. Asked on every turn; an unchanged answer costs
    /// nothing. A source that closes its descriptor answers nil until it reopens one (a reopened
    /// number that was never seen closed is found again at the next refresh, within 5 s).
    var pollInterest: PollInterest? { get }
    /// `poll` reported `events` (revents) on the descriptor of ``pollInterest``.
    func serve(events: Int16, _ context: any SourceContext)
    /// The real (monotonic) time at which it next needs ``serveDeadline(_:)``: a reconnection
    /// attempt, the next poll of a BMS, a reply timeout. Nil when nothing is due.
    var nextDeadline: Duration? { get }
    /// The time given by ``nextDeadline`` has come.
    func serveDeadline(_ context: any SourceContext)
    /// Whether the daemon may tell systemd it is ready (READY=1): the bus adapter is open.
    /// Sources that do not gate readiness answer true.
    var isReady: Bool { get }
    /// The periodic status refresh (every few seconds): a moment to notice a silence without a
    /// wake-up of its own.
    func heartbeat(_ context: any SourceContext)
    /// Writes its part of the status file: its device, link state and counters.
    func report(into report: inout StatusReport, snapshot: ControllerSnapshot)
    /// Closes the device; the daemon is stopping.
    func stop()
}

extension ReadingSource {
    public var isReady: Bool { true }
    public func heartbeat(_ context: any SourceContext) {}
    public func report(into report: inout StatusReport, snapshot: ControllerSnapshot) {}
}
