/// 0x90: pack voltage, acquisition voltage, current, state of charge.
public struct DalyPackStatus: Sendable, Hashable {
    /// Pack voltage, x 0.1 V.
    public var packDecivolts: Int
    /// Acquisition (gathered) voltage, x 0.1 V.
    public var acquisitionDecivolts: Int
    /// Current as sent: (raw - 30000) x 0.1 A.
    public var currentRaw: Int
    /// State of charge, x 0.1 %.
    public var stateOfChargePermille: Int

    /// From a frame's data.
    public init(data: [UInt8]) {
        let frame = DalyFrame(address: 0, command: 0, data: data)
        packDecivolts = frame.word(0)
        acquisitionDecivolts = frame.word(2)
        currentRaw = frame.word(4)
        stateOfChargePermille = frame.word(6)
    }

    /// Current x 0.1 A: raw minus the 30000 offset. The vectors' 16-cell pack shows +52.6 A
    /// while 0x93 says "discharging", so the sign's meaning varies with firmware; it is not used
    /// by the rules.
    public var currentDeciamps: Int { currentRaw - 30000 }
}
