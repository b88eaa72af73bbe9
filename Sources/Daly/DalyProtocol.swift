import SerialBMS

/// The Daly UART protocol for ``PollSession``: `PollSession(protocol: .daly, ...)`.
public struct DalyProtocol: PollProtocol {
    /// A Daly's UART runs at 9600 8N1.
    public static let baud = 9600
    /// The longest answer: 0x95 of a 48-cell pack, 16 frames of 13 bytes.
    public static let longestReplyBytes = 16 * DalyFrame.length
    /// What a Daly takes to start answering; as for JBD, 150 ms covers a slow BMS and a USB adapter's latency.
    public static let turnaround = Duration.milliseconds(150)

    /// The protocol.
    public init() {}

    public var name: String { "daly" }
    public var defaultBaud: Int { Self.baud }
    public var supportedBauds: [Int] { [Self.baud] }

    /// 208 bytes at 9600 baud take 217 ms, plus 150 ms: 367 ms for the 0x95 of 48 cells (a
    /// 16-cell pack's six frames take 82 ms). A healthy cycle of five requests takes about
    /// 5 x (14 ms + turnaround) plus the cells, well inside 1 s; one that keeps timing out is
    /// abandoned at the next poll.
    public func defaultReplyTimeout(baud: Int) -> Duration {
        LineTiming.transmissionTime(bytes: Self.longestReplyBytes, baud: baud) + Self.turnaround
    }

    public func makeDecoder() -> DalyDecoder { DalyDecoder() }
    public func makeCycle(expectedCells _: Int) -> DalyCycle { DalyCycle() }
}

extension PollProtocol where Self == DalyProtocol {
    /// The Daly UART protocol.
    public static var daly: DalyProtocol { DalyProtocol() }
}
