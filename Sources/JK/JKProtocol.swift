import SerialBMS

/// The JK B-series "4E 57" protocol for ``PollSession``: `PollSession(protocol: .jk, ...)`.
public struct JKProtocol: PollProtocol {
    /// The RS485/GPS port runs at 115200 8N1, fixed.
    public static let baud = 115200
    /// The longest answer: a read-all reply of a 32-cell pack, 339 bytes (285 for 14 cells,
    /// 3 bytes a cell more).
    public static let longestReplyBytes = 339
    /// What a JK takes before it answers a read-all: it gathers every register first. Not
    /// measured here (no hardware); open decoders wait several hundred ms for the whole reply
    /// (dbus-serialbattery reads with a 0.5 s timeout), so 250 ms is allowed.
    public static let turnaround = Duration.milliseconds(250)

    /// The protocol.
    public init() {}

    public var name: String { "jk" }
    public var defaultBaud: Int { Self.baud }
    public var supportedBauds: [Int] { [Self.baud] }

    /// 339 bytes at 115200 baud take 30 ms (a ~300-byte reply ~26 ms), plus 250 ms: 280 ms,
    /// well inside a 1 s poll.
    public func defaultReplyTimeout(baud: Int) -> Duration {
        LineTiming.transmissionTime(bytes: Self.longestReplyBytes, baud: baud) + Self.turnaround
    }

    public func makeDecoder() -> JKDecoder { JKDecoder() }
    public func makeCycle(expectedCells _: Int) -> JKCycle { JKCycle() }
}

extension PollProtocol where Self == JKProtocol {
    /// The JK B-series "4E 57" protocol.
    public static var jk: JKProtocol { JKProtocol() }
}
