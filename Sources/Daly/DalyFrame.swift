/// One checked Daly frame: `A5 <address> <command> 08 <8 data bytes> <sum8>`.
public struct DalyFrame: Sendable, Hashable {
    /// Address of a request from a UART host.
    public static let hostAddress: UInt8 = 0x40
    /// Address of a reply from the BMS.
    public static let bmsAddress: UInt8 = 0x01
    /// Frames are 13 bytes.
    public static let length = 13

    /// Who sent it: 0x40 a UART host (0x80 a Bluetooth module), 0x01 the BMS.
    public var address: UInt8
    /// The command (register): 0x90 to 0x98.
    public var command: UInt8
    /// The eight data bytes.
    public var data: [UInt8]

    /// A frame; `data` is padded or cut to eight bytes.
    public init(address: UInt8, command: UInt8, data: [UInt8] = []) {
        self.address = address
        self.command = command
        self.data = Array((data + [UInt8](repeating: 0, count: 8)).prefix(8))
    }

    /// A request from a host (address 0x40 or above), not a BMS reply.
    public var isRequest: Bool { address >= Self.hostAddress }

    /// The frame as on the wire.
    public var encoded: [UInt8] {
        let body = [DalyDecoder.startByte, address, command, 0x08] + data
        return body + [DalyDecoder.sum8(body)]
    }

    /// The read request for `command`.
    public static func request(_ command: UInt8) -> [UInt8] {
        DalyFrame(address: hostAddress, command: command).encoded
    }

    func word(_ index: Int) -> Int { Int(data[index]) << 8 | Int(data[index + 1]) }
}
