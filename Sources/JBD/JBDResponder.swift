import SerialBMS

/// A simulated JBD: answers read requests for 0x03 and 0x04 from its pack, ignores garbage,
/// writes and registers it does not have (a real JBD then stays silent or refuses; silence is
/// the harder case for the poller).
public struct JBDResponder: BMSResponder {
    public var pack: SimulatedPack
    /// Protection bits reported in 0x03 (the pack's MOSFET state is reported as is beside them).
    public var protection: JBDProtection = []
    /// State of charge reported, %.
    public var stateOfChargePercent = 80
    /// Current reported, x 0.01 A.
    public var currentCentiamps = 0
    private var decoder = JBDDecoder()

    /// A JBD reporting `pack`.
    public init(pack: SimulatedPack) { self.pack = pack }

    public mutating func receive<C: Collection>(_ bytes: C) -> [UInt8] where C.Element == UInt8 {
        var requests: [UInt8] = []
        decoder.feed(bytes) { frame in
            if case .request(let register, false, _) = frame { requests.append(register) }
        }
        return requests.flatMap { reply(to: $0) }
    }

    /// The reply bytes for a read of `register`, empty for a register it does not have.
    public func reply(to register: UInt8) -> [UInt8] {
        switch register {
        case JBDRegister.basicInfo: return JBDRequest.reply(register, data: basicInfo.data)
        case JBDRegister.cellVoltages: return JBDRequest.reply(register, data: JBDCellVoltages(cellMillivolts: pack.cellMillivolts).data)
        default: return []
        }
    }

    /// The 0x03 content for the current pack.
    public var basicInfo: JBDBasicInfo {
        JBDBasicInfo(
            packCentivolts: pack.packMillivolts / 10, currentCentiamps: currentCentiamps,
            remainingCentiampHours: 8000, nominalCentiampHours: 10000, cycles: 12,
            productionDateRaw: (24 << 9) | (5 << 5) | 17, balanceBits: 0, protection: protection,
            softwareVersion: 0x80, stateOfChargePercent: stateOfChargePercent,
            fetBits: (pack.chargeEnabled ? 0x01 : 0) | (pack.dischargeEnabled ? 0x02 : 0),
            cellCount: pack.cellMillivolts.count,
            ntcDecikelvin: pack.temperatureDecicelsius.map { min(max($0 + 2731, 0), 0xFFFF) })
    }
}
