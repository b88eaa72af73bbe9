import SerialBMS

/// Turns the bytes of a JBD UART into checked frames, whatever the chunking.
///
/// Reply `DD <reg> <status> <len> <data> <chk hi> <chk lo> 77`, request `DD A5|5A <reg> <len> <data>
/// <chk> 77`; the checksum is 0x10000 minus the sum of bytes 2 through the data. A reply's status is
/// 0x00 (ok) or 0x80 (error): any other byte there is a false start, refused at once so that a
/// stray 0xDD in noise does not hold back the real reply behind it. 0x03 and 0x04 replies are also
/// checked for their content's length (``JBDBasicInfo/init(data:)``, ``JBDCellVoltages/init(data:)``).
public struct JBDDecoder: FrameDecoder {
    /// Every frame starts with 0xDD.
    public static let startByte: UInt8 = 0xDD
    /// Every frame ends with 0x77.
    public static let endByte: UInt8 = 0x77
    /// The second byte of a read request.
    public static let readMarker: UInt8 = 0xA5
    /// The second byte of a write request.
    public static let writeMarker: UInt8 = 0x5A
    /// Start, second byte, status or register, length, up to 255 data bytes, checksum, end.
    public static let maxFrameLength = 7 + 255

    private var scanner = FrameScanner(startByte: startByte, maxFrameLength: maxFrameLength)

    /// A decoder that has seen nothing.
    public init() {}

    public var counters: FrameCounters { scanner.counters }
    public var heldByteCount: Int { scanner.heldByteCount }
    public mutating func reset() { scanner.reset() }

    public mutating func feed<C: Collection>(_ bytes: C, _ deliver: (JBDFrame) -> Void) where C.Element == UInt8 {
        var refused: [FrameFault] = []
        scanner.feed(bytes, examine: Self.examine) { frame in
            if let typed = Self.typed(frame) { deliver(typed) } else { refused.append(.length) }
        }
        for fault in refused { scanner.refuseDelivered(fault) }
    }

    /// The framing rules, on the bytes held from a 0xDD on.
    static func examine(_ held: [UInt8]) -> FrameCheck {
        guard held.count >= 3 else { return .needMore }
        let isRequest = held[1] == readMarker || held[1] == writeMarker
        if !isRequest, held[2] != 0x00, held[2] != 0x80 { return .bad(.framing) }
        guard held.count >= 4 else { return .needMore }
        let length = Int(held[3])
        let total = 7 + length
        guard held.count >= total else { return .needMore }
        guard held[total - 1] == endByte else { return .bad(.framing) }
        let sent = UInt16(held[total - 3]) << 8 | UInt16(held[total - 2])
        guard sent == JBDRequest.checksum(held[2..<(4 + length)]) else { return .bad(.checksum) }
        return .complete(length: total)
    }

    /// A checked frame, typed; nil when a 0x03 or 0x04 reply's content does not fit its length.
    static func typed(_ frame: [UInt8]) -> JBDFrame? {
        let data = Array(frame[4..<(frame.count - 3)])
        if frame[1] == readMarker || frame[1] == writeMarker {
            return .request(register: frame[2], write: frame[1] == writeMarker, data: data)
        }
        let register = frame[1], status = frame[2]
        guard status == 0x00 else { return .reply(register: register, status: status, data: data) }
        switch register {
        case JBDRegister.basicInfo: return JBDBasicInfo(data: data).map(JBDFrame.basicInfo)
        case JBDRegister.cellVoltages: return JBDCellVoltages(data: data).map(JBDFrame.cellVoltages)
        default: return .reply(register: register, status: status, data: data)
        }
    }
}
