/// A serial BMS protocol, as ``PollSession`` needs it: line speeds, a decoder and a poll cycle.
///
/// `JBD`, `JK` and `Daly` each provide one (`.jbd`, `.jk`, `.daly`).
public protocol PollProtocol: Sendable {
    /// The protocol's streaming decoder.
    associatedtype Decoder: FrameDecoder
    /// The protocol's poll cycle, fed the decoder's frames.
    associatedtype Cycle: PollCycle where Cycle.Frame == Decoder.Frame

    /// The name used in the configuration and the status file (`jbd`, `jk`, `daly`).
    var name: String { get }
    /// The line speed the BMS uses out of the box (8N1).
    var defaultBaud: Int { get }
    /// Every line speed this BMS can be set to; the configuration refuses others.
    var supportedBauds: [Int] { get }
    /// How long to wait for the answer to one request at `baud`: the transmission time of the
    /// longest answer plus the BMS's turnaround (each protocol argues its figure).
    func defaultReplyTimeout(baud: Int) -> Duration
    /// A decoder that has seen nothing.
    func makeDecoder() -> Decoder
    /// A new cycle, for a battery configured with `expectedCells` cells (used only to size
    /// waits; the reading always has the cells the BMS reports).
    func makeCycle(expectedCells: Int) -> Cycle
}
