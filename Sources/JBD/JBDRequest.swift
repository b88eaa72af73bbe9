/// Encodes JBD requests: `DD A5 <reg> 00 <chk hi> <chk lo> 77` for a read.
public enum JBDRequest {
    /// The read request for `register`.
    public static func read(_ register: UInt8) -> [UInt8] {
        frame(second: JBDDecoder.readMarker, third: register, data: [])
    }

    /// A reply frame as a JBD sends it (`DD <reg> <status> <len> <data> <chk> 77`), for the responder and tests.
    public static func reply(_ register: UInt8, status: UInt8 = 0x00, data: [UInt8]) -> [UInt8] {
        frame(second: register, third: status, data: data)
    }

    /// The checksum of a JBD frame: 0x10000 minus the sum of the bytes from the status (a reply)
    /// or register (a request) byte through the data, kept to 16 bits.
    public static func checksum<C: Collection>(_ covered: C) -> UInt16 where C.Element == UInt8 {
        var sum: UInt16 = 0
        for byte in covered { sum &+= UInt16(byte) }
        return 0 &- sum
    }

    /// `DD <second> <third> <len> <data> <chk> 77`; the checksum covers `third` through the data.
    private static func frame(second: UInt8, third: UInt8, data: [UInt8]) -> [UInt8] {
        precondition(data.count <= 255, "a JBD frame carries at most 255 data bytes")
        let covered = [third, UInt8(data.count)] + data
        let sum = checksum(covered)
        return [JBDDecoder.startByte, second] + covered + [UInt8(sum >> 8), UInt8(sum & 0xFF), JBDDecoder.endByte]
    }
}
