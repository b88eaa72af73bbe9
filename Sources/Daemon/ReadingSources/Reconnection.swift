/// The back-off of a serial device that may vanish and come back (a USB adapter unplugged):
/// retries from 0.5 s, doubling up to 5 s, and tells its caller to report an outage once.
struct Reconnection: Sendable {
    static let firstBackoff: Duration = .milliseconds(500)
    static let longestBackoff: Duration = .seconds(5)

    /// When to try opening the device again (real time), while it is closed.
    private(set) var retryAt: Duration = .zero
    private var backoff = Reconnection.firstBackoff
    private var outageReported = false

    /// The device opened; returns whether an outage had been reported (so the caller says it is back).
    mutating func opened() -> Bool {
        backoff = Self.firstBackoff
        defer { outageReported = false }
        return outageReported
    }

    /// Opening or reading failed at `now`; returns whether this outage is new (so the caller says so once).
    mutating func failed(at now: Duration) -> Bool {
        retryAt = now + backoff
        backoff = min(backoff * 2, Self.longestBackoff)
        defer { outageReported = true }
        return !outageReported
    }
}
