/// The latest valid data of every battery, and the latest state of charge: what the rules read.
///
/// Only readings that passed the plausibility checks land here, so a bad sentence raises a
/// fault (rule 8) without also moving the thresholds' timers on nonsense values.
///
/// Every reading is summarised as it is recorded (lowest and highest cell and temperature, the
/// flags), and the bank as a whole too, so that a check that does not hold, the steady state,
/// is answered from the bank's summary without walking 20 batteries of cells; a check that
/// holds walks only the batteries whose summary can match. The answers are those of a plain walk
/// in battery order, then cell order.
struct BankData: Sendable {
    /// Latest valid reading per battery; index 0 is battery 1. `nil` before its first valid sentence.
    private(set) var readings: [BatteryReading?]
    /// Latest state of charge from a battery monitor, in percent.
    var stateOfChargePercent: Double?

    /// One summary per entry of `readings` (`.empty` where there is none).
    private var summaries: [Summary]
    /// The summaries of every battery combined.
    private var total = Summary.empty

    /// Lowest and highest values of one reading (or of the whole bank), and its flags.
    struct Summary: Sendable {
        var lowestCell = Int.max
        var highestCell = Int.min
        var lowestTemperature = Int.max
        var highestTemperature = Int.min
        /// Flags that every reading has (bitwise AND; all ones when there is no reading).
        var allFlags: UInt8 = 0xFF
        /// Flags that some reading has (bitwise OR).
        var anyFlags: UInt8 = 0

        static let empty = Summary()

        init() {}

        init(_ reading: BatteryReading) {
            for millivolts in reading.cellMillivolts {
                lowestCell = min(lowestCell, millivolts)
                highestCell = max(highestCell, millivolts)
            }
            for decicelsius in reading.temperatureDecicelsius {
                lowestTemperature = min(lowestTemperature, decicelsius)
                highestTemperature = max(highestTemperature, decicelsius)
            }
            allFlags = reading.flags.rawValue
            anyFlags = reading.flags.rawValue
        }

        mutating func combine(_ other: Summary) {
            lowestCell = min(lowestCell, other.lowestCell)
            highestCell = max(highestCell, other.highestCell)
            lowestTemperature = min(lowestTemperature, other.lowestTemperature)
            highestTemperature = max(highestTemperature, other.highestTemperature)
            allFlags &= other.allFlags
            anyFlags |= other.anyFlags
        }
    }

    init(batteryCount: Int) {
        readings = Array(repeating: nil, count: batteryCount)
        summaries = Array(repeating: .empty, count: batteryCount)
    }

    /// Makes `reading` the latest of the battery at `index` (0 is battery 1).
    mutating func record(_ reading: BatteryReading, at index: Int) {
        readings[index] = reading
        summaries[index] = Summary(reading)
        recombine()
    }

    /// Keeps the first `count` batteries' readings, adding batteries without one.
    mutating func resize(to count: Int) {
        var kept = Array(readings.prefix(count))
        kept += Array(repeating: nil, count: max(0, count - kept.count))
        readings = kept
        summaries = readings.map { $0.map(Summary.init) ?? .empty }
        recombine()
    }

    private mutating func recombine() {
        var combined = Summary.empty
        for summary in summaries { combined.combine(summary) }
        total = combined
    }

    /// The first cell (battery order, then cell order) below `threshold`.
    func firstCell(below threshold: Int) -> Check.Match? {
        guard total.lowestCell < threshold else { return nil }
        return firstCell(in: { $0.lowestCell < threshold }, where: { $0 < threshold })
    }

    /// The first cell above `threshold`.
    func firstCell(above threshold: Int) -> Check.Match? {
        guard total.highestCell > threshold else { return nil }
        return firstCell(in: { $0.highestCell > threshold }, where: { $0 > threshold })
    }

    /// The first cell at or above `threshold`.
    func firstCell(atOrAbove threshold: Int) -> Check.Match? {
        guard total.highestCell >= threshold else { return nil }
        return firstCell(in: { $0.highestCell >= threshold }, where: { $0 >= threshold })
    }

    /// The first temperature (battery order, then sensor order) below `lowest` or above `highest`.
    func firstTemperature(outside lowest: Int, _ highest: Int) -> Check.Match? {
        let mayMatch = { (summary: Summary) in summary.lowestTemperature < lowest || summary.highestTemperature > highest }
        guard mayMatch(total) else { return nil }
        for (index, reading) in readings.enumerated() where mayMatch(summaries[index]) {
            guard let reading else { continue }
            for (sensor, decicelsius) in reading.temperatureDecicelsius.enumerated()
            where decicelsius < lowest || decicelsius > highest {
                return Check.Match(battery: reading.battery, index: sensor + 1, value: decicelsius)
            }
        }
        return nil
    }

    /// The first battery whose flags lack one of `bits`.
    func firstBattery(lacking bits: UInt8) -> Check.Match? {
        guard total.allFlags & bits != bits else { return nil }
        return firstBattery { $0.allFlags & bits != bits }
    }

    /// The first battery whose flags have one of `bits`.
    func firstBattery(having bits: UInt8) -> Check.Match? {
        guard total.anyFlags & bits != 0 else { return nil }
        return firstBattery { $0.anyFlags & bits != 0 }
    }

    private func firstCell(in mayMatch: (Summary) -> Bool, where predicate: (Int) -> Bool) -> Check.Match? {
        for (index, reading) in readings.enumerated() where mayMatch(summaries[index]) {
            guard let reading else { continue }
            for (cell, millivolts) in reading.cellMillivolts.enumerated() where predicate(millivolts) {
                return Check.Match(battery: reading.battery, index: cell + 1, value: millivolts)
            }
        }
        return nil
    }

    private func firstBattery(_ matches: (Summary) -> Bool) -> Check.Match? {
        for (index, reading) in readings.enumerated() where matches(summaries[index]) {
            guard let reading else { continue }
            return Check.Match(battery: reading.battery, index: 0, value: Int(reading.flags.rawValue))
        }
        return nil
    }
}
