import BMSCore
import SerialBMS

/// One JBD poll: 0x03 (basic info: FETs, protections, temperatures), then 0x04 (cells).
///
/// Mapping (behaviour.md, `jbd` row): ATD = discharge FET on and none of the discharge-blocking
/// protection bits; ATC likewise for charge; PRE never (JBD has no pre-alarm of its own, so the
/// rules' own `prealarm_v` does that job). Temperatures are the NTCs of 0x03; cells those of 0x04,
/// as many as it sends.
public struct JBDCycle: PollCycle {
    private static let registers = [JBDRegister.basicInfo, JBDRegister.cellVoltages]
    private var index = -1
    /// What arrived in this cycle.
    public private(set) var basicInfo: JBDBasicInfo?
    /// What arrived in this cycle.
    public private(set) var cellVoltages: JBDCellVoltages?

    /// A cycle that has sent nothing.
    public init() {}

    public mutating func nextRequest() -> [UInt8]? {
        index += 1
        guard index < Self.registers.count else { return nil }
        return JBDRequest.read(Self.registers[index])
    }

    public mutating func take(_ frame: JBDFrame) -> FrameVerdict {
        guard index >= 0, index < Self.registers.count else { return .wrongRegister }
        let asked = Self.registers[index]
        switch frame {
        case .basicInfo(let info):
            guard asked == JBDRegister.basicInfo else { return .wrongRegister }
            basicInfo = info
            return .completes
        case .cellVoltages(let cells):
            guard asked == JBDRegister.cellVoltages else { return .wrongRegister }
            cellVoltages = cells
            return .completes
        case .reply(let register, _, _):
            // A refused read (status 0x80) of the register asked ends that request without data.
            return register == asked ? .invalid : .wrongRegister
        case .request:
            return .notAReply
        }
    }

    public mutating func requestTimedOut() {}

    public func reading(battery: Int) -> BatteryReading? {
        guard let basicInfo, let cellVoltages, !cellVoltages.cellMillivolts.isEmpty else { return nil }
        return BatteryReading(
            battery: battery,
            flags: BatteryFlags(allowsDischarge: basicInfo.allowsDischarge, allowsCharge: basicInfo.allowsCharge, raisesPrealarm: false),
            cellMillivolts: cellVoltages.cellMillivolts,
            temperatureDecicelsius: basicInfo.temperatureDecicelsius)
    }
}
