import BMSCore
import SerialBMS

/// One Daly poll: 0x94 (how many cells and sensors), 0x95 (the cells, three a frame), 0x96 (the
/// temperatures, seven a frame), 0x93 (MOSFETs), 0x98 (alarms). 0x90-0x92 and 0x97 are not needed
/// for a reading and are not polled: each request costs a turnaround.
///
/// Mapping (behaviour.md, `daly` row): ATD = discharge MOSFET on, ATC = charge MOSFET on,
/// PRE = alarm byte 0 level-1 cell or pack under-voltage. The reading has the cells 0x94 states,
/// from exactly that many 0x95 frames; a frame number out of range or twice makes the reply invalid.
public struct DalyCycle: PollCycle {
    private static let plan = [DalyCommand.statusInfo, DalyCommand.cellVoltages, DalyCommand.temperatures, DalyCommand.mosfetStatus, DalyCommand.alarms]
    private var step = -1
    /// What arrived in this cycle.
    public private(set) var statusInfo: DalyStatusInfo?
    /// What arrived in this cycle.
    public private(set) var mosfetStatus: DalyMOSFETStatus?
    /// What arrived in this cycle.
    public private(set) var alarms: DalyAlarms?
    /// 0x95 frames by number.
    public private(set) var cellFrames: [Int: DalyCellVoltageFrame] = [:]
    /// 0x96 frames by number.
    public private(set) var temperatureFrames: [Int: DalyTemperatureFrame] = [:]

    /// A cycle that has sent nothing.
    public init() {}

    private var asked: UInt8? { step >= 0 && step < Self.plan.count ? Self.plan[step] : nil }

    public mutating func nextRequest() -> [UInt8]? {
        while true {
            step += 1
            guard let command = asked else { return nil }
            switch command {
            case DalyCommand.cellVoltages:
                // Without 0x94 the number of frames to wait for is unknown.
                guard let info = statusInfo, info.cellFrameCount > 0 else { continue }
            case DalyCommand.temperatures:
                guard let info = statusInfo, info.temperatureFrameCount > 0 else { continue }
            default:
                break
            }
            return DalyFrame.request(command)
        }
    }

    public mutating func take(_ frame: DalyFrame) -> FrameVerdict {
        if frame.isRequest { return .notAReply }
        guard let command = asked, frame.command == command else { return .wrongRegister }
        switch command {
        case DalyCommand.statusInfo:
            statusInfo = DalyStatusInfo(data: frame.data)
            return .completes
        case DalyCommand.cellVoltages:
            let part = DalyCellVoltageFrame(data: frame.data)
            let count = statusInfo?.cellFrameCount ?? 0
            guard (1...max(count, 1)).contains(part.number), count > 0, cellFrames[part.number] == nil else { return .invalid }
            cellFrames[part.number] = part
            return cellFrames.count == count ? .completes : .needsMore
        case DalyCommand.temperatures:
            let part = DalyTemperatureFrame(data: frame.data)
            let count = statusInfo?.temperatureFrameCount ?? 0
            guard (1...max(count, 1)).contains(part.number), count > 0, temperatureFrames[part.number] == nil else { return .invalid }
            temperatureFrames[part.number] = part
            return temperatureFrames.count == count ? .completes : .needsMore
        case DalyCommand.mosfetStatus:
            mosfetStatus = DalyMOSFETStatus(data: frame.data)
            return .completes
        default:
            alarms = DalyAlarms(data: frame.data)
            return .completes
        }
    }

    public mutating func requestTimedOut() {}

    public func reading(battery: Int) -> BatteryReading? {
        guard let statusInfo, let mosfetStatus, let alarms, statusInfo.cellCount > 0,
              cellFrames.count == statusInfo.cellFrameCount, temperatureFrames.count == statusInfo.temperatureFrameCount
        else { return nil }
        let cells = (1...statusInfo.cellFrameCount).flatMap { cellFrames[$0]?.cellMillivolts ?? [] }
        let temperatures = statusInfo.temperatureFrameCount == 0 ? [] : (1...statusInfo.temperatureFrameCount).flatMap { temperatureFrames[$0]?.celsius ?? [] }
        return BatteryReading(
            battery: battery,
            flags: BatteryFlags(allowsDischarge: mosfetStatus.dischargeMOSFETOn, allowsCharge: mosfetStatus.chargeMOSFETOn, raisesPrealarm: alarms.raisesPrealarm),
            cellMillivolts: Array(cells.prefix(statusInfo.cellCount)),
            temperatureDecicelsius: temperatures.prefix(statusInfo.ntcCount).map { $0 * 10 })
    }
}
