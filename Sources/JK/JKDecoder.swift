import SerialBMS

/// Turns the bytes of a JK B-series RS485/GPS port into checked "4E 57" frames, whatever the chunking.
///
/// Checked: the second header byte (0x57), a length between the shortest frame (20 bytes, no
/// data) and ``maxFrameLength``, the end marker 0x68 five bytes before the end, and the 16-bit
/// sum. A read-all reply whose fields do not fit its data (a field running past the end, a cell
/// block that is not whole cells) is a bad length.
public struct JKDecoder: FrameDecoder {
    /// Every frame starts with 0x4E ('N').
    public static let startByte: UInt8 = 0x4E
    /// The second byte, 0x57 ('W').
    public static let secondByte: UInt8 = 0x57
    /// The byte before the checksum.
    public static let endMarker: UInt8 = 0x68
    /// Bytes of a frame besides its data: header 2, length 2, terminal 4, command, source, type,
    /// record 4, end marker, checksum 4.
    public static let overhead = 20
    /// A read-all reply of 14 cells is 285 bytes; 32 cells would be 339. 512 leaves room for
    /// firmware that appends fields, and still bounds what a false start can hold.
    public static let maxFrameLength = 512

    private var scanner = FrameScanner(startByte: startByte, maxFrameLength: maxFrameLength)

    /// A decoder that has seen nothing.
    public init() {}

    public var counters: FrameCounters { scanner.counters }
    public var heldByteCount: Int { scanner.heldByteCount }
    public mutating func reset() { scanner.reset() }

    public mutating func feed<C: Collection>(_ bytes: C, _ deliver: (JKFrame) -> Void) where C.Element == UInt8 {
        var refused = 0
        scanner.feed(bytes, examine: Self.examine) { raw in
            let frame = Self.typed(raw)
            if frame.command == JKFrame.readAllCommand, !frame.isRequest, frame.readAll == nil {
                refused += 1
            } else {
                deliver(frame)
            }
        }
        for _ in 0..<refused { scanner.refuseDelivered(.length) }
    }

    /// The 16-bit sum of `bytes`.
    public static func checksum<C: Collection>(_ bytes: C) -> UInt16 where C.Element == UInt8 {
        var sum: UInt16 = 0
        for byte in bytes { sum &+= UInt16(byte) }
        return sum
    }

    static func examine(_ held: [UInt8]) -> FrameCheck {
        guard held.count >= 2 else { return .needMore }
        guard held[1] == secondByte else { return .bad(.framing) }
        guard held.count >= 4 else { return .needMore }
        let total = (Int(held[2]) << 8 | Int(held[3])) + 2
        guard total >= overhead, total <= maxFrameLength else { return .bad(.length) }
        guard held.count >= total else { return .needMore }
        guard held[total - 5] == endMarker else { return .bad(.framing) }
        let sent = UInt16(held[total - 2]) << 8 | UInt16(held[total - 1])
        guard sent == checksum(held[0..<(total - 4)]) else { return .bad(.checksum) }
        return .complete(length: total)
    }

    static func typed(_ raw: [UInt8]) -> JKFrame {
        func bytes32(_ index: Int) -> UInt32 { raw[index..<(index + 4)].reduce(0) { $0 << 8 | UInt32($1) } }
        return JKFrame(
            terminalID: bytes32(4), command: raw[8], source: raw[9], type: raw[10],
            data: Array(raw[11..<(raw.count - 9)]), recordNumber: bytes32(raw.count - 9))
    }
}
