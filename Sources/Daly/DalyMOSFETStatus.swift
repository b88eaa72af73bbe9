/// 0x93: state, charge and discharge MOSFETs, BMS life, remaining capacity.
public struct DalyMOSFETStatus: Sendable, Hashable {
    /// 0 stationary, 1 charging, 2 discharging.
    public var state: Int
    /// The charge MOSFET is on.
    public var chargeMOSFETOn: Bool
    /// The discharge MOSFET is on.
    public var dischargeMOSFETOn: Bool
    /// BMS life counter (cycles of the BMS itself).
    public var bmsLife: Int
    /// Remaining capacity, mAh.
    public var remainingMilliampHours: Int

    /// From a frame's data.
    public init(data: [UInt8]) {
        let frame = DalyFrame(address: 0, command: 0, data: data)
        state = Int(frame.data[0])
        chargeMOSFETOn = frame.data[1] != 0
        dischargeMOSFETOn = frame.data[2] != 0
        bmsLife = Int(frame.data[3])
        remainingMilliampHours = frame.word(4) << 16 | frame.word(6)
    }

    /// A frame's data with these fields.
    public static func data(state: Int, chargeMOSFETOn: Bool, dischargeMOSFETOn: Bool, bmsLife: Int = 0, remainingMilliampHours: Int) -> [UInt8] {
        [UInt8(truncatingIfNeeded: state), chargeMOSFETOn ? 1 : 0, dischargeMOSFETOn ? 1 : 0, UInt8(truncatingIfNeeded: bmsLife)]
            + [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: remainingMilliampHours >> $0) }
    }
}
