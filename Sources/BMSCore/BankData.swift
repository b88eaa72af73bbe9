/// The latest valid data of every battery, and the latest state of charge: what the rules read.
///
/// Only readings that passed the plausibility checks land here, so a bad sentence raises a
/// fault (rule 8) without also moving the thresholds' timers on nonsense values.
struct BankData: Sendable {
    /// Latest valid reading per battery; index 0 is battery 1. `nil` before its first valid sentence.
    var readings: [BatteryReading?]
    /// Latest state of charge from a battery monitor, in percent.
    var stateOfChargePercent: Double?

    init(batteryCount: Int) {
        readings = Array(repeating: nil, count: batteryCount)
    }

    /// The first cell (battery order, then cell order) whose millivolts satisfy `predicate`.
    func firstCell(where predicate: (Int) -> Bool) -> Check.Match? {
        for reading in readings {
            guard let reading else { continue }
            for (index, millivolts) in reading.cellMillivolts.enumerated() where predicate(millivolts) {
                return Check.Match(battery: reading.battery, index: index + 1, value: millivolts)
            }
        }
        return nil
    }

    /// The first temperature (battery order, then sensor order) that satisfies `predicate`.
    func firstTemperature(where predicate: (Int) -> Bool) -> Check.Match? {
        for reading in readings {
            guard let reading else { continue }
            for (index, decicelsius) in reading.temperatureDecicelsius.enumerated() where predicate(decicelsius) {
                return Check.Match(battery: reading.battery, index: index + 1, value: decicelsius)
            }
        }
        return nil
    }

    /// The first battery whose reading satisfies `predicate`.
    func firstBattery(where predicate: (BatteryReading) -> Bool) -> Check.Match? {
        for reading in readings {
            guard let reading, predicate(reading) else { continue }
            return Check.Match(battery: reading.battery, index: 0, value: Int(reading.flags.rawValue))
        }
        return nil
    }
}
