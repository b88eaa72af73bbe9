/// One checked JK B-series "4E 57" frame: `4E 57`, length (frame length - 2), terminal id,
/// command, source, type, data, record number, `68`, checksum (4 bytes: 00 00 and the 16-bit
/// sum of every byte before it).
public struct JKFrame: Sendable, Hashable {
    /// "Read all": the only command polled.
    public static let readAllCommand: UInt8 = 0x06
    /// Frame type of a read request; 0x01 is a reply, 0x02 an active upload.
    public static let requestType: UInt8 = 0x00
    /// Frame type of a reply.
    public static let replyType: UInt8 = 0x01
    /// Source byte of the BMS itself; a host sends 0x03 (PC / RS485).
    public static let bmsSource: UInt8 = 0x00
    /// Source byte of a host on the RS485/GPS port.
    public static let hostSource: UInt8 = 0x03

    /// The BMS's terminal id (0 on a single BMS).
    public var terminalID: UInt32
    /// Command byte.
    public var command: UInt8
    /// Who sent the frame (0 BMS, 1 Bluetooth, 2 GPS, 3 PC).
    public var source: UInt8
    /// 0 read request, 1 reply, 2 active upload.
    public var type: UInt8
    /// The register-tagged data.
    public var data: [UInt8]
    /// Record number.
    public var recordNumber: UInt32

    /// A frame.
    public init(terminalID: UInt32 = 0, command: UInt8, source: UInt8, type: UInt8, data: [UInt8], recordNumber: UInt32 = 0) {
        self.terminalID = terminalID
        self.command = command
        self.source = source
        self.type = type
        self.data = data
        self.recordNumber = recordNumber
    }

    /// A request from a host: not what a poller waits for.
    public var isRequest: Bool { type == Self.requestType }

    /// The data of a read-all reply, decoded; nil for another frame, or a reply whose fields do not fit.
    public var readAll: JKReadAll? {
        guard command == Self.readAllCommand, !isRequest else { return nil }
        return JKReadAll(data: data)
    }

    /// The frame as on the wire.
    public var encoded: [UInt8] {
        func bytes32(_ value: UInt32) -> [UInt8] { [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: value >> $0) } }
        let total = JKDecoder.overhead + data.count
        var frame: [UInt8] = [0x4E, 0x57, UInt8(truncatingIfNeeded: (total - 2) >> 8), UInt8(truncatingIfNeeded: total - 2)]
        frame += bytes32(terminalID) + [command, source, type] + data + bytes32(recordNumber) + [JKDecoder.endMarker]
        let sum = JKDecoder.checksum(frame)
        return frame + [0, 0, UInt8(sum >> 8), UInt8(sum & 0xFF)]
    }
}
