/// The 16 protection bits of JBD register 0x03 (set = that protection is active).
public struct JBDProtection: OptionSet, Sendable, Hashable {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    /// b0 cell over-voltage.
    public static let cellOverVoltage = JBDProtection(rawValue: 1 << 0)
    /// b1 cell under-voltage.
    public static let cellUnderVoltage = JBDProtection(rawValue: 1 << 1)
    /// b2 pack over-voltage.
    public static let packOverVoltage = JBDProtection(rawValue: 1 << 2)
    /// b3 pack under-voltage.
    public static let packUnderVoltage = JBDProtection(rawValue: 1 << 3)
    /// b4 charge over-temperature.
    public static let chargeOverTemperature = JBDProtection(rawValue: 1 << 4)
    /// b5 charge under-temperature.
    public static let chargeUnderTemperature = JBDProtection(rawValue: 1 << 5)
    /// b6 discharge over-temperature.
    public static let dischargeOverTemperature = JBDProtection(rawValue: 1 << 6)
    /// b7 discharge under-temperature.
    public static let dischargeUnderTemperature = JBDProtection(rawValue: 1 << 7)
    /// b8 charge over-current.
    public static let chargeOverCurrent = JBDProtection(rawValue: 1 << 8)
    /// b9 discharge over-current.
    public static let dischargeOverCurrent = JBDProtection(rawValue: 1 << 9)
    /// b10 short circuit.
    public static let shortCircuit = JBDProtection(rawValue: 1 << 10)
    /// b11 front-end (AFE) error.
    public static let frontEndError = JBDProtection(rawValue: 1 << 11)
    /// b12 MOSFET software lock.
    public static let softwareLock = JBDProtection(rawValue: 1 << 12)

    /// The bits that clear ATD (behaviour.md, "Where readings come from", `jbd` row).
    public static let blocksDischarge: JBDProtection = [
        .cellUnderVoltage, .packUnderVoltage, .dischargeOverTemperature, .dischargeUnderTemperature,
        .dischargeOverCurrent, .shortCircuit, .frontEndError, .softwareLock,
    ]
    /// The bits that clear ATC (same table).
    public static let blocksCharge: JBDProtection = [
        .cellOverVoltage, .packOverVoltage, .chargeOverTemperature, .chargeUnderTemperature,
        .chargeOverCurrent, .frontEndError, .softwareLock,
    ]
}
