import SerialBMS

/// The JBD / Xiaoxiang UART protocol for ``PollSession``: `PollSession(protocol: .jbd, ...)`.
public struct JBDProtocol: PollProtocol {
    /// A JBD's UART runs at 9600 8N1 and cannot be changed.
    public static let baud = 9600
    /// The longest answer: 0x04 of a 32-cell pack, 7 + 64 bytes (0x03 with 8 NTCs is 46).
    public static let longestReplyBytes = 7 + 2 * 32
    /// What a JBD takes to start answering. Measured replies start within about 50 ms; 150 ms
    /// leaves room for a USB-serial adapter's latency timer (16 ms) and a busy BMS.
    public static let turnaround = Duration.milliseconds(150)

    /// The protocol.
    public init() {}

    public var name: String { "jbd" }
    public var defaultBaud: Int { Self.baud }
    public var supportedBauds: [Int] { [Self.baud] }

    /// 71 bytes at 9600 baud take 74 ms, plus the 150 ms turnaround: 224 ms. Two requests then fit
    /// a 1 s poll even when both time out (448 ms).
    public func defaultReplyTimeout(baud: Int) -> Duration {
        LineTiming.transmissionTime(bytes: Self.longestReplyBytes, baud: baud) + Self.turnaround
    }

    public func makeDecoder() -> JBDDecoder { JBDDecoder() }
    public func makeCycle(expectedCells _: Int) -> JBDCycle { JBDCycle() }
}

extension PollProtocol where Self == JBDProtocol {
    /// The JBD / Xiaoxiang protocol.
    public static var jbd: JBDProtocol { JBDProtocol() }
}
