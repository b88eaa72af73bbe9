/// 0x98: eight alarm bytes. Byte 0: b0/b1 cell over-voltage level 1/2, b2/b3 cell under-voltage
/// level 1/2, b4/b5 pack over-voltage level 1/2, b6/b7 pack under-voltage level 1/2; byte 1:
/// temperature alarms; the rest current, SoC and hardware faults.
public struct DalyAlarms: Sendable, Hashable {
    /// The eight bytes as sent.
    public var bytes: [UInt8]

    /// From a frame's data.
    public init(data: [UInt8]) { bytes = DalyFrame(address: 0, command: 0, data: data).data }

    /// Byte 0 b2: cell under-voltage, level 1 (the early warning).
    public var cellUnderVoltageLevel1: Bool { bytes[0] & 0x04 != 0 }
    /// Byte 0 b6: pack under-voltage, level 1.
    public var packUnderVoltageLevel1: Bool { bytes[0] & 0x40 != 0 }
    /// PRE (behaviour.md, `daly` row): a level-1 cell or pack under-voltage alarm.
    public var raisesPrealarm: Bool { cellUnderVoltageLevel1 || packUnderVoltageLevel1 }
}
