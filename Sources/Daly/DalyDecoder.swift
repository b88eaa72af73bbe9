import SerialBMS

/// Turns the bytes of a Daly UART into checked 13-byte frames, whatever the chunking.
///
/// Checked: the length byte (always 0x08) at once, so a stray 0xA5 in noise is refused after
/// four bytes, then the sum8 of bytes 0 to 11.
public struct DalyDecoder: FrameDecoder {
    /// Every frame starts with 0xA5.
    public static let startByte: UInt8 = 0xA5
    /// The data length every frame states.
    public static let dataLength: UInt8 = 0x08

    private var scanner = FrameScanner(startByte: startByte, maxFrameLength: DalyFrame.length)

    /// A decoder that has seen nothing.
    public init() {}

    public var counters: FrameCounters { scanner.counters }
    public var heldByteCount: Int { scanner.heldByteCount }
    public mutating func reset() { scanner.reset() }

    public mutating func feed<C: Collection>(_ bytes: C, _ deliver: (DalyFrame) -> Void) where C.Element == UInt8 {
        scanner.feed(bytes, examine: Self.examine) { raw in
            deliver(DalyFrame(address: raw[1], command: raw[2], data: Array(raw[4..<12])))
        }
    }

    /// The sum of `bytes`, kept to 8 bits.
    public static func sum8<C: Collection>(_ bytes: C) -> UInt8 where C.Element == UInt8 {
        bytes.reduce(0) { $0 &+ $1 }
    }

    static func examine(_ held: [UInt8]) -> FrameCheck {
        guard held.count >= 4 else { return .needMore }
        guard held[3] == dataLength else { return .bad(.length) }
        guard held.count >= DalyFrame.length else { return .needMore }
        guard held[12] == sum8(held[0..<12]) else { return .bad(.checksum) }
        return .complete(length: DalyFrame.length)
    }
}
