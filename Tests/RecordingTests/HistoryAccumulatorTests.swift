import BMSCore
import History
import Testing

@Suite("History accumulator: days, extremes, time in each state")
struct HistoryAccumulatorTests {
    private func reading(_ battery: Int, _ cells: [Int], _ temperatures: [Int]) -> BatteryReading {
        BatteryReading(battery: battery, flags: .normal, cellMillivolts: cells, temperatureDecicelsius: temperatures)
    }

    @Test func readingsOverMidnight_eachDayKeepsItsOwnExtremesPerBattery() {
        var accumulator = HistoryAccumulator()
        // 20,424 is 2025-12-02 (UTC), counted in days from the epoch.
        accumulator.add(reading(1, [3300, 3310], [250]), epochDay: 20_424)
        accumulator.add(reading(2, [3200, 3350], []), epochDay: 20_424)
        accumulator.add(reading(1, [3280, 3305], [-15, 240]), epochDay: 20_424)
        accumulator.add(reading(1, [3400, 3401], [300]), epochDay: 20_425)
        accumulator.add(reading(1, [3100, 3101], []), epochDay: 20_424)
        let (days, _) = accumulator.drain()
        #expect(days == [
            DailyExtremes(day: "2025-12-02", battery: 1, minCellMillivolts: 3100, maxCellMillivolts: 3310, minDecicelsius: -15, maxDecicelsius: 250),
            DailyExtremes(day: "2025-12-02", battery: 2, minCellMillivolts: 3200, maxCellMillivolts: 3350, minDecicelsius: nil, maxDecicelsius: nil),
            DailyExtremes(day: "2025-12-03", battery: 1, minCellMillivolts: 3400, maxCellMillivolts: 3401, minDecicelsius: 300, maxDecicelsius: 300),
        ])
        #expect(accumulator.isEmpty)
    }

    @Test func accrue_creditsEachStretchToTheLevelsHeldDuringIt() {
        var accumulator = HistoryAccumulator()
        var on = OutputLevels.allOff
        on[.load] = .on
        accumulator.accrue(until: .seconds(0), levels: .allOff, epochDay: 1)
        accumulator.accrue(until: .seconds(5), levels: on, epochDay: 1)
        accumulator.accrue(until: .seconds(65), levels: .allOff, epochDay: 1)
        let (_, times) = accumulator.drain()
        let load = Dictionary(uniqueKeysWithValues: times.filter { $0.output == "load" }.map { ($0.state, $0.seconds) })
        #expect(load == ["off": 5, "on": 60])
        #expect(times.filter { $0.output == "charger" }.map(\.seconds) == [65])
    }
}
