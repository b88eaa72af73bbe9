/// Encodes JK B-series requests.
public enum JKRequest {
    /// "Read all" from the RS485/GPS port: `4E 57 00 13 00 00 00 00 06 03 00 00 00 00 00 00 68 00 00 01 29`
    /// (register 0x00 = every register).
    public static func readAll() -> [UInt8] {
        JKFrame(command: JKFrame.readAllCommand, source: JKFrame.hostSource, type: JKFrame.requestType, data: [0x00]).encoded
    }
}
