import BMSCore
import SerialBMS

/// One JK poll: a single "read all".
///
/// Mapping (behaviour.md, `jk` row): ATD = status bit 1 (discharging enabled), ATC = status bit 0
/// (charging enabled), PRE = warning bit 3 (discharge under-voltage) or bit 11 (cell under-voltage).
/// Cells from 0x79, as many as sent; temperatures from 0x81/0x82 (``JKReadAll/batteryTemperatureDecicelsius``).
/// A reply without cells, warnings or status is invalid: no reading.
public struct JKCycle: PollCycle {
    private var sent = false
    private var done = false
    /// What arrived in this cycle.
    public private(set) var readAll: JKReadAll?

    /// A cycle that has sent nothing.
    public init() {}

    public mutating func nextRequest() -> [UInt8]? {
        guard !sent else { return nil }
        sent = true
        return JKRequest.readAll()
    }

    public mutating func take(_ frame: JKFrame) -> FrameVerdict {
        if frame.isRequest { return .notAReply }
        guard sent, !done, frame.command == JKFrame.readAllCommand, let data = frame.readAll else { return .wrongRegister }
        done = true
        guard let cells = data.cellMillivolts, !cells.isEmpty, data.warnings != nil, data.status != nil else { return .invalid }
        readAll = data
        return .completes
    }

    public mutating func requestTimedOut() { done = true }

    public func reading(battery: Int) -> BatteryReading? {
        guard let readAll, let cells = readAll.cellMillivolts, let status = readAll.status, let warnings = readAll.warnings else { return nil }
        let prealarm = warnings & (1 << 3) != 0 || warnings & (1 << 11) != 0
        return BatteryReading(
            battery: battery,
            flags: BatteryFlags(allowsDischarge: status & 0x02 != 0, allowsCharge: status & 0x01 != 0, raisesPrealarm: prealarm),
            cellMillivolts: cells,
            temperatureDecicelsius: readAll.batteryTemperatureDecicelsius)
    }
}
