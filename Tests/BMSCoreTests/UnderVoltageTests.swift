import BMSCore
import Testing

@Suite("Rules 3, 4, 5 and 9: under-voltage, critical floor, pre-alarm, anti-chatter")
struct UnderVoltageTests {
    @Test func loadCut_waitsThirtySecondsAfterPrealarm() {
        var bench = startedBench()
        // A fast fall straight below 2.80 V: UV and PRE confirm together, LOAD waits the lead.
        bench.hold(from: 11, to: 80) { _ in fourCells(2750) }
        #expect(same(bench.when(.prealarm, .on), 12))
        #expect(same(bench.when(.load, .off), 42))
        #expect(same(bench.when(.ledLoad, .off), 42))
        let cut = bench.change(.load, .off)
        #expect(cut?.reason.text == "battery 1 cell 1 2.75 V < 2.80 V, pre-alarm raised 30 s ago")
        #expect(cut?.reason.rule == .underVoltage)
        #expect(cut?.reason.battery == 1 && cut?.reason.cell == 1)
    }

    @Test func loadCut_leadIsTimedFromWhenPrealarmReachedItsLine() {
        var bench = startedBench()
        // The daemon reports each write 4 ms after its decision: the lead starts at the write.
        bench.writeLatency = .milliseconds(4)
        bench.hold(from: 11, to: 80) { _ in fourCells(2750) }
        #expect(same(bench.when(.prealarm, .on), 12))
        // Not at 42 (a decision 30 s after PRE-ALARM's, but a write 29.996 s after it), at 42.004.
        #expect(same(bench.when(.load, .off), 42.004))
        #expect(bench.change(.load, .off)?.reason.text == "battery 1 cell 1 2.75 V < 2.80 V, pre-alarm raised 30 s ago")
    }

    @Test func loadCut_leadFollowsTheConfiguredPrealarmLead() {
        var bench = startedBench { $0.prealarmLead = .seconds(45) }
        bench.hold(from: 11, to: 80) { _ in fourCells(2750) }
        #expect(same(bench.when(.load, .off), 12 + 45))
    }

    @Test func loadCut_slowDischargeCutsOneSecondAfterTheCellPassesDisconnect() {
        var bench = startedBench()
        // 3.30 V to 2.70 V over 200 s: below 3.10 V from T=77, below 2.80 V from T=177.
        bench.hold(from: 11, to: 240) { t in fourCells(Int((3300 - 3 * (t - 10)).rounded())) }
        #expect(same(bench.when(.prealarm, .on), 78))
        #expect(same(bench.when(.load, .off), 178))
    }

    @Test func dipShorterThanConfirm_doesNothing() {
        var bench = startedBench()
        bench.send(at: 11, cells: fourCells(2700))
        bench.send(at: 11.9, cells: fourCells(3300))
        bench.hold(from: 12, to: 60) { _ in fourCells(3300) }
        #expect(bench.when(.prealarm, .on) == nil)
        #expect(bench.state(.load) == .on)
        #expect(bench.count(.load) == 1)
    }

    @Test func dipOfExactlyConfirm_trips() {
        var bench = startedBench()
        bench.send(at: 11, cells: fourCells(3000))
        bench.send(at: 12, cells: fourCells(3300))
        #expect(same(bench.when(.prealarm, .on), 12))
    }

    @Test func recover_holdsForRecoverSecondsBeforeLoadReturns() {
        var bench = startedBench()
        bench.hold(from: 11, to: 60) { _ in fourCells(2750) }
        #expect(same(bench.when(.load, .off), 42))
        bench.hold(from: 61, to: 63) { _ in fourCells(3250) }
        bench.send(at: 64, cells: fourCells(3190))  // one reading below reconnect restarts the wait
        bench.hold(from: 65, to: 80) { _ in fourCells(3250) }
        #expect(same(bench.when(.load, .on, after: 43), 70))
        #expect(same(bench.when(.prealarm, .off), 70))
        #expect(bench.change(.load, .on, after: 43)?.reason.text
            == "every cell >= 3.20 V, every battery allows discharge for 5 s")
    }

    @Test func reconnectBand_loadStaysOffBetweenDisconnectAndReconnect() {
        var bench = startedBench()
        bench.hold(from: 11, to: 60) { _ in fourCells(2750) }
        bench.hold(from: 61, to: 200) { _ in fourCells(3150) }
        #expect(bench.state(.load) == .off)
        #expect(bench.state(.prealarm) == .on)
    }

    @Test func prealarm_clearsOnlyAtPrealarmClear() {
        var bench = startedBench()
        bench.hold(from: 11, to: 20) { _ in fourCells(3050) }
        #expect(same(bench.when(.prealarm, .on), 12))
        #expect(bench.state(.load) == .on)  // never below 2.80 V: LOAD stays on
        bench.hold(from: 21, to: 40) { _ in fourCells(3150) }
        #expect(bench.state(.prealarm) == .on)
        bench.hold(from: 41, to: 50) { _ in fourCells(3200) }
        #expect(same(bench.when(.prealarm, .off), 46))
    }

    @Test func criticalFloor_cutsLoadAtOnceWithoutLead() {
        var bench = startedBench()
        bench.send(at: 11.25, cells: fourCells(2450))
        #expect(same(bench.when(.load, .off), 11.25))
        #expect(same(bench.when(.prealarm, .on), 11.25))
        #expect(bench.change(.load, .off)?.reason.rule == .criticalFloor)
        #expect(bench.change(.load, .off)?.reason.text == "battery 1 cell 1 2.45 V < 2.50 V")
    }

    @Test func criticalFloor_disabledWaitsForTheLead() {
        var bench = startedBench { $0.criticalCellMillivolts = nil }
        bench.hold(from: 11, to: 60) { _ in fourCells(2450) }
        #expect(same(bench.when(.load, .off), 42))
    }

    @Test func criticalFloor_afterPrealarm_cutsAtOnceEvenInsideTheLead() {
        var bench = startedBench()
        bench.hold(from: 11, to: 20) { _ in fourCells(3000) }
        bench.send(at: 20.5, cells: fourCells(2400))
        #expect(same(bench.when(.load, .off), 20.5))
    }

    @Test func underVoltageTrip_duringTheLeadThatRecovers_neverCutsLoad() {
        var bench = startedBench()
        bench.hold(from: 11, to: 20) { _ in fourCells(2750) }
        bench.hold(from: 21, to: 80) { _ in fourCells(3300) }
        #expect(bench.when(.load, .off) == nil)
        #expect(same(bench.when(.prealarm, .off), 26))
    }

    @Test func lowestCellOfAnyBatteryCounts_twentyBatteriesOfEightCells() {
        var bench = startedBench { $0.batteryCount = 20; $0.cellsPerBattery = 8 }
        #expect(bench.state(.load) == .on)
        var t = 11.0
        while t <= 60 {
            for battery in 1...20 {
                var cells = Array(repeating: 3300, count: 8)
                if battery == 17 { cells[4] = 2790 }
                bench.send(at: t, battery: battery, cells: cells)
            }
            t += 1
        }
        #expect(same(bench.when(.prealarm, .on), 12))
        #expect(same(bench.when(.load, .off), 42))
        let cut = bench.change(.load, .off)
        #expect(cut?.reason.text == "battery 17 cell 5 2.79 V < 2.80 V, pre-alarm raised 30 s ago")
        #expect(bench.state(.charger) == .on)
    }
}
