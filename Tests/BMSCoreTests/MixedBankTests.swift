import BMSCore
import Testing

/// A bank of batteries that are not alike (one BMS per battery, `[[battery]]` tables): a 4-cell
/// and a 16-cell battery, and a battery that is allowed a longer silence than the others.
@Suite struct MixedBankTests {
    /// Battery 1 has four cells (the bank default), battery 2 sixteen.
    private func mixedBench(_ configure: (inout Settings) -> Void = { _ in }) -> Bench {
        Bench {
            $0.batteryCount = 2
            $0.cellsByBattery = [2: 16]
            configure(&$0)
        }
    }

    private func healthy(_ bench: inout Bench, from start: Double, to end: Double) {
        var t = start
        while t <= end + 1e-9 {
            bench.send(at: t, battery: 1, cells: fourCells(3300))
            bench.send(at: t, battery: 2, cells: Array(repeating: 3300, count: 16))
            t += 1
        }
    }

    @Test func mixedCellCounts_eachBatteryItsOwnCount_startsAndTurnsOutputsOn() {
        var bench = mixedBench()
        healthy(&bench, from: 0, to: 10)
        #expect(bench.controller.snapshot(at: bench.now).fault == nil)
        #expect(bench.state(.load) == .on)
        #expect(bench.state(.charger) == .on)
    }

    @Test func mixedCellCounts_sixteenCellBatterySendsFour_isAFaultNamingSixteen() {
        var bench = mixedBench()
        healthy(&bench, from: 0, to: 10)
        bench.send(at: 10.5, battery: 2, cells: fourCells(3300))
        let fault = bench.controller.snapshot(at: bench.now).fault
        #expect(fault?.text == "battery 2 reports 4 cells, expected 16")
        #expect(bench.state(.load) == .off)
    }

    @Test func mixedCellCounts_lowCellOfTheSixteenCellBattery_cutsLoadAfterTheLead() {
        var bench = mixedBench()
        healthy(&bench, from: 0, to: 10)
        var t = 11.0
        while t <= 60 {
            bench.send(at: t, battery: 1, cells: fourCells(3300))
            var cells = Array(repeating: 3300, count: 16)
            cells[15] = 2750
            bench.send(at: t, battery: 2, cells: cells)
            t += 1
        }
        let raised = bench.when(.prealarm, .on, after: 10)
        let cut = bench.when(.load, .off, after: 10)
        #expect(same(raised, 12))
        #expect(same(cut, 42))
        #expect(bench.change(.load, .off, after: 10)?.reason.battery == 2)
    }

    @Test func ownTimeout_longerForBattery2_batteryOneStillFaultsAtTheBankTimeout() {
        var bench = mixedBench { $0.commsTimeoutByBattery = [2: .seconds(10)] }
        healthy(&bench, from: 0, to: 10)
        // Battery 1 falls silent at 10: the bank's 3 s apply to it.
        var t = 11.0
        while t <= 20 {
            bench.send(at: t, battery: 2, cells: Array(repeating: 3300, count: 16))
            t += 1
        }
        #expect(same(bench.when(.load, .off, after: 10), 13))
    }

    @Test func ownTimeout_longerForBattery2_itsSilenceFaultsOnlyAfterItsOwnTimeout() {
        var bench = mixedBench { $0.commsTimeoutByBattery = [2: .seconds(10)] }
        healthy(&bench, from: 0, to: 10)
        // Battery 2 falls silent at 10; battery 1 keeps reporting.
        var t = 11.0
        while t <= 30 {
            bench.send(at: t, battery: 1, cells: fourCells(3300))
            t += 1
        }
        #expect(same(bench.when(.load, .off, after: 10), 20))
        #expect(bench.change(.load, .off, after: 10)?.reason.text == "battery 2 sent no fresh valid data for 10 s")
    }

    @Test func ownTimeout_noFurtherInput_deadlineIsTheEarliestOfTheBatteries() {
        var bench = mixedBench { $0.commsTimeoutByBattery = [1: .seconds(8)] }
        bench.send(at: 0, battery: 1, cells: fourCells(3300))
        bench.send(at: 0, battery: 2, cells: Array(repeating: 3300, count: 16))
        bench.advance(to: 30)
        // Battery 2 keeps the bank's 3 s; battery 1 has 8 s: the first fault is battery 2's.
        #expect(bench.notices.contains { $0.text.hasPrefix("fault: battery 2 sent no fresh valid data for 3") })
    }
}
