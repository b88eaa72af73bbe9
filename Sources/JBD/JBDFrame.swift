/// One checked JBD frame.
public enum JBDFrame: Sendable, Hashable {
    /// A 0x03 reply with status 0.
    case basicInfo(JBDBasicInfo)
    /// A 0x04 reply with status 0.
    case cellVoltages(JBDCellVoltages)
    /// A reply for another register, or one whose status is not 0 (0x80: the BMS refused the read).
    case reply(register: UInt8, status: UInt8, data: [UInt8])
    /// A request (`DD A5` read or `DD 5A` write): our own echo, or what a responder answers.
    case request(register: UInt8, write: Bool, data: [UInt8])
}
