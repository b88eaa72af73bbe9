/// JBD / Xiaoxiang registers this project reads.
public enum JBDRegister {
    /// Basic information: pack voltage, current, capacities, protection and FET bits, NTC temperatures.
    public static let basicInfo: UInt8 = 0x03
    /// Cell voltages, uint16 mV each.
    public static let cellVoltages: UInt8 = 0x04
}
