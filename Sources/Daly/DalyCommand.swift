/// Daly UART commands (registers) read by this project.
public enum DalyCommand {
    /// Pack voltage, current, state of charge.
    public static let packStatus: UInt8 = 0x90
    /// Highest and lowest cell with their numbers.
    public static let cellExtremes: UInt8 = 0x91
    /// Highest and lowest temperature with their sensors.
    public static let temperatureExtremes: UInt8 = 0x92
    /// State, charge and discharge MOSFETs, remaining capacity.
    public static let mosfetStatus: UInt8 = 0x93
    /// Cell count, NTC count, charger and load, DIO, cycles.
    public static let statusInfo: UInt8 = 0x94
    /// Cell voltages, three per frame.
    public static let cellVoltages: UInt8 = 0x95
    /// Temperatures, seven per frame.
    public static let temperatures: UInt8 = 0x96
    /// Balancing bits.
    public static let balanceState: UInt8 = 0x97
    /// Eight alarm bytes.
    public static let alarms: UInt8 = 0x98
}
