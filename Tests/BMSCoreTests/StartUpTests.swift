import BMSCore
import Testing

@Suite("Rule 2: start-up")
struct StartUpTests {
    @Test func startUp_everyOutputStaysOffUntilEveryBatteryReports() {
        var bench = Bench { $0.batteryCount = 2 }
        bench.hold(from: 0, to: 2.5, every: 0.5) { _ in fourCells(3300) }  // battery 1 only
        #expect(bench.changes.isEmpty)
        for output in Output.allCases { #expect(bench.state(output) == .off) }
    }

    @Test func startUp_loadAndChargerComeOnRecoverSecondsAfterTheLastBatteryReports() {
        var bench = Bench { $0.batteryCount = 2 }
        bench.send(at: 0.0, battery: 1, cells: fourCells(3300))
        bench.send(at: 0.7, battery: 2, cells: fourCells(3300))
        bench.hold(from: 1, to: 10, batteries: 2) { _ in fourCells(3300) }
        #expect(same(bench.when(.load, .on), 5.7))
        #expect(same(bench.when(.charger, .on), 5.7))
        #expect(same(bench.when(.ledLoad, .on), 5.7))
        #expect(bench.when(.prealarm, .on) == nil)
        #expect(bench.when(.ledTempOVP, .on) == nil)
        #expect(bench.change(.load, .on)?.reason.text == "start-up: all 2 batteries reporting, healthy for 5 s")
    }

    @Test func startUp_aBatteryThatNeverReportsIsAFaultAfterCommsTimeout() {
        var bench = Bench { $0.batteryCount = 2 }
        bench.hold(from: 0, to: 10) { _ in fourCells(3300) }  // battery 2 never speaks
        #expect(same(bench.when(.prealarm, .on), 3.0))
        #expect(bench.change(.prealarm, .on)?.reason.text == "no data from battery 2 since start (3 s)")
        #expect(bench.state(.load) == .off)
        #expect(bench.state(.charger) == .off)
    }

    @Test func startUp_lowCellsAtStart_keepLoadOffAndRaisePrealarmWhenStarted() {
        var bench = Bench()
        bench.hold(from: 0, to: 60) { _ in fourCells(2700) }
        #expect(same(bench.when(.prealarm, .on), 0.0 + 1.0))
        #expect(bench.when(.load, .on) == nil)
        #expect(same(bench.when(.charger, .on), 5.0))
    }

    @Test func startUp_aLatchSetBeforeStartShowsOnlyOnceStarted() {
        var bench = Bench { $0.batteryCount = 2 }
        bench.hold(from: 0, to: 2) { _ in fourCells(3000) }  // battery 1 low, battery 2 silent so far
        #expect(bench.when(.prealarm, .on) == nil)
        bench.send(at: 2.5, battery: 2, cells: fourCells(3300))
        #expect(same(bench.when(.prealarm, .on), 2.5))
    }
}
