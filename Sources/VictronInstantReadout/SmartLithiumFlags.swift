/// The 32 BMS flags of a Smart Lithium record (bits 0-31), named as Victron's format lists them.
public struct SmartLithiumFlags: OptionSet, Sendable, Hashable {
    /// The flags as sent.
    public var rawValue: UInt32

    /// Flags from their raw 32 bits.
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// Bit 9.
    public static let highVoltageAlarm = SmartLithiumFlags(rawValue: 1 << 9)
    /// Bit 10.
    public static let highVoltageWarning = SmartLithiumFlags(rawValue: 1 << 10)
    /// Bit 11.
    public static let lowVoltageAlarm = SmartLithiumFlags(rawValue: 1 << 11)
    /// Bit 12: the battery's pre-alarm (the PRE signal).
    public static let lowVoltageWarning = SmartLithiumFlags(rawValue: 1 << 12)
    /// Bit 15.
    public static let highTemperatureAlarm = SmartLithiumFlags(rawValue: 1 << 15)
    /// Bit 16.
    public static let highTemperatureWarning = SmartLithiumFlags(rawValue: 1 << 16)
    /// Bit 22.
    public static let lowTemperature = SmartLithiumFlags(rawValue: 1 << 22)
    /// Bit 24.
    public static let internalFailure = SmartLithiumFlags(rawValue: 1 << 24)
    /// Bit 25: the battery allows charging (the ATC signal).
    public static let allowedToCharge = SmartLithiumFlags(rawValue: 1 << 25)
    /// Bit 26: the battery allows discharging (the ATD signal).
    public static let allowedToDischarge = SmartLithiumFlags(rawValue: 1 << 26)
    /// Bit 28.
    public static let contactor = SmartLithiumFlags(rawValue: 1 << 28)
    /// Bit 29.
    public static let highCurrent = SmartLithiumFlags(rawValue: 1 << 29)
    /// Bit 30.
    public static let cellImbalance = SmartLithiumFlags(rawValue: 1 << 30)
}
