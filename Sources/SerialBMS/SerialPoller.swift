import BMSCore

/// The shape of a polled serial battery link, whatever the protocol: lets an edge source keep
/// a `PollSession<JBDProtocol>`, `<JKProtocol>` or `<DalyProtocol>` as one `any SerialPoller`.
public protocol SerialPoller: Sendable {
    /// Runs what is due at `now` (a poll, a reply timeout, an abandoned cycle).
    mutating func advance(at now: Instant) -> PollOutput
    /// Takes bytes read from the UART at `now`; runs what was due first.
    mutating func receive(_ bytes: [UInt8], at now: Instant) -> PollOutput
    /// Forgets partial frames and the cycle in progress (the port was reopened); polls at the next step.
    mutating func reset()
    /// The next instant something is due: the next poll or the outstanding request's timeout.
    var nextDeadline: Instant { get }
    /// Running totals.
    var counters: PollCounters { get }
    /// How the BMS has been answering.
    var health: LinkHealth { get }
}
