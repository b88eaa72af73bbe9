import SerialBMS

/// A simulated Daly: answers host requests (address 0x40 or above) for 0x90 to 0x98 from its pack,
/// the cells in three-cell 0x95 frames and the temperatures in seven-sensor 0x96 frames; ignores
/// garbage, frames from other BMSes and commands it does not have.
public struct DalyResponder: BMSResponder {
    public var pack: SimulatedPack
    /// The eight 0x98 alarm bytes reported.
    public var alarmBytes = [UInt8](repeating: 0, count: 8)
    /// State of charge reported, x 0.1 %.
    public var stateOfChargePermille = 800
    private var decoder = DalyDecoder()

    /// A Daly reporting `pack`.
    public init(pack: SimulatedPack) { self.pack = pack }

    public mutating func receive<C: Collection>(_ bytes: C) -> [UInt8] where C.Element == UInt8 {
        var commands: [UInt8] = []
        decoder.feed(bytes) { frame in
            if frame.isRequest { commands.append(frame.command) }
        }
        return commands.flatMap { reply(to: $0) }
    }

    /// The reply bytes for `command`, empty for one it does not have.
    public func reply(to command: UInt8) -> [UInt8] {
        frames(for: command).flatMap { DalyFrame(address: DalyFrame.bmsAddress, command: command, data: $0).encoded }
    }

    private var celsius: [Int] { pack.temperatureDecicelsius.map { ($0 >= 0 ? $0 + 5 : $0 - 5) / 10 } }

    private func frames(for command: UInt8) -> [[UInt8]] {
        func word(_ value: Int) -> [UInt8] { [UInt8(truncatingIfNeeded: value >> 8), UInt8(truncatingIfNeeded: value)] }
        let cells = pack.cellMillivolts
        switch command {
        case DalyCommand.packStatus:
            return [word(pack.packMillivolts / 100) + word(pack.packMillivolts / 100) + word(30000) + word(stateOfChargePermille)]
        case DalyCommand.cellExtremes:
            guard let high = cells.indices.max(by: { cells[$0] < cells[$1] }), let low = cells.indices.min(by: { cells[$0] < cells[$1] }) else { return [] }
            return [word(cells[high]) + [UInt8(high + 1)] + word(cells[low]) + [UInt8(low + 1)]]
        case DalyCommand.temperatureExtremes:
            let values = celsius
            guard let high = values.indices.max(by: { values[$0] < values[$1] }), let low = values.indices.min(by: { values[$0] < values[$1] }) else { return [] }
            let raw = { (celsius: Int) in UInt8(min(max(celsius + 40, 0), 255)) }
            return [[raw(values[high]), UInt8(high + 1), raw(values[low]), UInt8(low + 1)]]
        case DalyCommand.mosfetStatus:
            return [DalyMOSFETStatus.data(state: 0, chargeMOSFETOn: pack.chargeEnabled, dischargeMOSFETOn: pack.dischargeEnabled, remainingMilliampHours: 80000)]
        case DalyCommand.statusInfo:
            return [[UInt8(truncatingIfNeeded: cells.count), UInt8(truncatingIfNeeded: pack.temperatureDecicelsius.count), 0, 0, 0] + word(3)]
        case DalyCommand.cellVoltages:
            return stride(from: 0, to: cells.count, by: 3).map {
                DalyCellVoltageFrame.data(number: $0 / 3 + 1, cellMillivolts: Array(cells[$0..<min($0 + 3, cells.count)]))
            }
        case DalyCommand.temperatures:
            let values = celsius
            return stride(from: 0, to: values.count, by: 7).map {
                DalyTemperatureFrame.data(number: $0 / 7 + 1, celsius: Array(values[$0..<min($0 + 7, values.count)]))
            }
        case DalyCommand.balanceState:
            return [[]]
        case DalyCommand.alarms:
            return [alarmBytes]
        default:
            return []
        }
    }
}
