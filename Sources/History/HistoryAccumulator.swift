import BMSCore
import Pipeline

/// What the history gathers between two writes, in memory and pure: each day's cell and
/// temperature extremes per battery, and the time each output spent in each state.
/// Days are UTC days counted from the epoch (`epochDay`), so a reading costs no formatting.
public struct HistoryAccumulator: Sendable {
    private struct DayBattery: Hashable { var day: Int; var battery: Int }
    private struct DayState: Hashable { var day: Int; var output: Output; var state: OutputState }
    private struct Extremes {
        var minCell: Int, maxCell: Int, minTemperature: Int?, maxTemperature: Int?

        mutating func widen(cells: [Int], temperatures: [Int]) {
            for millivolts in cells {
                if millivolts < minCell { minCell = millivolts }
                if millivolts > maxCell { maxCell = millivolts }
            }
            for decicelsius in temperatures {
                if decicelsius < minTemperature ?? .max { minTemperature = decicelsius }
                if decicelsius > maxTemperature ?? .min { maxTemperature = decicelsius }
            }
        }
    }

    /// The outputs whose time in each state is kept.
    public static let trackedOutputs: [Output] = [.load, .charger, .prealarm]

    private var extremes: [DayBattery: Extremes] = [:]
    /// The day every reading of a steady run falls on, indexed by battery: no hashing per reading.
    private var today: Int?
    private var todayExtremes: [Extremes?] = []
    private var stateSeconds: [DayState: Duration] = [:]
    private var held = OutputLevels.allOff
    private var since: Instant?

    public init() {}

    /// The UTC day of a wall-clock time.
    public static func epochDay(_ wallClockSeconds: Double) -> Int { Int((wallClockSeconds / 86_400).rounded(.down)) }

    /// Widens the day's extremes of the reading's battery.
    public mutating func add(_ reading: BatteryReading, epochDay: Int) {
        let battery = reading.battery
        guard battery >= 0, !reading.cellMillivolts.isEmpty else { return }
        if today != epochDay {
            foldToday()
            today = epochDay
        }
        if battery >= todayExtremes.count {
            todayExtremes += Array(repeating: nil, count: battery + 1 - todayExtremes.count)
        }
        // In place and in one pass over the cells: this runs for every reading of every battery.
        if todayExtremes[battery] == nil {
            let first = reading.cellMillivolts[0]
            todayExtremes[battery] = Extremes(minCell: first, maxCell: first, minTemperature: nil, maxTemperature: nil)
        }
        todayExtremes[battery]!.widen(cells: reading.cellMillivolts, temperatures: reading.temperatureDecicelsius)
    }

    private static func widened(_ known: Extremes?, by new: Extremes) -> Extremes {
        guard var known else { return new }
        known.minCell = min(known.minCell, new.minCell)
        known.maxCell = max(known.maxCell, new.maxCell)
        if let cold = new.minTemperature { known.minTemperature = min(known.minTemperature ?? cold, cold) }
        if let hot = new.maxTemperature { known.maxTemperature = max(known.maxTemperature ?? hot, hot) }
        return known
    }

    /// Moves the current day's per-battery extremes into the table of all days.
    private mutating func foldToday() {
        guard let day = today else { return }
        for (battery, value) in todayExtremes.enumerated() {
            guard let value else { continue }
            let key = DayBattery(day: day, battery: battery)
            extremes[key] = Self.widened(extremes[key], by: value)
        }
        todayExtremes.removeAll(keepingCapacity: true)
        today = nil
    }

    /// Credits the time since the last call to the levels held until now, then holds `levels`.
    /// (A stretch that crosses midnight is credited to `epochDay`, the day of `now`.)
    public mutating func accrue(until now: Instant, levels: OutputLevels, epochDay: Int) {
        if let since, now > since {
            for output in Self.trackedOutputs {
                stateSeconds[DayState(day: epochDay, output: output, state: held[output]), default: .zero] += now - since
            }
        }
        since = now
        held = levels
    }

    /// Whether anything waits to be written.
    public var isEmpty: Bool { extremes.isEmpty && stateSeconds.isEmpty && !todayExtremes.contains { $0 != nil } }

    /// Everything gathered since the last drain, ready for the database; starts afresh.
    public mutating func drain() -> (extremes: [DailyExtremes], stateTimes: [StateTime]) {
        foldToday()
        let days = extremes.map { key, value in
            DailyExtremes(
                day: Self.dayText(key.day), battery: key.battery, minCellMillivolts: value.minCell, maxCellMillivolts: value.maxCell,
                minDecicelsius: value.minTemperature, maxDecicelsius: value.maxTemperature)
        }
        let times = stateSeconds.map { key, value in
            StateTime(day: Self.dayText(key.day), output: key.output.rawValue, state: key.state.rawValue, seconds: value.secondsValue)
        }
        extremes.removeAll(keepingCapacity: true)
        stateSeconds.removeAll(keepingCapacity: true)
        return (days.sorted { ($0.day, $0.battery) < ($1.day, $1.battery) }, times)
    }

    private static func dayText(_ epochDay: Int) -> String {
        UTCTime(epochSeconds: Int64(epochDay) * 86_400).dayText
    }
}
